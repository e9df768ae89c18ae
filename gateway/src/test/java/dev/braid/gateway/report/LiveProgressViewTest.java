package dev.braid.gateway.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.braid.gateway.engine.RunEvent;
import dev.braid.gateway.engine.RunEvent.Status;
import dev.braid.model.Failure;
import dev.braid.model.FailureCode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code braid run} progress on a terminal: a table redrawn in place. */
@Timeout(10)
class LiveProgressViewTest {
  private static final int CAP = 20;
  private static final int WIDTH = 120;

  private final StringWriter err = new StringWriter();

  /** The view's clock, in nanoseconds; moved by hand. */
  private final AtomicLong clock = new AtomicLong(1_000_000_000L);

  private LiveProgressView view() {
    return new LiveProgressView(new PrintWriter(err), clock::get, CAP, WIDTH, false);
  }

  /** The frames written, as the visible text of their lines. */
  private static List<List<String>> frames(String out) {
    List<List<String>> frames = new ArrayList<>();
    for (String chunk : out.split("\u001b\\[\\?7l")) {
      if (chunk.isEmpty()) {
        continue;
      }
      String visible = chunk.replaceAll("\u001b\\[[0-9;?]*[A-Za-z]", "").replace("\r", "");
      frames.add(visible.lines().toList());
    }
    return frames;
  }

  private static List<String> lastFrame(String out) {
    List<List<String>> frames = frames(out);
    assertThat(frames).isNotEmpty();
    return frames.get(frames.size() - 1);
  }

  /** Feeds the events, drawing a frame every {@code every} events as the timer would. */
  private static void feed(LiveProgressView view, List<RunEvent> events, int every) {
    int n = 0;
    for (RunEvent e : events) {
      view.onEvent(e);
      if (++n % every == 0) {
        view.draw();
      }
    }
  }

  @Test
  void aResizedTerminalGetsFramesOfItsNewHeightAndWidth() {
    LiveProgressView view = view();
    feed(view, Runs.manyItems(100).events().subList(0, 150), 1000);
    view.draw();
    assertThat(lastFrame(err.toString())).hasSize(CAP + 1);
    view.resize(new Terminal.Size(8, 40));
    view.draw();
    List<String> small = lastFrame(err.toString());
    assertThat(small).hasSize(LiveProgressView.stepLinesFor(8) + 1).hasSize(7);
    assertThat(small).allSatisfy(l -> assertThat(l.length()).isLessThan(40));
  }

  @Test
  void descriptionsReplaceTheFunctionInTheTable() {
    LiveProgressView view =
        new LiveProgressView(
            new PrintWriter(err),
            clock::get,
            CAP,
            WIDTH,
            false,
            Map.of("profile", "Fetch the profile"));
    feed(view, Runs.succeeding().events(), 1000);
    view.close();
    assertThat(lastFrame(err.toString()))
        .anySatisfy(l -> assertThat(l).startsWith("ok        profile   Fetch the profile"));
  }

  @Test
  void theSummaryTellsHandledFailuresFromTheOnesThatFailedTheRun() {
    LiveProgressView ok = view();
    feed(ok, Runs.handledFailure(false).events(), 1000);
    ok.close();
    assertThat(lastFrame(err.toString()).get(lastFrame(err.toString()).size() - 1))
        .startsWith("ok        run")
        .contains("1 failed (handled)");

    StringWriter err2 = new StringWriter();
    LiveProgressView failed =
        new LiveProgressView(new PrintWriter(err2), clock::get, CAP, WIDTH, false);
    feed(failed, Runs.handledFailure(true).events(), 1000);
    failed.close();
    List<String> last = lastFrame(err2.toString());
    assertThat(last.get(last.size() - 1))
        .startsWith("failed    run")
        .contains("2 failed (1 handled)");
  }

