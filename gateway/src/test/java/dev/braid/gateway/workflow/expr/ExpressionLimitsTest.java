package dev.braid.gateway.workflow.expr;

import static dev.braid.gateway.workflow.expr.ExprFixtures.eval;
import static dev.braid.gateway.workflow.expr.ExprFixtures.evalError;
import static dev.braid.gateway.workflow.expr.ExprFixtures.parseError;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The bounds on an expression's size, depth and evaluation cost, each with its message. */
@Timeout(30)
class ExpressionLimitsTest {
  @Test
  void anExpressionOverTheLengthLimitIsRefusedBeforeItIsRead() {
    ExpressionException e = parseError("1+".repeat(3000) + "1");
    assertThat(e.offset()).isZero();
    assertThat(e.getMessage())
        .isEqualTo("the expression is 6001 characters long; the limit is 4096");
  }

  @Test
  void deepNestingIsRejectedNotAStackOverflow() {
    String deep = "(".repeat(100) + "1" + ")".repeat(100);
    assertThat(parseError(deep).getMessage())
        .isEqualTo("the expression is nested more than 64 levels deep");
    assertThat(parseError("[".repeat(100) + "]".repeat(100)).getMessage())
        .contains("nested more than 64");
    assertThat(parseError("input" + ".a".repeat(1000)).getMessage())
        .contains("nested more than 64");
  }

  @Test
  void longOperatorChainsAreBoundedByTheTreeDepth() {
    for (String op : new String[] {"+", "*", "-", "=="}) {
      ExpressionException e = parseError("1" + (" " + op + " 1").repeat(100));
      assertThat(e.getMessage())
          .as(op)
          .isEqualTo("the expression is nested more than 64 levels deep");
    }
  }

  @Test
  void anExpressionAtTheDepthLimitParsesAndEvaluates() {
    assertThat(eval("1" + " + 1".repeat(63)).asLong()).isEqualTo(64);
  }

  @Test
  void macroIterationsAreBounded() {
    ExpressionException e = evalError("range(400).all(i, range(400).all(j, true))");
    assertThat(e.getMessage())
        .isEqualTo(
            "the expression iterates more than 100000 times (map, filter, exists, all...); the"
                + " limit is 100000");
    assertThat(e.offset()).isPositive();
  }

  @Test
  void rangeIsBounded() {
    assertThat(evalError("range(1000000)").getMessage())
        .isEqualTo("range() would make more than 200000 numbers, the limit");
    assertThat(evalError("range(-9223372036854775807, 9223372036854775807)").getMessage())
        .contains("range() would make more than");
  }

  @Test
  void theElementsAnEvaluationBuildsAreBounded() {
    ExpressionException e = evalError("range(9000).map(i, range(50))");
    assertThat(e.getMessage())
        .isEqualTo(
            "the expression builds more than 200000 list elements and object fields; the limit is"
                + " 200000");
  }

  @Test
  void theTextAnEvaluationBuildsIsBounded() {
    String doubling = "input.big" + " + input.big".repeat(49); // 500 characters a time
    ExpressionException e = evalError("range(5000).map(i, " + doubling + ").size()");
    assertThat(e.getMessage())
        .isEqualTo(
            "the expression builds more than 1048576 characters of text; the limit is 1048576");
    assertThat(
            evalError("range(9999).map(i, input.big).join('" + "y".repeat(200) + "')").getMessage())
        .isEqualTo("join() would make 2099790 characters; the limit is 1048576");
  }

  @Test
  void formatHasNoWidthsThatCouldBuildAnySize() {
    assertThat(evalError("'%999999999s'.format(['x'])").getMessage()).contains("unknown clause %9");
  }

  @Test
  void replaceIsNotOfferedAsItsResultCanBeTheSquareOfItsInput() {
    assertThat(evalError("input.big.replace('', input.big)").getMessage())
        .contains("unknown function 'replace'");
  }
}
