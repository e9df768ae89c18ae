package dev.braid.gateway.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.braid.model.FailureCode;
import org.junit.jupiter.api.Test;

/** {@code set:} shapes data without a call; {@code raise:} fails with a chosen failure record. */
class SetRaiseTest extends EngineTestBase {

  @Test
  void setEvaluatesItsValueIntoTheStepsResult() throws Exception {
    JsonNode r =
        run(
            """
            input: { n: integer }
            steps:
              price: { call: python:engine_funcs:echo, args: [20] }
              order:
                set:
                  total: "${{ steps.price * input.n }}"
                  items: ["${{ input.n }}", fixed]
                  label: "n=${{ input.n }}"
            output: "${{ steps.order }}"
            """,
            input("n", 3));

    assertJson(r, "{'total': 60, 'items': [3, 'fixed'], 'label': 'n=3'}");
  }

  @Test
  void raiseFailsWithTheCodeTypeMessageAndDetailsWritten() throws Exception {
    StepFailedException f =
        runFailing(
            """
            input: { sku: string }
            steps:
              refuse:
                raise:
                  code: INVALID_ARGUMENT
                  type: OutOfStock
                  message: "no stock for ${{ input.sku }}"
                  details: { sku: "${{ input.sku }}", left: 0 }
            """,
            input("sku", "A-1"));

    assertThat(f.step()).isEqualTo("refuse");
    assertThat(f.failure().code()).isEqualTo(FailureCode.INVALID_ARGUMENT);
    assertThat(f.failure().type()).isEqualTo("OutOfStock");
    assertThat(f.failure().message()).isEqualTo("no stock for A-1");
    assertJson(JSON.readTree(f.failure().detailsJson()), "{'sku': 'A-1', 'left': 0}");
    assertThat(f.failure().retryable()).isFalse();
  }

  @Test
  void raiseWithoutCodeIsAnApplicationFailure() throws Exception {
    StepFailedException f = runFailing("steps:\n  no: { raise: { message: nope } }\n", input());

    assertThat(f.failure().code()).isEqualTo(FailureCode.APPLICATION);
    assertThat(f.failure().type()).isEqualTo("WorkflowError");
    assertThat(f.failure().language()).isEqualTo("workflow");
  }

  @Test
  void raiseOfACaughtErrorRethrowsItAsItIs() throws Exception {
    StepFailedException f =
        runFailing(
            """
            steps:
              guarded:
                try:
                  steps:
                    boom: { call: python:engine_funcs:fail, args: [kaput] }
                catch:
                  steps:
                    again: { raise: "${{ error }}" }
            """,
            input());

    assertThat(f.failure().code()).isEqualTo(FailureCode.APPLICATION);
    assertThat(f.failure().type()).isEqualTo("ValueError");
    assertThat(f.failure().message()).isEqualTo("kaput");
    assertThat(f.failure().language()).isEqualTo("python");
    assertThat(f.failure().stack()).contains("engine_funcs");
  }

  @Test
  void aCodeFromAnExpressionThatIsNoFailureCodeFailsSayingSo() throws Exception {
    StepFailedException f =
        runFailing(
            """
            input: { c: string }
            steps:
              no: { raise: { code: "${{ input.c }}", message: x } }
            """,
            input("c", "TEAPOT"));

    assertThat(f.failure().code()).isEqualTo(FailureCode.INVALID_ARGUMENT);
    assertThat(f.failure().message()).contains("'TEAPOT' is not a failure code");
  }
}
