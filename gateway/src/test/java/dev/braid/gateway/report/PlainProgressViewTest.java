package dev.braid.gateway.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.braid.gateway.engine.RunEvent.Status;
import dev.braid.model.Failure;
import dev.braid.model.FailureCode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code braid run} progress without a terminal: one plain line per meaningful event. */
@Timeout(10)
class PlainProgressViewTest {

  private static List<String> lines(Runs.Seq run) {
    StringWriter err = new StringWriter();
    try (ProgressView view = ProgressView.create(new PrintWriter(err), false)) {
      run.feed(view);
    }
    assertThat(err.toString()).doesNotContain("\u001b");
    return err.toString().lines().toList();
  }

  @Test
  void concurrentStepsRetryAndSkipAreEachOneLineInEventOrder() {
    assertThat(lines(Runs.succeeding()))
        .containsExactly(
            "  0.000s  run                started",
            "  0.012s  profile            started   python:shop:get_profile",
            "  0.015s  fanout             started   parallel",
            "  0.016s  fanout.a           started   node:pricing:quote",
            "  0.017s  fanout.b           started   java:dev.braid.examples.Tax:rate",
            "  0.040s  fanout.b           ok        23ms",
            "  0.066s  fanout.a           retry     attempt 1 failed (DEADLINE_EXCEEDED"
                + " DeadlineExceeded: attempt timed out after 50ms); next in 200ms",
            "  0.140s  profile            ok        128ms",
            "  0.266s  fanout.a           attempt   2",
            "  0.300s  fanout.a           ok        284ms (2 attempts)",
            "  0.301s  fanout             ok        286ms",
            "  0.302s  audit              skipped",
            "  0.310s  run                ok        310ms");
  }

  @Test
  void descriptionsAreShownBesideTheStepAndItsLoopItems() {
    StringWriter err = new StringWriter();
    Map<String, String> described =
        Map.of("profile", "Fetch the user's\nprofile", "prices.do", "Quote one order");
    try (ProgressView view = ProgressView.create(new PrintWriter(err), false, described)) {
      Runs.succeeding().feed(view);
      Runs.cancelled(true).feed(view);
    }
    assertThat(err.toString().lines())
        .contains(
            "  0.012s  profile            started   python:shop:get_profile  (Fetch the user's"
                + " profile)",
            "  0.003s  prices.do[1]       started   node:pricing:quote  (Quote one order)");
  }

  @Test
  void anOkRunSaysItsFailedStepsWereHandled() {
    assertThat(lines(Runs.handledFailure(false)))
        .last()
        .isEqualTo("  0.030s  run                ok        30ms  (1 failed, handled)");
  }

  @Test
  void failureShowsHeadlinesAndTheRunLineNamesTheStepWhereItHappened() {
    assertThat(lines(Runs.failing()))
        .containsExactly(
            "  0.000s  run                started",
            "  0.005s  checkout           started   parallel",
            "  0.010s  checkout.pay       started   python:shop:pay",
            "  0.011s  checkout.ship      started   node:shipping:book",
            "  0.100s  checkout.pay       retry     attempt 1 failed (APPLICATION ValueError:"
                + " declined); next in 200ms",
            "  0.300s  checkout.pay       attempt   2",
            "  0.400s  checkout.pay       failed    390ms (2 attempts)  APPLICATION ValueError:"
                + " declined",
            "  0.402s  checkout.ship      cancelled 391ms  CANCELLED Cancelled: a sibling failed"
                + " (sibling_failed)",
            "  0.403s  checkout           failed    398ms  APPLICATION ValueError: declined",
            "  0.404s  run                failed    step checkout.pay: APPLICATION ValueError:"
                + " declined");
  }

  @Test
  void cancelledRunShowsEachCancelledStepAndTheRun() {
    List<String> lines = lines(Runs.cancelled(true));
    assertThat(lines)
        .containsSubsequence(
            "  0.050s  prices.do[0]       ok        48ms",
            "  0.500s  prices.do[1]       cancelled 497ms  CANCELLED Cancelled: interrupted",
            "  0.501s  prices.do[2]       cancelled 450ms  CANCELLED Cancelled: interrupted",
            "  0.502s  prices             cancelled 501ms  CANCELLED Cancelled: interrupted",
            "  0.503s  run                cancelled CANCELLED Cancelled: interrupted");
    assertThat(lines.get(lines.size() - 1)).contains("run").contains("cancelled");
  }

  @Test
  void multiLineMessagesStayOnOneLine() {
    Failure multi =
        new Failure(
            FailureCode.APPLICATION,
            "KeyError",
            "first line\nsecond line",
            "python",
            "",
            null,
            false,
            null,
            null);
    Runs.Seq run = new Runs.Seq().runStarted(0).call(1, 2, "pay", Runs.PAY, Status.FAILED, multi);
    assertThat(lines(run))
        .contains(
            "  0.002s  pay                failed    1ms  APPLICATION KeyError: first line"
                + " second line");
  }

  @Test
  void eventsAfterCloseAreIgnored() {
    StringWriter err = new StringWriter();
    ProgressView view = ProgressView.create(new PrintWriter(err), false);
    view.close();
    Runs.succeeding().feed(view);
    view.close();
    assertThat(err.toString()).isEmpty();
  }
}
