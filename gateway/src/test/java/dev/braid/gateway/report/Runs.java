package dev.braid.gateway.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.braid.gateway.engine.RunEvent;
import dev.braid.gateway.engine.RunEvent.Status;
import dev.braid.gateway.engine.RunEvent.Type;
import dev.braid.gateway.engine.RunListener;
import dev.braid.model.CancelReason;
import dev.braid.model.Failure;
import dev.braid.model.FailureCode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Synthetic event sequences, as the engine would emit them, to feed the listeners. */
final class Runs {
  static final ObjectMapper JSON = new ObjectMapper();

  static final Failure DECLINED =
      new Failure(
          FailureCode.APPLICATION,
          "ValueError",
          "declined",
          "python",
          "Traceback ...\n  raise ValueError('declined')",
          null,
          false,
          "{\"card\":\"4242\"}",
          null);
  static final Failure TIMEOUT =
      new Failure(
          FailureCode.DEADLINE_EXCEEDED,
          "DeadlineExceeded",
          "attempt timed out after 50ms",
          "node",
          "",
          null,
          true,
          null,
          "deadline_exceeded");
  static final Failure SIBLING = Failure.cancelled(CancelReason.SIBLING_FAILED, "a sibling failed");
  static final Failure INTERRUPTED = Failure.cancelled(CancelReason.CANCELLED, "interrupted");

  private Runs() {}

  /** Builds a sequence; times are milliseconds since the run started. */
  static final class Seq {
    final List<RunEvent> events = new ArrayList<>();

    Seq runStarted(double ms) {
      return add(Type.RUN_STARTED, ms, null, null, null, null, 0, null, null, null, null);
    }

    Seq stepStarted(double ms, String step, String kind) {
      return add(Type.STEP_STARTED, ms, step, kind, null, null, 0, null, null, null, null);
    }

    Seq callStarted(double ms, String step, String function) {
      return add(
          Type.STEP_STARTED, ms, step, "call", function, lang(function), 0, null, null, null, null);
    }

    /** A call's start inside item {@code index} of {@code count} of the loop step {@code loop}. */
    Seq itemCallStarted(
        double ms, String step, String function, String loop, int index, int count) {
      events.add(
          new RunEvent(
              Type.STEP_STARTED,
              Math.round(ms * 1_000_000),
              step,
              "call",
              function,
              lang(function),
              0,
              null,
              null,
              null,
              null,
              false,
              new RunEvent.Item(loop, index, count)));
      return this;
    }

    Seq attemptStarted(double ms, String step, String function, int attempt) {
      return add(
          Type.ATTEMPT_STARTED,
          ms,
          step,
          "call",
          function,
          lang(function),
          attempt,
          null,
          null,
          null,
          null);
    }

    Seq attemptFinished(
        double ms, String step, String function, int attempt, Status status, Failure f) {
      return add(
          Type.ATTEMPT_FINISHED,
          ms,
          step,
          "call",
          function,
          lang(function),
          attempt,
          status,
          f,
          null,
          null);
    }

    Seq retry(double ms, String step, String function, int attempt, Failure f, Duration wait) {
      return add(
          Type.RETRY_SCHEDULED,
          ms,
          step,
          "call",
          function,
          lang(function),
          attempt,
          Status.FAILED,
          f,
          wait,
          null);
    }

    Seq stepFinished(double ms, String step, String kind, Status status, Failure f) {
      return add(Type.STEP_FINISHED, ms, step, kind, null, null, 0, status, f, null, null);
    }

    /** A call of one attempt, start to finish. */
    Seq call(double from, double to, String step, String function, Status status, Failure f) {
      callStarted(from, step, function);
      attemptStarted(from, step, function, 1);
      attemptFinished(to, step, function, 1, status, f);
      return stepFinished(to, step, "call", status, f);
    }