  @Test
  void aLongForEachNeverDrawsMoreThanTheCapPerFrame() {
    LiveProgressView view = view();
    feed(view, Runs.manyItems(1000).events(), 37);
    view.close();

    List<List<String>> frames = frames(err.toString());
    assertThat(frames).hasSizeGreaterThan(10);
    for (List<String> frame : frames) {
      assertThat(frame).hasSizeLessThanOrEqualTo(CAP + 1);
    }
    List<String> last = lastFrame(err.toString());
    assertThat(last).hasSize(CAP + 1);
    assertThat(last.get(CAP))
        .startsWith("ok        run")
        .contains("1001 done, 0 running, 0 failed");
    assertThat(last.subList(0, CAP)).allMatch(l -> l.startsWith("ok "));
    // The most recent ones, in the order they started: the for_each first.
    assertThat(last.get(0)).startsWith("ok        prices ");
    assertThat(last.get(1)).contains("prices.do[981]");
    assertThat(last.get(CAP - 1)).contains("prices.do[999]");
  }

  @Test
  void everyFrameMovesBackOverThePreviousOne() {
    LiveProgressView view = view();
    feed(view, Runs.succeeding().events(), 3);
    view.close();
    String out = err.toString();
    List<List<String>> frames = frames(out);
    String[] chunks = out.split("\u001b\\[\\?7l");
    // chunks[0] is the empty text before the first frame.
    for (int i = 2; i < chunks.length; i++) {
      int previous = frames.get(i - 2).size();
      assertThat(chunks[i]).startsWith("\r\u001b[" + previous + "A");
      assertThat(chunks[i]).contains("\u001b[J");
    }
  }

  @Test
  void aRunningForEachCountsItsFinishedItemsOutOfAll() {
    LiveProgressView view = view();
    List<RunEvent> events = Runs.manyItems(26).events();
    int cut = 0;
    int finishedItems = 0;
    while (finishedItems < 17) {
      RunEvent e = events.get(cut++);
      if (e.type() == RunEvent.Type.STEP_FINISHED) {
        finishedItems++;
      }
    }
    feed(view, events.subList(0, cut), 1_000);
    view.draw();

    assertThat(lastFrame(err.toString()))
        .anySatisfy(l -> assertThat(l).startsWith("running   prices ").endsWith("17/26 done"));
    view.close();
  }

  @Test
  void aRunningLoopShowsItsIterationAndItsBound() {
    LiveProgressView view = view();
    Runs.Seq run =
        new Runs.Seq()
            .runStarted(0)
            .stepStarted(1, "poll", "loop")
            .itemCallStarted(2, "check[0]", Runs.PROFILE, "poll", 0, 10)
            .stepFinished(5, "check[0]", "call", Status.OK, null)
            .itemCallStarted(60, "check[1]", Runs.PROFILE, "poll", 1, 10);
    feed(view, run.events(), 1_000);
    view.draw();

    assertThat(lastFrame(err.toString()))
        .anySatisfy(
            l -> assertThat(l).startsWith("running   poll ").endsWith("iteration 2 of at most 10"));
    view.close();
  }

  @Test
  void runningStepsShowTheirElapsedTimeAndRetries() {
    LiveProgressView view = view();
    List<RunEvent> events = Runs.succeeding().events();
    // Up to and including the retry of fanout.a at 66ms.
    int retry = 0;
    while (events.get(retry).type() != RunEvent.Type.RETRY_SCHEDULED) {
      retry++;
    }
    events.subList(0, retry + 1).forEach(view::onEvent);
    clock.addAndGet(100_000_000L); // 100ms after the run started
    view.draw();

    List<String> frame = lastFrame(err.toString());
    assertThat(frame)
        .anySatisfy(
            l ->
                assertThat(l)
                    .startsWith("running   profile")
                    .contains(Runs.PROFILE)
                    .contains("87ms"))
        .anySatisfy(
            l ->
                assertThat(l)
                    .startsWith("retrying  fanout.a")
                    .contains("attempt 2 in 166ms (DeadlineExceeded: attempt"))
        .anySatisfy(l -> assertThat(l).startsWith("ok        fanout.b").contains("23ms"))
        .anySatisfy(l -> assertThat(l).startsWith("running   fanout ").contains("parallel"));
    assertThat(frame.get(frame.size() - 1)).contains("1 done, 3 running, 0 failed");
    view.close();
  }

