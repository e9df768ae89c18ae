package dev.braid.gateway.workflow.expr;

import static dev.braid.gateway.workflow.expr.ExprFixtures.VALUES;
import static dev.braid.gateway.workflow.expr.ExprFixtures.assertEval;
import static dev.braid.gateway.workflow.expr.ExprFixtures.eval;
import static dev.braid.gateway.workflow.expr.ExprFixtures.evalError;
import static dev.braid.gateway.workflow.expr.ExprFixtures.parseError;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The expression language (CEL): every feature docs/workflows.md lists, and its errors. */
@Timeout(10)
class ExpressionTest {
  @Test
  void arithmeticBindsTighterThanComparisonWhichBindsTighterThanLogic() {
    assertEval("1 + 2 * 3", "7");
    assertEval("(1 + 2) * 3", "9");
    assertEval("10 - 4 - 3", "3");
    assertEval("-2 * 3 + 7 % 3", "-5");
    assertEval("1 + 2 == 3 && 2 > 1", "true");
    assertEval("true || false && false", "true");
    assertEval("!false && !(1 > 2)", "true");
  }

  @Test
  void integersStayIntegersAndMixWithDoublesAsJsonNumbers() {
    assertThat(eval("7 / 2").isIntegralNumber()).isTrue();
    assertEval("7 / 2", "3");
    assertEval("7 / 2.0", "3.5");
    assertEval("input.price * 2", "5.0");
    assertEval("2 * input.price", "5.0");
    assertEval("input.userId - 0.5", "6.5");
    assertEval("steps.orders[0].total + steps.orders[1].total", "12.5");
    assertEval("double(input.userId) / 2", "3.5");
    assertEval("int(input.price)", "2");
    assertEval("1 < 1.5 && input.price > 2", "true");
  }

  @Test
  void pathsReadJson() {
    assertEval("input.userId", "7");
    assertEval("input[\"user-id\"]", "8");
    assertEval("steps.orders[1].id", "2");
    assertEval("steps['orders'][0].total", "9.5");
    assertThat(eval("steps.none").isNull()).isTrue();
    assertThat(eval("input")).isSameAs(VALUES.lookup("input"));
    assertThat(eval("steps.orders")).isSameAs(VALUES.lookup("steps").get("orders"));
  }

  @Test
  void aMissingFieldIsAnErrorThatNamesTheWaysToReadOneThatMayBeMissing() {
    ExpressionException e = evalError("steps.profile.email");
    assertThat(e.offset()).isEqualTo(13);
    assertThat(e.getMessage())
        .isEqualTo(
            "no field 'email' here; for a field that may be missing write default(x.email,"
                + " fallback), has(x.email) or x.?email.orValue(fallback)");
    assertThat(evalError("steps.orders[5].id").getMessage()).contains("index 5 is past the end");
  }

  @Test
  void defaultGivesTheFallbackForNullMissingFieldsAndIndexesPastTheEnd() {
    assertEval("default(steps.none, 'x')", "\"x\"");
    assertEval("default(steps.profile.email, 'none')", "\"none\"");
    assertEval("default(steps.none.deep.deeper, 0)", "0");
    assertEval("default(steps.orders[5].id, -1)", "-1");
    assertEval("default(steps.orders[1].id, -1)", "2");
    assertEval("default(input.userId, 0)", "7");
    assertEval("default(steps.orders.filter(o, o.id > 5), [])", "[]");
    assertThat(evalError("default(input.name.first, 0)").getMessage())
        .isEqualTo("cannot read 'first' of a string");
  }

  @Test
  void hasAndOptionalsTestForFields() {
    assertEval("has(steps.profile.tier)", "true");
    assertEval("has(steps.profile.email)", "false");
    assertEval("'tier' in steps.profile", "true");
    assertEval("steps.profile.?email.orValue('-')", "\"-\"");
    assertEval("steps.orders[?7].orValue(0)", "0");
  }

