package dev.braid.gateway.workflow.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import dev.braid.gateway.workflow.Diagnostic;
import dev.braid.gateway.workflow.Location;
import dev.braid.gateway.workflow.WorkflowLimits;
import dev.braid.gateway.workflow.WorkflowSyntaxException;
import dev.braid.gateway.workflow.internal.SourceNode.Entry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads YAML or JSON into a {@link SourceNode} tree with the token locations Jackson reports
 * (SnakeYAML's marks for YAML). Streams the tokens rather than reading a {@code JsonNode} tree, as
 * a tree forgets where its nodes were. YAML anchors, aliases and {@code <<} merge keys are resolved
 * here, so an alias's nodes keep the location of the anchored original.
 *
 * <p>Reads under the {@link WorkflowLimits}: size, nesting, aliases, and the number of values the
 * file holds once its aliases are expanded. An alias is shared here, not copied, but whatever walks
 * the tree later (the model builder, the checker, a run) sees every use of it, so a "billion
 * laughs" file must be refused before anything walks it.
 */
public final class SourceReader {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /**
   * Jackson's own depth check stops the parser one level past ours, so that ours, which knows the
   * location of the value, speaks first; the parser's is the backstop.
   */
  private static final StreamReadConstraints CONSTRAINTS =
      StreamReadConstraints.builder()
          .maxNestingDepth(WorkflowLimits.MAX_NESTING + 1)
          .maxDocumentLength(WorkflowLimits.MAX_FILE_BYTES)
          .build();

  private static final YAMLFactory YAML =
      YAMLFactory.builder()
          .loaderOptions(loaderOptions())
          .streamReadConstraints(CONSTRAINTS)
          .build();
  private static final JsonFactory JSON =
      JsonFactory.builder().streamReadConstraints(CONSTRAINTS).build();

  private final SourceText src;
  private final JsonParser parser;
  private final Map<Object, SourceNode> anchors = new HashMap<>();

  /** Per anchor, the values its node holds with its own aliases expanded. */
  private final Map<Object, Long> weights = new HashMap<>();

  private final List<Diagnostic> problems;
  private int depth;
  private int aliases;

  /** Values read so far, counting each alias as the values it stands for. */
  private long expanded;

  private SourceReader(SourceText src, JsonParser parser, List<Diagnostic> problems) {
    this.src = src;
    this.parser = parser;
    this.problems = problems;
  }

  /**
   * Reads the one document in {@code src}.
   *
   * @param json read as strict JSON rather than YAML
   * @param problems receives recoverable problems (duplicate keys)
   * @throws WorkflowSyntaxException if the text is not YAML (or JSON), is empty, or holds more than
   *     one document
   */
  public static SourceNode read(SourceText src, boolean json, List<Diagnostic> problems)
      throws WorkflowSyntaxException {
    if (src.text().length() > WorkflowLimits.MAX_FILE_BYTES) {
      throw new WorkflowSyntaxException(
          src.at(1, 1),
          "the workflow is "
              + src.text().length()
              + " characters long; the limit is "
              + WorkflowLimits.MAX_FILE_BYTES
              + " (1 MiB)");
    }
    try (JsonParser p = (json ? JSON : YAML).createParser(src.text())) {
      SourceReader r = new SourceReader(src, p, problems);
      JsonToken first = p.nextToken();
      if (first == null) {
        throw new WorkflowSyntaxException(
            src.at(1, 1), "the file is empty: a workflow needs at least steps:");
      }
      SourceNode root = r.value(first);
      JsonToken extra;
      try {
        extra = p.nextToken();
      } catch (JsonProcessingException e) {
        throw r.syntax(e);
      }
      if (extra != null) {
        throw new WorkflowSyntaxException(
            r.start(),
            json
                ? "unexpected content after the JSON value"
                : "a workflow file holds one YAML document; remove the second '---' document");
      }
      return root;
    } catch (StreamConstraintsException e) {
      throw new SourceReader(src, null, problems).tooLarge(e);
    } catch (JsonProcessingException e) {
      throw new SourceReader(src, null, problems).syntax(e);
    } catch (IOException e) {
      throw new WorkflowSyntaxException(src.at(1, 1), "cannot read: " + e.getMessage());
    }
  }

  private Location start() {
    JsonLocation l = parser.currentTokenLocation();
    return src.at(l.getLineNr(), l.getColumnNr());
  }

  private SourceNode value(JsonToken t) throws IOException, WorkflowSyntaxException {
    Location at = start();
    // YAML anchors are what Jackson calls object ids
    Object anchor = parser instanceof YAMLParser ? parser.getObjectId() : null;
    SourceNode node;
    if (parser instanceof YAMLParser y && y.isCurrentAlias()) {
      String name = parser.getText();
      node = anchors.get(name);
      if (node == null) {
        throw new WorkflowSyntaxException(at, "unknown YAML alias *" + name);
      }
      if (++aliases > WorkflowLimits.MAX_ALIASES) {
        throw new WorkflowSyntaxException(
            at, "more than " + WorkflowLimits.MAX_ALIASES + " YAML aliases (*name) in one file");
      }
      count(at, weights.get(name));
      return node;
    }
    long before = expanded;
    count(at, 1);
    switch (t) {
      case START_OBJECT:
        enter(at);
        node = mapping(at);
        depth--;
        break;
      case START_ARRAY:
        {
          enter(at);
          List<SourceNode> items = new ArrayList<>();
          JsonToken n;
          while ((n = parser.nextToken()) != JsonToken.END_ARRAY) {
            items.add(value(n));
          }
          node = new SourceNode.ListNode(at, items);
          depth--;
          break;
        }
      default:
        node = scalar(t, at);
        break;
    }
    if (anchor != null) {
      anchors.put(anchor, node);
      weights.put(anchor, expanded - before);
    }
    return node;
  }

  private void enter(Location at) throws WorkflowSyntaxException {
    if (++depth > WorkflowLimits.MAX_NESTING) {
      throw new WorkflowSyntaxException(
          at,
          "mappings and lists are nested more than "
              + WorkflowLimits.MAX_NESTING
              + " levels deep here");
    }
  }

  private void count(Location at, long values) throws WorkflowSyntaxException {
    expanded += values;
    if (expanded > WorkflowLimits.MAX_EXPANDED_VALUES) {
      throw new WorkflowSyntaxException(
          at,
          "the file holds more than "
              + WorkflowLimits.MAX_EXPANDED_VALUES
              + " values once its YAML aliases are expanded"
              + (aliases > 0 ? " (an alias bomb?)" : ""));
    }
  }

  private SourceNode mapping(Location at) throws IOException, WorkflowSyntaxException {
    Map<String, Entry> entries = new LinkedHashMap<>();
    List<SourceNode> merges = new ArrayList<>();
    JsonToken n;
    while ((n = parser.nextToken()) == JsonToken.FIELD_NAME) {
      String key = parser.currentName();
      Location keyAt = start();
      SourceNode v = value(parser.nextToken());
      if (key.equals("<<") && parser instanceof YAMLParser) {
        merges.add(v);
        continue;
      }
      Entry prev = entries.get(key);
      if (prev != null) {
        problems.add(
            new Diagnostic(
                keyAt,
                "duplicate key '"
                    + key
                    + "' (first at line "
                    + prev.keyAt().line()
                    + "); a key may appear once in a mapping"));
        continue;
      }
      entries.put(key, new Entry(key, keyAt, v));
    }
    if (n != JsonToken.END_OBJECT) {
      throw new WorkflowSyntaxException(start(), "unexpected " + n + " in a mapping");
    }
    for (SourceNode m : merges) {
      List<SourceNode> sources = m instanceof SourceNode.ListNode l ? l.items() : List.of(m);
      for (SourceNode s : sources) {
        if (!(s instanceof SourceNode.MapNode mm)) {
          throw new WorkflowSyntaxException(
              s.at(), "a '<<' merge key needs a mapping or a list of mappings");
        }
        for (Entry e : mm.entries()) {
          entries.putIfAbsent(e.key(), e);
        }
      }
    }
    return new SourceNode.MapNode(at, new ArrayList<>(entries.values()));
  }

  private SourceNode scalar(JsonToken t, Location at) throws IOException, WorkflowSyntaxException {
    JsonNode v;
    switch (t) {
      case VALUE_STRING:
        v = TextNode.valueOf(parser.getText());
        break;
      case VALUE_NUMBER_INT:
        v = NODES.numberNode(parser.getBigIntegerValue());
        if (v.canConvertToLong()) {
          v = NODES.numberNode(v.longValue());
        }
        break;
      case VALUE_NUMBER_FLOAT:
        v = NODES.numberNode(parser.getDecimalValue());
        break;
      case VALUE_TRUE:
        v = BooleanNode.TRUE;
        break;
      case VALUE_FALSE:
        v = BooleanNode.FALSE;
        break;
      case VALUE_NULL:
        v = NullNode.getInstance();
        break;
      default:
        throw new WorkflowSyntaxException(at, "unsupported value here (" + t + ")");
    }
    int rawStart = src.charIndex(parser.currentTokenLocation().getCharOffset());
    int rawEnd = src.charIndex(parser.currentLocation().getCharOffset());
    return new SourceNode.ScalarNode(at, v, src, rawStart, Math.max(rawStart, rawEnd));
  }

  /** A limit the parser itself enforces (a backstop to ours), with where it stopped. */
  private WorkflowSyntaxException tooLarge(StreamConstraintsException e) {
    JsonLocation l = e.getLocation();
    Location at = l == null ? src.at(1, 1) : src.at(l.getLineNr(), l.getColumnNr());
    String why = oneLine(e.getOriginalMessage());
    int cut = why.indexOf(" (");
    return new WorkflowSyntaxException(
        at, "the file is over a limit: " + (cut > 0 ? why.substring(0, cut) : why));
  }

  /** One line: the parser's problem and where it is, without SnakeYAML's multi-line excerpt. */
  private WorkflowSyntaxException syntax(JsonProcessingException e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof MarkedYAMLException m) {
        Mark mark = m.getProblemMark() != null ? m.getProblemMark() : m.getContextMark();
        String message = "not valid YAML: " + oneLine(m.getProblem());
        if (m.getContext() != null && m.getContextMark() != null) {
          message +=
              " ("
                  + oneLine(m.getContext())
                  + " at line "
                  + (m.getContextMark().getLine() + 1)
                  + ", column "
                  + (m.getContextMark().getColumn() + 1)
                  + ")";
        }
        Location at =
            mark == null ? src.at(1, 1) : src.at(mark.getLine() + 1, mark.getColumn() + 1);
        if (mark != null && unquotedExpression(mark.getLine())) {
          message += QUOTE_HINT;
        }
        return new WorkflowSyntaxException(at, message);
      }
    }
    JsonLocation l = e.getLocation();
    Location at = l == null ? src.at(1, 1) : src.at(l.getLineNr(), l.getColumnNr());
    String what = parser == null || parser instanceof YAMLParser ? "YAML" : "JSON";
    if (src.name().endsWith(".json")) {
      what = "JSON";
    }
    return new WorkflowSyntaxException(
        at, "not valid " + what + ": " + oneLine(e.getOriginalMessage()));
  }

  /**
   * The hint for the commonest YAML mistake of a workflow: {@code with: { x: ${{ input.x }} }}. In
   * YAML's flow style ({@code { }} and {@code [ ]}) the braces of an unquoted {@code ${{} open a
   * mapping, so the parser's own message (a missing comma) points away from the cause.
   */
  static final String QUOTE_HINT =
      "; hint: quote a value holding ${{ }} inside { } or [ ], e.g. x: \"${{ input.x }}\"";

  /** Whether line {@code line} (from 0) has a {@code ${{} outside quotes. */
  private boolean unquotedExpression(int line) {
    String[] lines = src.text().split("\n", -1);
    if (line < 0 || line >= lines.length) {
      return false;
    }
    String text = lines[line];
    char quote = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        }
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '#' && (i == 0 || text.charAt(i - 1) == ' ')) {
        return false;
      } else if (text.startsWith("${{", i)) {
        return true;
      }
    }
    return false;
  }

  private static String oneLine(String s) {
    if (s == null) {
      return "syntax error";
    }
    int nl = s.indexOf('\n');
    return (nl < 0 ? s : s.substring(0, nl)).strip();
  }

  private static LoaderOptions loaderOptions() {
    LoaderOptions o = new LoaderOptions();
    // SnakeYAML's own limits, where its parser (not only its composer, which Jackson does not use)
    // applies them: a little above ours, which speak first and with a location.
    o.setCodePointLimit(WorkflowLimits.MAX_FILE_BYTES + 1);
    o.setNestingDepthLimit(WorkflowLimits.MAX_NESTING + 2);
    o.setMaxAliasesForCollections(WorkflowLimits.MAX_ALIASES + 1);
    return o;
  }
}
