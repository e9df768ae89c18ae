package dev.braid.gateway.workflow.expr;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;

/** Values and helpers shared by the expression tests. */
final class ExprFixtures {
  private static final ObjectMapper JSON = new ObjectMapper();

  static final Bindings VALUES =
      Bindings.of(
          Map.of(
              "input",
              json(
                  "{\"userId\": 7, \"name\": \"Ada\", \"user-id\": 8, \"tags\": [\"a\", \"b\"],"
                      + " \"price\": 2.5, \"big\": \"xxxxxxxxxx\"}"),
              "steps",
              json(
                  "{\"orders\": [{\"id\": 1, \"total\": 9.5}, {\"id\": 2, \"total\": 3}],"
                      + " \"none\": null, \"profile\": {\"name\": \"Ada\", \"tier\": \"gold\"}}")));

  private ExprFixtures() {}

  static JsonNode json(String s) {
    try {
      return JSON.readTree(s);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static JsonNode eval(String source) {
    return Expression.parse(source).evaluate(VALUES);
  }

  /** Evaluates {@code source} and compares with {@code expected}, 1 and 1.0 being equal. */
  static void assertEval(String source, String expected) {
    JsonNode actual = eval(source);
    JsonNode want = json(expected);
    assertThat(
            actual.equals(
                (a, b) ->
                    a.isNumber() && b.isNumber()
                        ? Double.compare(a.doubleValue(), b.doubleValue())
                        : a.equals(b) ? 0 : 1,
                want))
        .as("%s gave %s, expected %s", source, actual, expected)
        .isTrue();
  }

  static ExpressionException parseError(String source) {
    try {
      Expression.parse(source);
    } catch (ExpressionException e) {
      return e;
    }
    throw new AssertionError("parsed: " + source);
  }

  static ExpressionException evalError(String source) {
    Expression e = Expression.parse(source);
    try {
      e.evaluate(VALUES);
    } catch (ExpressionException ex) {
      return ex;
    }
    throw new AssertionError("evaluated: " + source);
  }
}
