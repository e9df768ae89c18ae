package dev.braid.gateway.workflow.expr;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The expression language: parsing, precedence, evaluation, errors, references. */
@Timeout(10)
class ExpressionTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode json(String s) {
    try {
      return JSON.readTree(s);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static final Bindings VALUES =
      Bindings.of(
          Map.of(
              "input",
              json("{\"userId\": 7, \"name\": \"Ada\", \"user-id\": 8, \"tags\": [\"a\", \"b\"]}"),
              "steps",
              json("{\"orders\": [{\"id\": 1, \"total\": 9.5}, {\"id\": 2}], \"none\": null}")));

  /** Evaluates {@code source} and compares with {@code expected} as JSON numbers compare. */
  private static void assertEval(String source, String expected) {
    JsonNode actual = eval(source);
    assertThat(Evaluator.same(actual, json(expected)))
        .as("%s gave %s, expected %s", source, actual, expected)
        .isTrue();
  }

  private static JsonNode eval(String source) {
    return Expression.parse(source).evaluate(VALUES);
  }

  private static ExpressionException parseError(String source) {
    try {
      Expression.parse(source);
    } catch (ExpressionException e) {
      return e;
    }
    throw new AssertionError("parsed: " + source);
  }

  private static ExpressionException evalError(String source) {
    try {
      eval(source);
    } catch (ExpressionException e) {
      return e;
    }
    throw new AssertionError("evaluated: " + source);
  }

  @Test
  void arithmeticBindsTighterThanComparisonWhichBindsTighterThanLogic() {
    assertEval("1 + 2 * 3", "7");
    assertEval("(1 + 2) * 3", "9");
    assertEval("10 - 4 - 3", "3");
    assertEval("8 / 2 / 2", "2");
    assertEval("-2 * 3 + 7 % 3", "-5");
    assertEval("1 + 2 == 3 && 2 > 1", "true");
    assertEval("true || false && false", "true");
    assertEval("!false && !(1 > 2)", "true");
    assertEval("1 < 2 == true", "true");
  }

  @Test
  void numbersStayWholeWhenTheResultIs() {
    assertThat(eval("6 / 2").isIntegralNumber()).isTrue();
    assertEval("7 / 2", "3.5");
    assertThat(eval("1.5 + 1.5").doubleValue()).isEqualTo(3.0);
    assertThat(eval("9223372036854775807 + 1").isDouble()).isTrue();
  }

  @Test
  void pathsReadJsonAndMissingPartsAreNull() {
    assertEval("input.userId", "7");
    assertEval("input[\"user-id\"]", "8");
    assertEval("steps.orders[1].id", "2");
    assertEval("steps['orders'][0].total", "9.5");
    assertThat(eval("steps.orders[5].id").isNull()).isTrue();
    assertThat(eval("steps.none.deep.deeper").isNull()).isTrue();
    assertThat(eval("input.nothing").isNull()).isTrue();
    assertThat(eval("input")).isEqualTo(VALUES.lookup("input"));
  }

  @Test
  void functions() {
    assertEval("len(input.tags)", "2");
    assertEval("len(input.name)", "3");
    assertEval("len(steps.none)", "0");
    assertEval("default(steps.none, 'x')", "\"x\"");
    assertEval("default(input.userId, 1 / 0)", "7");
    assertEval("contains(input.tags, 'b')", "true");
    assertEval("contains(input.name, 'd')", "true");
    assertEval("contains(input, 'userId')", "true");
    assertEval("contains([1, 2], 2.0)", "true");
  }

  @Test
  void equalityIsDeepAndDoesNotConvertTypes() {
    assertEval("1 == 1.0", "true");
    assertEval("1 == '1'", "false");
    assertEval("[1, 'a'] == [1, 'a']", "true");
    assertEval("steps.none == null", "true");
    assertEval("'b' > 'a'", "true");
  }

  @Test
  void plusJoinsStringsAndLists() {
    assertEval("'user ' + input.userId", "\"user 7\"");
    assertEval("input.tags + ['c']", "[\"a\",\"b\",\"c\"]");
  }

  @Test
  void logicShortCircuitsAndGivesBooleans() {
    assertEval("false && 1 / 0 == 1", "false");
    assertEval("true || 1 / 0 == 1", "true");
    assertEval("input.name && 0", "false");
    assertEval("!''", "true");
    assertThat(Values.truthy(json("[]"))).isFalse();
    assertThat(Values.truthy(json("{}"))).isFalse();
    assertThat(Values.truthy(json("\"false\""))).isTrue();
  }

  @Test
  void parseErrorsPointAtTheOffendingColumn() {
    assertThat(parseError("1 +").offset()).isEqualTo(3);
    assertThat(parseError("1 +").getMessage()).contains("ends too early");
    assertThat(parseError("a = b").offset()).isEqualTo(2);
    assertThat(parseError("a = b").getMessage()).contains("write ==");
    assertThat(parseError("1 2").getMessage()).contains("unexpected '2'");
    assertThat(parseError("(1 + 2").getMessage()).contains("expected ')'");
    assertThat(parseError("'abc").offset()).isZero();
    assertThat(parseError("'abc").getMessage()).contains("unterminated string");
    assertThat(parseError("a < b < c").offset()).isEqualTo(6);
    assertThat(parseError("x ? y : z").getMessage()).contains("no ?: operator");
    assertThat(parseError("  ").getMessage()).isEqualTo("empty expression");
    assertThat(parseError("1abc").getMessage()).contains("invalid number");
    assertThat(parseError("'\\q'").getMessage()).contains("unknown escape");
  }

  @Test
  void onlyTheBuiltInFunctionsExist() {
    ExpressionException unknown = parseError("lne(input.tags)");
    assertThat(unknown.offset()).isZero();
    assertThat(unknown.getMessage()).contains("unknown function 'lne'; did you mean 'len'?");
    assertThat(parseError("len(1, 2)").getMessage()).isEqualTo("len() takes 1 argument, got 2");
    assertThat(parseError("default(1)").getMessage()).contains("takes 2 arguments, got 1");
  }

  @Test
  void valuesHaveNoMethodsAndFieldsAreOnlyJsonFields() {
    ExpressionException call = parseError("steps.orders.getClass()");
    assertThat(call.offset()).isEqualTo(21);
    assertThat(call.getMessage()).contains("values have no methods");
    assertThat(parseError("input.name.length()").getMessage()).contains("no methods");
    // a field named like a Java member is just a (missing) JSON field
    assertThat(eval("input.class").isNull()).isTrue();
    assertThat(evalError("steps.orders.size").getMessage())
        .isEqualTo("cannot read field 'size' of a list");
    ExpressionException field = evalError("input.name.length");
    assertThat(field.getMessage()).isEqualTo("cannot read field 'length' of a string");
    assertThat(field.offset()).isEqualTo(11);
  }

  @Test
  void typeErrorsAtEvaluationPointAtTheOperator() {
    ExpressionException cmp = evalError("input.name < 1");
    assertThat(cmp.offset()).isEqualTo(11);
    assertThat(cmp.getMessage()).isEqualTo("cannot compare a string with an integer using <");
    assertThat(evalError("input.userId / 0").getMessage()).isEqualTo("division by zero");
    assertThat(evalError("input.tags - 1").getMessage()).contains("'-' needs numbers, not a list");
    assertThat(evalError("input.tags['x']").getMessage()).contains("list index must be an integer");
    assertThat(evalError("nobody").getMessage()).isEqualTo("unknown name 'nobody'");
  }

  @Test
  void deepNestingIsRejectedNotAStackOverflow() {
    String deep = "(".repeat(500) + "1" + ")".repeat(500);
    assertThat(parseError(deep).getMessage()).contains("nested more than 64 levels deep");
    assertThat(parseError("!".repeat(500) + "true").getMessage())
        .contains("nested more than 64 levels deep");
  }

  @Test
  void longOperatorChainsAreBoundedByTheTreeDepthNotOnlyTheParsersRecursion() {
    // parsed by loops, but the trees they make are walked recursively
    for (String op : List.of(" + ", " && ", " == ", " * ", " || ")) {
      String chain = "1" + (op + "1").repeat(500);
      ExpressionException e = parseError(chain);
      assertThat(e.getMessage())
          .as(op)
          .isEqualTo("the expression is nested more than 64 levels deep");
      assertThat(e.offset()).as(op).isEqualTo(1 + 63 * (op.length() + 1) + 1);
    }
    assertThat(parseError("input" + ".a".repeat(1000)).offset()).isEqualTo(5 + 63 * 2 + 1);
    assertThat(parseError("input" + "[0]".repeat(1000)).offset()).isEqualTo(5 + 63 * 3);
    assertThat(parseError("[".repeat(100) + "]".repeat(100)).getMessage())
        .contains("nested more than 64 levels deep");
  }

  @Test
  void anExpressionAtTheLimitsParsesAndEvaluates() {
    String chain = "1" + " + 1".repeat(63);
    assertThat(eval(chain).asLong()).isEqualTo(64);
    assertThat(Expression.parse("input" + ".a".repeat(63)).references().get(0).path()).hasSize(63);
  }

  @Test
  void anExpressionOverTheLengthLimitIsRefusedBeforeItIsRead() {
    ExpressionException e = parseError("'" + "x".repeat(5000) + "'");
    assertThat(e.offset()).isZero();
    assertThat(e.getMessage())
        .isEqualTo("the expression is 5002 characters long; the limit is 4096");
  }

  @Test
  void referencesListEveryNameWithItsStaticPath() {
    List<Reference> refs =
        Expression.parse("steps.orders[0].id + input.userId > len(order.items)").references();
    assertThat(refs)
        .extracting(Reference::root, Reference::path, Reference::dynamic)
        .containsExactly(
            Tuple.tuple("steps", List.of("orders", 0, "id"), false),
            Tuple.tuple("input", List.of("userId"), false),
            Tuple.tuple("order", List.of("items"), false));
    assertThat(refs.get(0).pos()).isZero();
    assertThat(refs.get(0).headPos()).isEqualTo(6);
    assertThat(refs.get(1).pos()).isEqualTo(21);
  }

  @Test
  void computedIndexesEndTheStaticPathAndAreListedToo() {
    List<Reference> refs = Expression.parse("steps.a[input.i].x").references();
    assertThat(refs).hasSize(2);
    assertThat(refs.get(0).root()).isEqualTo("steps");
    assertThat(refs.get(0).path()).containsExactly("a");
    assertThat(refs.get(0).dynamic()).isTrue();
    assertThat(refs.get(1).path()).containsExactly("i");
    assertThat(Expression.parse("[steps.b, 1][0]").references())
        .extracting(Reference::root, Reference::head)
        .containsExactly(Tuple.tuple("steps", "b"));
    assertThat(Expression.parse("1 + 'x'").references()).isEmpty();
    assertThat(Expression.parse("steps").references().get(0).head()).isNull();
  }
}
