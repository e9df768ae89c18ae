package dev.braid.gateway.workflow.expr;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import java.util.Locale;

/** How the expression language sees JSON values: type names, truth, text. */
public final class Values {
  private Values() {}

  /**
   * Whether a value counts as true in the loose sense of many languages: false, null, 0, the empty
   * string, the empty list and the empty object are false; everything else is true. Not what {@code
   * if:} or the boolean operators of expressions use: they take booleans only.
   */
  public static boolean truthy(JsonNode v) {
    if (v == null || v.isNull() || v.isMissingNode()) {
      return false;
    }
    if (v.isBoolean()) {
      return v.booleanValue();
    }
    if (v.isNumber()) {
      return v.doubleValue() != 0;
    }
    if (v.isTextual()) {
      return !v.textValue().isEmpty();
    }
    if (v.isContainerNode()) {
      return v.size() > 0;
    }
    return true;
  }

  /**
   * The message for an {@code if:} whose value is not a boolean, after "if: needs true or false".
   */
  public static String notACondition(JsonNode v) {
    return "if: needs true or false, but the expression gave "
        + typeName(v)
        + "; compare explicitly, e.g. size(x) > 0 or x != null";
  }

  /**
   * The text a value becomes when interpolated into a longer string: strings as they are, null as
   * nothing, everything else as compact JSON.
   */
  public static String text(JsonNode v) {
    if (v == null || v.isNull() || v.isMissingNode()) {
      return "";
    }
    return v.isTextual() ? v.textValue() : v.toString();
  }

  /** The value's type in words, for messages: "a string", "an integer", "null", ... */
  public static String typeName(JsonNode v) {
    if (v == null || v.isNull() || v.isMissingNode()) {
      return "null";
    }
    if (v.isIntegralNumber()) {
      return "an integer";
    }
    JsonNodeType t = v.getNodeType();
    return switch (t) {
      case NUMBER -> "a number";
      case STRING -> "a string";
      case BOOLEAN -> "a boolean";
      case ARRAY -> "a list";
      case OBJECT -> "an object";
      default -> "a " + t.name().toLowerCase(Locale.ROOT);
    };
  }
}
