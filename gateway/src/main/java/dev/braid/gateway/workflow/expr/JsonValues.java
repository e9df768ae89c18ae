package dev.braid.gateway.workflow.expr;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cel.common.types.CelType;
import dev.cel.common.values.CelByteString;
import dev.cel.common.values.NullValue;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.AbstractList;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * JSON values in and out of CEL. Objects and arrays go in as read-only views that convert a field
 * or element only when the expression reads it, so an expression that reads one field of a large
 * step result does not copy the result; a view that comes back out unchanged is its JSON node again
 * (a {@code ${{ steps.x }}} is the step's result itself).
 */
final class JsonValues {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private JsonValues() {}

  /** The CEL value of a JSON node: Long, Double, String, Boolean, NullValue, Map or List view. */
  static Object toCel(JsonNode v) {
    if (v == null || v.isNull() || v.isMissingNode()) {
      return NullValue.NULL_VALUE;
    }
    switch (v.getNodeType()) {
      case STRING:
        return v.textValue();
      case BOOLEAN:
        return v.booleanValue();
      case NUMBER:
        if (v.isIntegralNumber() && v.canConvertToLong()) {
          return v.longValue();
        }
        return v.doubleValue();
      case OBJECT:
        return new ObjectView((ObjectNode) v);
      case ARRAY:
        return new ListView((ArrayNode) v);
      default:
        return v.asText();
    }
  }

  /** The JSON node of a CEL value (views unwrap to their node, without a copy). */
  static JsonNode toJson(Object v) {
    if (v instanceof ObjectView o) {
      return o.node;
    }
    if (v instanceof ListView l) {
      return l.node;
    }
    if (v == null || v instanceof NullValue || v instanceof com.google.protobuf.NullValue) {
      return NullNode.getInstance();
    }
    if (v instanceof String s) {
      return NODES.textNode(s);
    }
    if (v instanceof Boolean b) {
      return NODES.booleanNode(b);
    }
    if (v instanceof Long n) {
      // an int where it fits, as Jackson reads JSON: IntNode(1) and LongNode(1) are not equal
      return n == n.intValue() ? NODES.numberNode(n.intValue()) : NODES.numberNode(n);
    }
    if (v instanceof Double d) {
      return NODES.numberNode(d);
    }
    if (v instanceof Integer n) {
      return NODES.numberNode(n);
    }
    if (v instanceof com.google.common.primitives.UnsignedLong u) {
      return NODES.numberNode(new BigInteger(u.toString()));
    }
    if (v instanceof Map<?, ?> m) {
      ObjectNode o = NODES.objectNode();
      m.forEach((k, e) -> o.set(k instanceof String s ? s : toJson(k).asText(), toJson(e)));
      return o;
    }
    if (v instanceof List<?> l) {
      ArrayNode a = NODES.arrayNode();
      l.forEach(e -> a.add(toJson(e)));
      return a;
    }
    if (v instanceof Optional<?> o) {
      return o.map(JsonValues::toJson).orElse(NullNode.getInstance());
    }
    if (v instanceof Instant t) {
      return NODES.textNode(t.toString());
    }
    if (v instanceof Duration d) {
      return NODES.textNode(durationText(d));
    }
    if (v instanceof CelByteString b) {
      return NODES.textNode(Base64.getEncoder().encodeToString(b.toByteArray()));
    }
    if (v instanceof dev.cel.common.types.TypeType t && !t.parameters().isEmpty()) {
      return NODES.textNode(t.parameters().get(0).name());
    }
    if (v instanceof CelType t) {
      return NODES.textNode(t.name());
    }
    return NODES.textNode(String.valueOf(v));
  }

  /**
   * CEL's own text for a duration: seconds with a fraction, then 's' ({@code 90s}, {@code 1.5s}).
   */
  static String durationText(Duration d) {
    if (d.getNano() == 0) {
      return d.getSeconds() + "s";
    }
    String s =
        new java.math.BigDecimal(d.getSeconds())
            .add(java.math.BigDecimal.valueOf(d.getNano(), 9))
            .stripTrailingZeros()
            .toPlainString();
    return s + "s";
  }

  /** The size of a value CEL built, in elements or characters, for the evaluation budget. */
  static long weight(Object v) {
    if (v instanceof String s) {
      return s.length();
    }
    if (v instanceof ObjectView || v instanceof ListView) {
      return 0;
    }
    if (v instanceof java.util.Collection<?> c) {
      return c.size();
    }
    if (v instanceof Map<?, ?> m) {
      return m.size();
    }
    return 0;
  }

  /** A JSON object seen as a CEL map (string keys). Read-only. */
  static final class ObjectView extends AbstractMap<String, Object> {
    final ObjectNode node;

    ObjectView(ObjectNode node) {
      this.node = node;
    }

    @Override
    public boolean containsKey(Object key) {
      return key instanceof String k && node.has(k);
    }

    @Override
    public Object get(Object key) {
      if (!(key instanceof String k)) {
        return null;
      }
      JsonNode v = node.get(k);
      return v == null ? null : toCel(v);
    }

    @Override
    public int size() {
      return node.size();
    }

    @Override
    public Set<Entry<String, Object>> entrySet() {
      return new AbstractSet<>() {
        @Override
        public Iterator<Entry<String, Object>> iterator() {
          Iterator<Map.Entry<String, JsonNode>> it = node.fields();
          return new Iterator<>() {
            @Override
            public boolean hasNext() {
              return it.hasNext();
            }

            @Override
            public Entry<String, Object> next() {
              Map.Entry<String, JsonNode> e = it.next();
              return new SimpleImmutableEntry<>(e.getKey(), toCel(e.getValue()));
            }
          };
        }

        @Override
        public int size() {
          return node.size();
        }
      };
    }
  }

  /** A JSON array seen as a CEL list. Read-only. */
  static final class ListView extends AbstractList<Object> {
    final ArrayNode node;

    ListView(ArrayNode node) {
      this.node = node;
    }

    @Override
    public Object get(int index) {
      if (index < 0 || index >= node.size()) {
        throw new IndexOutOfBoundsException(index);
      }
      return toCel(node.get(index));
    }

    @Override
    public int size() {
      return node.size();
    }
  }
}
