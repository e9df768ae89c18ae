package dev.braid.gateway.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.braid.gateway.engine.FailureJson;
import dev.braid.gateway.engine.RunEvent;
import dev.braid.gateway.engine.RunListener;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * {@code braid run --json}: one JSON object per event and line, flushed line by line, e.g.
 *
 * <pre>
 * {"event":"step_finished","run_id":"r-...","ts":"2026-12-05T20:01:02.345Z","t_ms":12.345,"step":"profile","kind":"call","status":"ok"}
 * </pre>
 *
 * <p>Keys: {@code event} (the {@link RunEvent.Type} in snake case), {@code run_id} (when the run
 * has one), {@code ts} (the wall-clock time, UTC, to the millisecond), {@code t_ms} (milliseconds
 * since the run started, to the microsecond), then those of {@code step}, {@code parent} (the step
 * instance it belongs to: {@code fanout} for {@code fanout.a}, the loop for the steps of an item),
 * {@code index} (the item's index, from 0), {@code items} (on {@code step_started} inside an item:
 * the loop's number of items, or a {@code loop}'s {@code max_iterations}, when known), {@code
 * kind}, {@code function}, {@code language}, {@code attempt} (when &gt; 0), {@code status} (lower
 * case), {@code error} (the failure record as {@link FailureJson} writes it) and {@code wait_ms}
 * that the event has. The {@code run_finished} line is the outcome and always the last: with {@code
 * "status":"ok"} it carries {@code result} (JSON {@code null} when the run returned nothing),
 * otherwise {@code error}.
 *
 * <p>Called on the run thread; not thread-safe. Writes synchronously to {@code out}.
 */
public final class JsonEventWriter implements RunListener {
  private static final JsonMapper JSON =
      JsonMapper.builder().enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN).build();

  private final PrintWriter out;
  private final String runId;
  private final Clock wall;

  /** Wall-clock time of the run's start (as this process saw it); set by the first event. */
  private Instant runStart;

  /**
   * The loop item of each step instance that started inside one: the later events of the instance
   * name it too. As many entries as step instances, which the engine's limits bound.
   */
  private final Map<String, RunEvent.Item> items = new HashMap<>();

  /**
   * @param runId the run's id, written on every line; null for a run without one
   * @param wall gives the {@code ts} of each line: the wall-clock time when the run started plus
   *     the event's time since the start (monotonic, so lines never go back in time)
   */
  public JsonEventWriter(PrintWriter out, String runId, Clock wall) {
    this.out = Objects.requireNonNull(out, "out");
    this.runId = runId;
    this.wall = Objects.requireNonNull(wall, "wall");
  }

  @Override
  public void onEvent(RunEvent e) {
    if (runStart == null) {
      runStart = wall.instant().minusNanos(e.atNanos());
    }
    Instant ts = runStart.plusNanos(e.atNanos()).truncatedTo(ChronoUnit.MILLIS);
    if (e.item() != null) {
      items.put(e.step(), e.item());
    }
    out.println(toLine(e, e.step() == null ? null : items.get(e.step()), runId, ts));
    out.flush();
  }

  /**
   * @param item the loop item the event's step instance is in, if any (see {@link RunEvent#item()})
   */
  static String toLine(RunEvent e, RunEvent.Item item, String runId, Instant ts) {
    ObjectNode o = JSON.createObjectNode();
    o.put("event", Text.lower(e.type()));
    putIfPresent(o, "run_id", runId);
    o.put("ts", ts.toString());
    o.put("t_ms", millis(e.atNanos()));
    putIfPresent(o, "step", e.step());
    if (item != null) {
      o.put("parent", item.parent());
      o.put("index", item.index());
      if (e.type() == RunEvent.Type.STEP_STARTED && item.count() >= 0) {
        o.put("items", item.count());
      }
    } else {
      // events read back from a store do not keep their item: the id still tells a for_each's
      putIfPresent(o, "parent", StepIds.parent(e.step()));
      OptionalInt index = StepIds.index(e.step());
      if (index.isPresent()) {
        o.put("index", index.getAsInt());
      }
    }
    putIfPresent(o, "kind", e.kind());
    putIfPresent(o, "function", e.function());
    putIfPresent(o, "language", e.language());
    if (e.attempt() > 0) {
      o.put("attempt", e.attempt());
    }
    if (e.status() != null) {
      o.put("status", Text.lower(e.status()));
    }
    if (e.retryWait() != null) {
      o.put("wait_ms", millis(e.retryWait().toNanos()));
    }
    if (e.type() == RunEvent.Type.RUN_FINISHED && e.status() == RunEvent.Status.OK) {
      o.set("result", e.value() == null ? JSON.nullNode() : e.value());
    } else if (e.value() != null) {
      o.set("result", e.value());
    }
    if (e.failure() != null) {
      o.set("error", FailureJson.toJson(e.failure()));
    }
    try {
      return JSON.writeValueAsString(o);
    } catch (JsonProcessingException ex) {
      throw new UncheckedIOException(ex);
    }
  }

  private static void putIfPresent(ObjectNode o, String key, String value) {
    if (value != null) {
      o.put(key, value);
    }
  }

  /** Milliseconds to the microsecond, without trailing zeros: {@code 12.345}, {@code 200}. */
  private static BigDecimal millis(long nanos) {
    return BigDecimal.valueOf(nanos / 1000, 3).stripTrailingZeros();
  }
}