  @Test
  void finalFrameShowsFailuresAndTheStepThatFailedTheRun() {
    // Through the factory, with its timer and colors: only the final frame is certain.
    ProgressView view = ProgressView.create(new PrintWriter(err), true);
    Runs.failing().feed(view);
    view.close();

    List<String> last = lastFrame(err.toString());
    assertThat(last)
        .anySatisfy(
            l ->
                assertThat(l)
                    .startsWith("failed    checkout.pay")
                    .contains("2 attempts, ValueError: declined"))
        .anySatisfy(
            l -> assertThat(l).startsWith("cancelled checkout.ship").contains("a sibling failed"))
        .anySatisfy(l -> assertThat(l).startsWith("failed    checkout "));
    assertThat(last.get(last.size() - 1))
        .startsWith("failed    run")
        .contains("step checkout.pay failed; 0 done, 0 running, 2 failed, 1 cancelled");
    for (List<String> frame : frames(err.toString())) {
      assertThat(frame).hasSizeLessThanOrEqualTo(CAP + 1);
    }
    if (System.getenv("NO_COLOR") == null) {
      assertThat(err.toString()).contains("\u001b[31mfailed\u001b[0m");
    }
  }

  @Test
  void closeWithoutRunFinishedDrawsTheCancelledStateOnce() {
    LiveProgressView view = view();
    Runs.cancelled(false).feed(view);
    view.close();
    int frames = frames(err.toString()).size();
    view.close();
    view.onEvent(Runs.cancelled(true).events().get(Runs.cancelled(true).events().size() - 1));
    assertThat(frames(err.toString())).hasSize(frames);

    List<String> last = lastFrame(err.toString());
    assertThat(last).anySatisfy(l -> assertThat(l).startsWith("running   prices.do[1]"));
    assertThat(last).anySatisfy(l -> assertThat(l).startsWith("ok        prices.do[0]"));
    assertThat(last.get(last.size() - 1)).contains("1 done, 3 running, 0 failed");
  }

  @Test
  void cancelledRunShowsCancelledSteps() {
    LiveProgressView view = view();
    Runs.cancelled(true).feed(view);
    view.close();
    List<String> last = lastFrame(err.toString());
    assertThat(last)
        .filteredOn(l -> l.startsWith("cancelled"))
        .hasSize(4); // prices.do[1], prices.do[2], prices and the run
    assertThat(last.get(last.size() - 1)).startsWith("cancelled run");
  }

  @Test
  void tooManyRunningStepsAreCappedAndCounted() {
    LiveProgressView view = view();
    Runs.Seq run = new Runs.Seq().runStarted(0);
    for (int i = 0; i < 30; i++) {
      run.callStarted(1 + i, "s" + i, Runs.PAY);
    }
    run.feed(view);
    view.draw();
    List<String> frame = lastFrame(err.toString());
    assertThat(frame).hasSize(CAP + 1);
    assertThat(frame.get(0)).startsWith("running   s0 ");
    assertThat(frame.get(frame.size() - 1)).contains("0 done, 30 running, 0 failed");
    view.close();
  }

  @Test
  void linesAreCutToTheTerminalWidth() {
    LiveProgressView view = view();
    Failure longFailure =
        new Failure(
            FailureCode.APPLICATION,
            "ValueError",
            "x".repeat(500),
            "python",
            "",
            null,
            false,
            null,
            null);
    new Runs.Seq()
        .runStarted(0)
        .call(
            1,
            2,
            "a-step-with-a-rather-long-name-that-goes-on-and-on",
            Runs.PAY,
            Status.FAILED,
            longFailure)
        .runFinished(3, Status.FAILED, null, longFailure)
        .feed(view);
    view.close();
    for (String line : lastFrame(err.toString())) {
      assertThat(line.length()).isLessThan(WIDTH);
    }
    assertThat(lastFrame(err.toString()).get(0)).endsWith("...");
  }
}