    Seq runFinished(double ms, Status status, JsonNode value, Failure f) {
      // Guard the fixtures themselves: the engine emits in time order.
      for (int i = 1; i < events.size(); i++) {
        if (events.get(i).atNanos() < events.get(i - 1).atNanos()) {
          throw new IllegalStateException("out of order: " + events.get(i));
        }
      }
      return add(Type.RUN_FINISHED, ms, null, null, null, null, 0, status, f, null, value);
    }

    List<RunEvent> events() {
      return List.copyOf(events);
    }

    void feed(RunListener listener) {
      events.forEach(listener::onEvent);
    }

    private Seq add(
        Type type,
        double ms,
        String step,
        String kind,
        String function,
        String language,
        int attempt,
        Status status,
        Failure failure,
        Duration wait,
        JsonNode value) {
      events.add(
          new RunEvent(
              type,
              Math.round(ms * 1_000_000),
              step,
              kind,
              function,
              language,
              attempt,
              status,
              failure,
              wait,
              value));
      return this;
    }

    private static String lang(String function) {
      return function.substring(0, function.indexOf(':'));
    }
  }

  static final String PROFILE = "python:shop:get_profile";
  static final String QUOTE = "node:pricing:quote";
  static final String TAX = "java:dev.braid.examples.Tax:rate";
  static final String PAY = "python:shop:pay";
  static final String SHIP = "node:shipping:book";

  /**
   * A run that succeeds: {@code profile} and {@code fanout} (a parallel of {@code fanout.a} and
   * {@code fanout.b}) overlap, {@code fanout.a} times out once and is retried, {@code audit} is
   * skipped.
   */
  static Seq succeeding() {
    Seq s = new Seq().runStarted(0);
    s.callStarted(12.345, "profile", PROFILE).attemptStarted(12.345, "profile", PROFILE, 1);
    s.stepStarted(15, "fanout", "parallel");
    s.callStarted(16, "fanout.a", QUOTE).attemptStarted(16, "fanout.a", QUOTE, 1);
    s.call(17, 40, "fanout.b", TAX, Status.OK, null);
    s.attemptFinished(66, "fanout.a", QUOTE, 1, Status.FAILED, TIMEOUT);
    s.retry(66, "fanout.a", QUOTE, 1, TIMEOUT, Duration.ofMillis(200));
    s.attemptFinished(140.345, "profile", PROFILE, 1, Status.OK, null);
    s.stepFinished(140.345, "profile", "call", Status.OK, null);
    s.attemptStarted(266, "fanout.a", QUOTE, 2);
    s.attemptFinished(300, "fanout.a", QUOTE, 2, Status.OK, null);
    s.stepFinished(300, "fanout.a", "call", Status.OK, null);
    s.stepFinished(301, "fanout", "parallel", Status.OK, null);
    s.stepFinished(302, "audit", "call", Status.SKIPPED, null);
    return s.runFinished(310, Status.OK, JSON.createObjectNode().put("total", 42), null);
  }

  /**
   * A run that fails: in {@code checkout} (a parallel), {@code checkout.pay} fails twice (one
   * retry) while {@code checkout.ship} runs; ship is cancelled as its sibling failed.
   */
  static Seq failing() {
    Seq s = new Seq().runStarted(0);
    s.stepStarted(5, "checkout", "parallel");
    s.callStarted(10, "checkout.pay", PAY).attemptStarted(10, "checkout.pay", PAY, 1);
    s.callStarted(11, "checkout.ship", SHIP).attemptStarted(11, "checkout.ship", SHIP, 1);
    s.attemptFinished(100, "checkout.pay", PAY, 1, Status.FAILED, DECLINED);
    s.retry(100, "checkout.pay", PAY, 1, DECLINED, Duration.ofMillis(200));
    s.attemptStarted(300, "checkout.pay", PAY, 2);
    s.attemptFinished(400, "checkout.pay", PAY, 2, Status.FAILED, DECLINED);
    s.stepFinished(400, "checkout.pay", "call", Status.FAILED, DECLINED);
    s.attemptFinished(402, "checkout.ship", SHIP, 1, Status.CANCELLED, SIBLING);
    s.stepFinished(402, "checkout.ship", "call", Status.CANCELLED, SIBLING);
    s.stepFinished(403, "checkout", "parallel", Status.FAILED, DECLINED);
    return s.runFinished(404, Status.FAILED, null, DECLINED);
  }