  @Test
  void theFunctionsWorkflowsUsedBeforeCelStillWork() {
    assertEval("len(input.tags)", "2");
    assertEval("len(input.name)", "3");
    assertEval("len(steps.none)", "0");
    assertEval("len(steps.profile)", "2");
    assertEval("contains(input.tags, 'b')", "true");
    assertEval("contains(input.name, 'd')", "true");
    assertEval("contains(input, 'userId')", "true");
    assertEval("contains([1, 2], 2.0)", "true");
    assertEval("contains(steps.none, 1)", "false");
    assertThat(evalError("contains(1, 1)").getMessage())
        .isEqualTo("contains() needs a string, a list or an object, not an integer");
  }

  @Test
  void ternaryAndBooleanOperatorsTakeBooleans() {
    assertEval("input.userId > 5 ? 'big' : 'small'", "\"big\"");
    assertEval("false && 1 / 0 == 1", "false");
    assertEval("true || 1 / 0 == 1", "true");
    ExpressionException literal = evalError("input.userId > 1 && 'x' || null");
    assertThat(literal.offset()).isEqualTo(17);
    assertThat(literal.getMessage())
        .isEqualTo("'&&' takes booleans (true or false), not (bool, string)");
    ExpressionException runtime = evalError("input.name && true");
    assertThat(runtime.offset()).isEqualTo(5); // the operand at fault: input.name
    assertThat(runtime.getMessage())
        .isEqualTo("&&, ||, ! and the condition of ?: take booleans (true or false), not Ada");
    assertThat(evalError("input.name ? 1 : 2").getMessage()).contains("take booleans");
  }

  @Test
  void macrosMapFilterExistsAll() {
    assertEval("steps.orders.map(o, o.id)", "[1, 2]");
    assertEval("steps.orders.filter(o, o.total > 5).map(o, o.id)", "[1]");
    assertEval("input.tags.exists(t, t == 'b')", "true");
    assertEval("input.tags.all(t, t.size() == 1)", "true");
    assertEval("input.tags.exists_one(t, t == 'a')", "true");
    assertEval("steps.orders.map(o, o.total > 5, o.id)", "[1]");
  }

  @Test
  void objectsAndListsAreBuiltAndMerged() {
    assertEval(
        "{'id': input.userId, 'tags': input.tags + ['c']}",
        "{\"id\": 7, \"tags\": [\"a\", \"b\", \"c\"]}");
    assertEval(
        "merge(steps.profile, {'tier': 'platinum', 'id': 7})",
        "{\"name\": \"Ada\", \"tier\": \"platinum\", \"id\": 7}");
    assertEval("[1, [2, 3]].flatten()", "[1, 2, 3]");
    assertEval("[3, 1, 2].sort()", "[1, 2, 3]");
    assertEval("[1, 2, 2].distinct()", "[1, 2]");
    assertEval("[1, 2, 3].slice(1, 3)", "[2, 3]");
  }

  @Test
  void stringFunctions() {
    assertEval("'Ada Lovelace'.lower()", "\"ada lovelace\"");
    assertEval("'straße'.upper()", "\"STRASSE\"");
    assertEval("'a,b,c'.split(',')", "[\"a\", \"b\", \"c\"]");
    assertEval("input.tags.join('+')", "\"a+b\"");
    assertEval("input.tags.join()", "\"ab\"");
    assertEval(
        "'%s is %d, %.2f%%'.format([input.name, input.userId, input.price])",
        "\"Ada is 7, 2.50%\"");
    assertEval("'%x %o %b %e'.format([255, 8, 5, 1500.0])", "\"ff 10 101 1.500000e+03\"");
    assertEval("input.name.startsWith('A') && input.name.endsWith('a')", "true");
    assertEval("input.name.matches('^[A-Z][a-z]+$')", "true");
    assertEval("'  x '.trim() + 'abc'.substring(1) + 'abc'.charAt(0)", "\"xbca\"");
    assertEval("'user ' + string(input.userId)", "\"user 7\"");
    assertThat(evalError("'%d'.format(['x'])").getMessage())
        .isEqualTo("format(): %d cannot format a string");
    assertThat(evalError("'%d %d'.format([1])").getMessage())
        .contains("more clauses than the 1 arguments");
  }

