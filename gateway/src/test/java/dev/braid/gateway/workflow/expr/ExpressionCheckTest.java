package dev.braid.gateway.workflow.expr;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link Expression#check}: type errors found before running, from the declared input types. */
@Timeout(10)
class ExpressionCheckTest {
  private static final Scope SCOPE =
      Scope.empty()
          .withObject(
              "input",
              Map.of(
                  "name", Scope.Type.STRING,
                  "n", Scope.Type.INTEGER,
                  "price", Scope.Type.NUMBER,
                  "ok", Scope.Type.BOOLEAN,
                  "items", Scope.Type.LIST))
          .with("steps", Scope.Type.OBJECT)
          .with("item", Scope.Type.ANY);

  private static List<ExpressionException> check(String source) {
    return Expression.parse(source).check(SCOPE);
  }

  @Test
  void wellTypedExpressionsPass() {
    assertThat(check("input.ok && input.n > 1 ? input.name.upper() : 'x'")).isEmpty();
    assertThat(check("input.price * 2 + input.n")).isEmpty();
    assertThat(check("input.items.map(i, i.id)")).isEmpty();
    assertThat(check("steps.a.b && item.c")).isEmpty();
  }

  @Test
  void aNonBooleanOperandOfATypedInputIsACheckError() {
    List<ExpressionException> errors = check("input.name && true");
    assertThat(errors).hasSize(1);
    assertThat(errors.get(0).offset()).isEqualTo(11);
    assertThat(errors.get(0).getMessage())
        .isEqualTo("'&&' takes booleans (true or false), not (string, bool)");
  }

  @Test
  void arithmeticOnATypedStringIsACheckError() {
    List<ExpressionException> errors = check("input.name * 2");
    assertThat(errors)
        .extracting(Throwable::getMessage)
        .containsExactly("'*' cannot take (string, int)");
  }

  @Test
  void anUndeclaredInputFieldIsACheckError() {
    assertThat(check("input.nmae + 1"))
        .extracting(Throwable::getMessage)
        .containsExactly("undefined field 'nmae'");
  }

  @Test
  void namesOutsideTheScopeAreLeftToTheCaller() {
    assertThat(check("nobody + 1")).isEmpty();
  }
}
