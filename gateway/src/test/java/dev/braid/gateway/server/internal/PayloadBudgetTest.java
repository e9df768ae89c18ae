package dev.braid.gateway.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.grpc.Status;
import org.junit.jupiter.api.Test;

/** The budget of payload bytes held for requests in flight. */
class PayloadBudgetTest {

  @Test
  void reservationsPastTheLimitAreShedAndClosingGivesTheBytesBack() {
    PayloadBudget b = new PayloadBudget(1000);
    PayloadBudget.Hold a = b.reserve(600, "call");
    Status s = Status.fromThrowable(catchThrowable(() -> b.reserve(500, "script")));
    assertThat(s.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(s.getDescription())
        .contains("this script needs 500")
        .contains("--max-inflight-bytes 1000");
    assertThat(b.shed()).isEqualTo(1);

    a.close();
    a.close();
    assertThat(b.used()).isZero();
    PayloadBudget.Hold c = b.reserve(1000, "run");
    assertThat(b.used()).isEqualTo(1000);
    c.close();
    assertThat(b.used()).isZero();
  }

  @Test
  void resultsGrowAHoldWithoutACheckAndShedNewRequestsMeanwhile() {
    PayloadBudget b = new PayloadBudget(1000);
    PayloadBudget.Hold a = b.reserve(100, "call");
    a.grow(950);
    assertThat(b.used()).isEqualTo(1050);
    assertThat(Status.fromThrowable(catchThrowable(() -> b.reserve(1, "call"))).getCode())
        .isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    a.shrink(950);
    assertThat(b.used()).isEqualTo(100);
    a.grow(10);
    a.close();
    // after close, neither grow nor shrink counts
    a.grow(10);
    a.shrink(5);
    assertThat(b.used()).isZero();
    assertThat(b.peak()).isEqualTo(1050);
  }

  @Test
  void wireSizeCountsUtf8Bytes() {
    assertThat(ServerLimits.wireSize("\"abc\"")).isEqualTo(5);
    assertThat(ServerLimits.wireSize("é")).isEqualTo(2);
    assertThat(ServerLimits.wireSize("€")).isEqualTo(3);
    assertThat(ServerLimits.wireSize("😀")).isEqualTo(4);
  }
}