  @Test
  void rangeMinMaxSum() {
    assertEval("range(4)", "[0, 1, 2, 3]");
    assertEval("range(2, 5)", "[2, 3, 4]");
    assertEval(
        "range(3).map(i, input.tags.size() > i ? input.tags[i] : '-')", "[\"a\", \"b\", \"-\"]");
    assertEval("min([3, 1, 2])", "1");
    assertEval("max(steps.orders.map(o, o.total))", "9.5");
    assertEval("min(['b', 'a'])", "\"a\"");
    assertEval("sum([1, 2, 3])", "6");
    assertEval("sum(steps.orders.map(o, o.total))", "12.5");
    assertEval("sum([])", "0");
    assertEval("math.greatest(1, input.userId)", "7");
    assertThat(evalError("max([])").getMessage()).isEqualTo("max() of an empty list");
    assertThat(evalError("sum(['a'])").getMessage()).isEqualTo("sum() needs numbers, not a string");
  }

  @Test
  void typeChecks() {
    assertEval("type(input.name) == string", "true");
    assertEval("type(input.userId) == int && type(input.price) == double", "true");
    assertEval("type(steps.orders) == list && type(steps.profile) == map", "true");
    assertEval("type(steps.none) == null_type", "true");
    assertEval("type(input.name)", "\"string\"");
  }

  @Test
  void timestampsAndDurations() {
    assertEval("timestamp('2024-01-01T00:00:00Z') + duration('90m')", "\"2024-01-01T01:30:00Z\"");
    assertEval("timestamp('2024-03-01T10:00:00Z') - timestamp('2024-03-01T09:59:30Z')", "\"30s\"");
    assertEval("duration('1h') > duration('59m')", "true");
    assertEval("timestamp('2024-03-01T10:00:00Z').getHours()", "10");
    assertEval("duration('1500ms')", "\"1.5s\"");
  }

  @Test
  void equalityIsDeep() {
    assertEval("[1, 'a'] == [1, 'a']", "true");
    assertEval("steps.profile == {'name': 'Ada', 'tier': 'gold'}", "true");
    assertEval("steps.none == null", "true");
    assertEval("'b' > 'a'", "true");
  }

  @Test
  void typeErrorsAtEvaluationNameTheOperatorAndTheTypes() {
    ExpressionException cmp = evalError("input.name < input.userId");
    assertThat(cmp.offset()).isEqualTo(11);
    assertThat(cmp.getMessage()).isEqualTo("'<' cannot take (string, int)");
    assertThat(evalError("input.userId / 0").getMessage()).isEqualTo("division by zero");
    assertThat(evalError("input.tags - 1").getMessage()).isEqualTo("'-' cannot take (list, int)");
    assertThat(evalError("input.name + input.userId").getMessage())
        .isEqualTo("'+' cannot take (string, int); turn the other value into text with string(x)");
    ExpressionException unbound = evalError("nobody.x");
    assertThat(unbound.offset()).isZero();
    assertThat(unbound.getMessage()).isEqualTo("unknown name 'nobody'");
  }

  @Test
  void parseErrorsPointAtTheOffendingColumn() {
    assertThat(parseError("1 +").offset()).isEqualTo(3);
    assertThat(parseError("1 +").getMessage())
        .isEqualTo("the expression ends too early: expected a value");
    assertThat(parseError("(1 + 2").offset()).isEqualTo(6);
    assertThat(parseError("'abc").offset()).isZero();
    assertThat(parseError("  ").getMessage()).isEqualTo("empty expression");
    assertThat(parseError("input = 1").getMessage())
        .isEqualTo("'=' is not an operator: write == to compare");
    assertThat(parseError("(1 + 2").getMessage())
        .isEqualTo("expected ')', found the end of the expression");
  }

