package dev.braid.gateway.workflow.expr;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.IntNode;
import java.util.Map;

/** The built-in functions: the only things an expression can call. */
final class Functions {
  /** Name to number of arguments. */
  static final Map<String, Integer> ARITY = Map.of("len", 1, "default", 2, "contains", 2);

  static final String NAMES = "len, default, contains";

  private Functions() {}

  /**
   * {@code len(x)}: characters of a string, elements of a list, fields of an object; 0 for null.
   */
  static JsonNode len(JsonNode v, int pos) {
    if (v.isNull()) {
      return IntNode.valueOf(0);
    }
    if (v.isTextual()) {
      String s = v.textValue();
      return IntNode.valueOf(s.codePointCount(0, s.length()));
    }
    if (v.isContainerNode()) {
      return IntNode.valueOf(v.size());
    }
    throw new ExpressionException(
        pos, "len() needs a string, a list or an object, not " + Values.typeName(v));
  }

  /** {@code contains(haystack, needle)}: substring, list element (by ==), or object key. */
  static JsonNode contains(JsonNode hay, JsonNode needle, int pos) {
    if (hay.isNull()) {
      return BooleanNode.FALSE;
    }
    if (hay.isTextual()) {
      if (!needle.isTextual()) {
        throw new ExpressionException(
            pos, "contains() on a string looks for a string, not " + Values.typeName(needle));
      }
      return BooleanNode.valueOf(hay.textValue().contains(needle.textValue()));
    }
    if (hay.isArray()) {
      for (JsonNode e : hay) {
        if (Evaluator.same(e, needle)) {
          return BooleanNode.TRUE;
        }
      }
      return BooleanNode.FALSE;
    }
    if (hay.isObject()) {
      return BooleanNode.valueOf(needle.isTextual() && hay.has(needle.textValue()));
    }
    throw new ExpressionException(
        pos, "contains() needs a string, a list or an object, not " + Values.typeName(hay));
  }
}
