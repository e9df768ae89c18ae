package dev.braid.gateway.console.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.braid.gateway.server.RunView;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.util.Fields;

/**
 * The console's run endpoints as JSON (docs/api.md, "The console's JSON API"): the list, one run,
 * cancel. Answers are {@link Answer}s the {@link ConsoleHandler} writes. Thread-safe; blocks on the
 * server's store reads (bounded).
 */
public final class RunsApi {
  static final int DEFAULT_LIMIT = 50;
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final long CANCEL_WAIT_MS = 10_000;

  /** An HTTP status and a JSON body. */
  record Answer(int status, ObjectNode body) {}

  private final RunView runs;

  public RunsApi(RunView runs) {
    this.runs = runs;
  }

  /** {@code GET /api/runs?status=&workflow=&q=&limit=}. */
  Answer list(Fields query) {
    int limit = DEFAULT_LIMIT;
    String l = value(query, "limit");
    if (l != null) {
      try {
        limit = Integer.parseInt(l);
      } catch (NumberFormatException e) {
        return error(400, "limit is not a number: " + l);
      }
    }
    RunView.Filter f;
    try {
      f =
          new RunView.Filter(
              value(query, "status"), value(query, "workflow"), value(query, "q"), limit);
    } catch (IllegalArgumentException e) {
      return error(400, e.getMessage());
    }
    ObjectNode o = JSON.objectNode();
    ArrayNode arr = o.putArray("runs");
    for (RunView.Run r : runs.runs(f)) {
      arr.add(run(r));
    }
    return new Answer(200, o);
  }

  /** {@code GET /api/runs/ID}. */
  Answer get(String id) {
    Optional<RunView.Detail> d = runs.run(id);
    if (d.isEmpty()) {
      return error(404, "no run '" + id + "'");
    }
    ObjectNode o = JSON.objectNode();
    o.set("run", run(d.get().run()));
    o.put("partial", d.get().partial());
    ArrayNode steps = o.putArray("steps");
    for (RunView.StepRow s : d.get().steps()) {
      ObjectNode n = steps.addObject();
      n.put("step", s.step());
      n.put("kind", s.kind());
      n.put("function", s.function());
      n.put("language", s.language());
      n.put("status", s.status());
      n.put("attempts", s.attempts());
      n.put("start_ms", s.startMs());
      if (s.durationMs() != null) {
        n.put("duration_ms", s.durationMs());
      } else {
        n.putNull("duration_ms");
      }
      n.set("failure", failure(s.failure()));
    }
    return new Answer(200, o);
  }

  /** {@code POST /api/runs/ID/cancel}: waits (bounded) for CancelRun's answer. */
  Answer cancel(String id) throws InterruptedException {
    Optional<RunView.Run> r;
    try {
      r = runs.cancel(id).get(CANCEL_WAIT_MS, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      return error(503, "cancel failed: " + e.getCause().getMessage());
    } catch (TimeoutException e) {
      return error(504, "cancel did not answer in time");
    }
    if (r.isEmpty()) {
      return error(404, "no run '" + id + "'");
    }
    ObjectNode o = JSON.objectNode();
    o.set("run", run(r.get()));
    return new Answer(200, o);
  }

  static ObjectNode run(RunView.Run r) {
    ObjectNode n = JSON.objectNode();
    n.put("id", r.id());
    n.put("workflow", r.workflow());
    n.put("status", r.status());
    n.put("started", r.started().toString());
    n.put("finished", r.finished() == null ? null : r.finished().toString());
    Instant end = r.finished() == null ? Instant.now() : r.finished();
    n.put("duration_ms", Math.max(0, Duration.between(r.started(), end).toMillis()));
    n.put("cancel_requested", r.cancelRequested());
    n.put("failed_step", r.failedStep());
    n.set("failure", failure(r.failure()));
    return n;
  }

  private static com.fasterxml.jackson.databind.JsonNode failure(RunView.Failure f) {
    if (f == null) {
      return JSON.nullNode();
    }
    ObjectNode n = JSON.objectNode();
    n.put("code", f.code());
    n.put("type", f.type());
    n.put("message", f.message());
    n.put("language", f.language());
    n.put("reason", f.reason());
    return n;
  }

  private static String value(Fields query, String name) {
    List<String> v = query.getValues(name);
    if (v == null || v.isEmpty() || v.get(0).isBlank()) {
      return null;
    }
    return v.get(0);
  }

  static Answer error(int status, String message) {
    ObjectNode o = JSON.objectNode();
    o.put("error", message);
    return new Answer(status, o);
  }
}