  @Test
  void typeErrorsOfLiteralsAndUnknownFunctionsAreFoundBeforeTheValuesAreRead() {
    ExpressionException unknown = evalError("lne(input.tags)");
    assertThat(unknown.offset()).isZero();
    assertThat(unknown.getMessage()).isEqualTo("unknown function 'lne'; did you mean 'len'?");
    assertThat(evalError("'x' * 2").getMessage()).isEqualTo("'*' cannot take (string, int)");
    assertThat(evalError("default(1)").getMessage())
        .isEqualTo("wrong call of default(): write default(x, fallback)");
    assertThat(evalError("upper('x')").getMessage())
        .isEqualTo("upper() cannot take (string); write text.upper()");
  }

  @Test
  void referencesListEveryNameWithItsStaticPath() {
    List<Reference> refs =
        Expression.parse("steps.orders[0].id + len(input['user-id'])").references();
    assertThat(refs)
        .extracting(Reference::root, Reference::path, Reference::dynamic)
        .containsExactly(
            Tuple.tuple("steps", List.of("orders", 0, "id"), false),
            Tuple.tuple("input", List.of("user-id"), false));
    assertThat(refs.get(0).pos()).isZero();
    assertThat(refs.get(0).headPos()).isEqualTo(6);
    assertThat(refs.get(1).pos()).isEqualTo(25);
    assertThat(refs.get(1).headPos()).isEqualTo(31);
  }

  @Test
  void computedIndexesEndTheStaticPathAndAreListedToo() {
    List<Reference> refs = Expression.parse("steps.a[input.i].b").references();
    assertThat(refs).hasSize(2);
    assertThat(refs.get(0).root()).isEqualTo("steps");
    assertThat(refs.get(0).path()).containsExactly("a");
    assertThat(refs.get(0).dynamic()).isTrue();
    assertThat(refs.get(1).path()).containsExactly("i");
    assertThat(Expression.parse("[steps.b, 1][0]").references())
        .extracting(Reference::root, Reference::path)
        .containsExactly(Tuple.tuple("steps", List.of("b")));
    assertThat(Expression.parse("1 + 2").references()).isEmpty();
    assertThat(Expression.parse("steps").references().get(0).head()).isNull();
  }

  @Test
  void macroVariablesAreNotReferencesButWhatTheyIterateIs() {
    List<Reference> refs =
        Expression.parse("steps.orders.map(o, o.id + input.userId).exists(x, x > 1)").references();
    assertThat(refs)
        .extracting(Reference::root, Reference::path)
        .containsExactly(
            Tuple.tuple("steps", List.of("orders")), Tuple.tuple("input", List.of("userId")));
  }

  @Test
  void defaultReadsThePathItWasGiven() {
    Reference r = Expression.parse("default(steps.profile.email, '')").references().get(0);
    assertThat(r.root()).isEqualTo("steps");
    assertThat(r.path()).containsExactly("profile", "email");
    assertThat(r.pos()).isEqualTo(8);
    assertThat(r.headPos()).isEqualTo(14);
    assertThat(Expression.parse("has(steps.b.c)").references().get(0).path())
        .containsExactly("b", "c");
  }

  @Test
  void aPlainPathIsKnownAsOne() {
    assertThat(Expression.parse("input.x").path()).isPresent();
    assertThat(Expression.parse("steps.a[0].b").path()).isPresent();
    assertThat(Expression.parse("input.x + 1").path()).isEmpty();
    assertThat(Expression.parse("steps.a[input.i]").path()).isEmpty();
  }

  @Test
  void resultsAreJson() {
    assertEval("{'a': [1, 2.5, 'x', true, null]}", "{\"a\": [1, 2.5, \"x\", true, null]}");
    assertThat(eval("{'a': 1}").get("a").isIntegralNumber()).isTrue();
    assertEval("{1: 'one'}", "{\"1\": \"one\"}");
  }
}
