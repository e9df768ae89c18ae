package dev.braid.gateway.workflow;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;

/** The types an input field can declare; written in lower case in files. */
public enum ValueType {
  STRING,
  INTEGER,
  NUMBER,
  BOOLEAN,
  OBJECT,
  ARRAY,
  ANY;

  /** Whether {@code v} is of this type. Integers are numbers too; only {@code any} admits null. */
  public boolean admits(JsonNode v) {
    return switch (this) {
      case STRING -> v.isTextual();
      case INTEGER ->
          v.isIntegralNumber()
              || (v.isNumber() && v.decimalValue().stripTrailingZeros().scale() <= 0);
      case NUMBER -> v.isNumber();
      case BOOLEAN -> v.isBoolean();
      case OBJECT -> v.isObject();
      case ARRAY -> v.isArray();
      case ANY -> true;
    };
  }

  /** Whether a value of this type can have fields or elements (so {@code input.x.y} may work). */
  public boolean hasFields() {
    return this == OBJECT || this == ARRAY || this == ANY;
  }

  /** The word used in files: {@code integer}. */
  public String word() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** "a string", "an integer", ... for messages. */
  public String article() {
    return switch (this) {
      case INTEGER, OBJECT, ARRAY -> "an " + word();
      case ANY -> "any value";
      default -> "a " + word();
    };
  }
}
