package dev.braid.gateway.workflow.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.braid.gateway.workflow.Location;
import dev.braid.gateway.workflow.expr.Values;
import java.util.List;

/**
 * The file as a tree that remembers where every key and value was written: what the model is built
 * from. YAML and JSON files give the same tree.
 */
public sealed interface SourceNode {
  Location at();

  /** What the node is, in words, for messages: "a mapping", "a list", "a string", ... */
  String kind();

  /** One {@code key: value} of a mapping. */
  record Entry(String key, Location keyAt, SourceNode value) {}

  record MapNode(Location at, List<Entry> entries) implements SourceNode {
    public MapNode {
      entries = List.copyOf(entries);
    }

    public Entry entry(String key) {
      for (Entry e : entries) {
        if (e.key().equals(key)) {
          return e;
        }
      }
      return null;
    }

    public SourceNode get(String key) {
      Entry e = entry(key);
      return e == null ? null : e.value();
    }

    @Override
    public String kind() {
      return "a mapping";
    }
  }

  record ListNode(Location at, List<SourceNode> items) implements SourceNode {
    public ListNode {
      items = List.copyOf(items);
    }

    @Override
    public String kind() {
      return "a list";
    }
  }

  /**
   * A string, number, boolean or null.
   *
   * @param rawStart char index in the file where the scalar's text starts (its quote, if quoted)
   * @param rawEnd char index just after it
   */
  record ScalarNode(Location at, JsonNode value, SourceText source, int rawStart, int rawEnd)
      implements SourceNode {
    @Override
    public String kind() {
      if (value.isNull()) {
        return "null";
      }
      return Values.typeName(value);
    }

    /** The text as written, quotes and escapes included. */
    public String raw() {
      return source.text().substring(rawStart, Math.max(rawStart, rawEnd));
    }
  }
}