  /**
   * A {@code for_each} over three prices, cancelled (Ctrl-C) while {@code prices.do[1]} and {@code
   * prices.do[2]} run. With {@code finished}, the engine reports the cancellation through to {@code
   * RUN_FINISHED}; without, the events stop there (the listener is closed early).
   */
  static Seq cancelled(boolean finished) {
    Seq s = new Seq().runStarted(0);
    s.stepStarted(1, "prices", "for_each");
    s.callStarted(2, "prices.do[0]", QUOTE).attemptStarted(2, "prices.do[0]", QUOTE, 1);
    s.callStarted(3, "prices.do[1]", QUOTE).attemptStarted(3, "prices.do[1]", QUOTE, 1);
    s.attemptFinished(50, "prices.do[0]", QUOTE, 1, Status.OK, null);
    s.stepFinished(50, "prices.do[0]", "call", Status.OK, null);
    s.callStarted(51, "prices.do[2]", QUOTE).attemptStarted(51, "prices.do[2]", QUOTE, 1);
    if (!finished) {
      return s;
    }
    s.attemptFinished(500, "prices.do[1]", QUOTE, 1, Status.CANCELLED, INTERRUPTED);
    s.stepFinished(500, "prices.do[1]", "call", Status.CANCELLED, INTERRUPTED);
    s.attemptFinished(501, "prices.do[2]", QUOTE, 1, Status.CANCELLED, INTERRUPTED);
    s.stepFinished(501, "prices.do[2]", "call", Status.CANCELLED, INTERRUPTED);
    s.stepFinished(502, "prices", "for_each", Status.CANCELLED, INTERRUPTED);
    return s.runFinished(503, Status.CANCELLED, null, INTERRUPTED);
  }

  /**
   * Failures handled and not: {@code guarded} (a settled parallel) ends ok although {@code
   * guarded.pay} failed; with {@code alsoUnhandled}, {@code charge} then fails and so does the run.
   */
  static Seq handledFailure(boolean alsoUnhandled) {
    Seq s = new Seq().runStarted(0);
    s.stepStarted(1, "guarded", "parallel");
    s.call(2, 20, "guarded.pay", PAY, Status.FAILED, DECLINED);
    s.stepFinished(21, "guarded", "parallel", Status.OK, null);
    if (!alsoUnhandled) {
      return s.runFinished(30, Status.OK, JSON.nullNode(), null);
    }
    s.call(22, 40, "charge", PAY, Status.FAILED, DECLINED);
    return s.runFinished(41, Status.FAILED, null, DECLINED);
  }

  /** A {@code for_each} over {@code n} items, four at a time, each taking 10ms; all succeed. */
  static Seq manyItems(int n) {
    Seq ordered = new Seq().runStarted(0);
    ordered.stepStarted(1, "prices", "for_each");
    for (int batch = 0; batch * 4 < n; batch++) {
      double start = 2 + batch * 10.0;
      for (int i = batch * 4; i < Math.min(n, batch * 4 + 4); i++) {
        ordered
            .itemCallStarted(start, "prices.do[" + i + "]", QUOTE, "prices", i, n)
            .attemptStarted(start, "prices.do[" + i + "]", QUOTE, 1);
      }
      for (int i = batch * 4; i < Math.min(n, batch * 4 + 4); i++) {
        ordered.attemptFinished(start + 9, "prices.do[" + i + "]", QUOTE, 1, Status.OK, null);
        ordered.stepFinished(start + 9, "prices.do[" + i + "]", "call", Status.OK, null);
      }
    }
    double end = 2 + ((n + 3) / 4) * 10.0;
    ordered.stepFinished(end, "prices", "for_each", Status.OK, null);
    return ordered.runFinished(end + 1, Status.OK, JSON.createArrayNode(), null);
  }
}
