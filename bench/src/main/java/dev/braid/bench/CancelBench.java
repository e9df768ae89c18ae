package dev.braid.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.braid.api.Braid;
import dev.braid.api.CallOptions;
import dev.braid.api.CancellationMode;
import dev.braid.api.RemoteCall;
import dev.braid.api.RemoteFunction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cancellation latency: from {@code call.cancel(true)} in Java to {@code CancelledError} raised in
 * the Python coroutine, and the round trip in {@code WAIT} mode (cancel until the caller's future
 * settles, i.e. the callee's cleanup is done).
 *
 * <p>The one-way figure compares two clocks: Java's {@code System.nanoTime()} taken right before
 * {@code cancel}, and {@code time.monotonic_ns()} taken by the coroutine in its {@code except
 * CancelledError}. On Linux both read {@code CLOCK_MONOTONIC}, one clock for the whole machine, so
 * the difference is a real duration.
 *
 * <p>Each cancel targets a call that is already running in the worker: after starting the sleeper,
 * the bench waits for an {@code echo} sent behind it. The worker handles frames in order and runs
 * tasks first-come first-served, so by the time the echo answers, the sleeper's task has started
 * and is suspended in {@code asyncio.sleep}.
 */
final class CancelBench {
  private static final Logger log = LoggerFactory.getLogger(CancelBench.class);
  private static final long WAIT_S = 10;

  private final BenchConfig cfg;
  private final String sleeperRef;
  private final String stampsRef;
  private final String echoRef;

  CancelBench(BenchConfig cfg) {
    this(cfg, "python");
  }

  /**
   * {@code lang}: {@code python} (the gateway's own worker) or {@code python@POOL} (a remote one).
   */
  CancelBench(BenchConfig cfg, String lang) {
    this.cfg = cfg;
    this.sleeperRef = lang + ":braid_bench:sleep_until_cancelled";
    this.stampsRef = lang + ":braid_bench:take_cancel_stamps";
    this.echoRef = lang + ":braid_bench:echo";
  }

  ObjectNode run(ObjectMapper json, Braid braid) throws Exception {
    ObjectNode out = json.createObjectNode();
    int warmup = cfg.samples(50);
    int n = cfg.samples(200);
    log.info("braid: {} cancels (mode try), {} cancels (mode wait)", n, n);
    phase(braid, CancellationMode.TRY, warmup, 0);
    Result tryMode = phase(braid, CancellationMode.TRY, n, 0);
    out.set("one_way", Latency.of(tryMode.oneWay()).toJson(json));
    out.put("missing_stamps", tryMode.missing());
    Result waitMode = phase(braid, CancellationMode.WAIT, n, 1_000_000);
    out.set("wait_round_trip", Latency.of(waitMode.settled()).toJson(json));
    out.set("wait_one_way", Latency.of(waitMode.oneWay()).toJson(json));
    out.put("clock", "System.nanoTime() and time.monotonic_ns(): both CLOCK_MONOTONIC on Linux");
    return out;
  }

  /** Per cancel: nanos to CancelledError in Python; nanos until the Java future settled. */
  private record Result(long[] oneWay, long[] settled, int missing) {}

  private Result phase(Braid braid, CancellationMode mode, int n, int seqBase) throws Exception {
    RemoteFunction sleeper = braid.function(sleeperRef);
    RemoteFunction echo = braid.function(echoRef);
    CallOptions opts =
        CallOptions.builder()
            .cancellationMode(mode)
            .timeout(Duration.ofSeconds(60))
            .grace(Duration.ofSeconds(5))
            .build();
    long[] sent = new long[n];
    long[] settled = new long[n];
    for (int i = 0; i < n; i++) {
      RemoteCall call = sleeper.call(List.of(seqBase + i, 30), opts);
      echo.call("barrier").get(WAIT_S, TimeUnit.SECONDS);
      if (call.isDone()) {
        throw new IllegalStateException("the sleeper ended before it was cancelled");
      }
      CompletableFuture<Long> settledAt = call.handle((v, e) -> System.nanoTime());
      long t0 = System.nanoTime();
      call.cancel(true);
      settled[i] = settledAt.get(WAIT_S, TimeUnit.SECONDS) - t0;
      sent[i] = t0;
      // the callee's cleanup must be over before the next cancel is timed
      call.cleanup().get(WAIT_S, TimeUnit.SECONDS);
    }
    JsonNode stamps = braid.function(stampsRef).call().get(WAIT_S, TimeUnit.SECONDS);
    List<Long> oneWay = new ArrayList<>();
    int missing = 0;
    for (int i = 0; i < n; i++) {
      JsonNode s = stamps.get(Integer.toString(seqBase + i));
      if (s == null) {
        missing++;
      } else {
        oneWay.add(s.asLong() - sent[i]);
      }
    }
    if (oneWay.isEmpty()) {
      throw new TimeoutException("no cancel reached a coroutine (" + missing + " missing stamps)");
    }
    return new Result(oneWay.stream().mapToLong(Long::longValue).toArray(), settled, missing);
  }
}
