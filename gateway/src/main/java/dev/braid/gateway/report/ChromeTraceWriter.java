package dev.braid.gateway.report;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.braid.gateway.engine.RunEvent;
import dev.braid.gateway.engine.RunListener;
import dev.braid.model.Failure;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;

/**
 * {@code braid run --trace OUT}: a Chrome trace-event file (the {@code {"traceEvents":[...]}}
 * object format) that opens in Perfetto or {@code chrome://tracing}.
 *
 * <p>Process "workflow" has the run (thread "run") and its steps; one process per language used
 * ({@code python}, {@code node}, {@code java}) has the attempts of the calls to that language. Each
 * step or attempt is a complete event ({@code "ph":"X"}, {@code ts} and {@code dur} in microseconds
 * since the run started) named by its step id, with {@code args} for the kind, function, attempt,
 * status and failure. Concurrent slices on one thread render badly, so slices go to lanes (threads
 * {@code lane 1}, {@code lane 2}, …): in order of start, each to the first lane whose last slice
 * has ended. Retries are instant events on the lane of the attempt that failed.
 *
 * <p>The file is written on {@code RUN_FINISHED} (on the run thread) or on {@link #close()},
 * whichever comes first; slices still open then end at the time of the last event, with status
 * {@code unfinished}. Thread-safe: {@code close()} may race the run thread.
 */
public final class ChromeTraceWriter implements RunListener, Closeable {
  private static final JsonMapper JSON =
      JsonMapper.builder().enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN).build();
  private static final int WORKFLOW_PID = 1;
  private static final int RUN_TID = 0;

  private final Path out;

  // Guarded by this.
  private final Map<String, Integer> languagePids = new LinkedHashMap<>();
  private final List<Slice> slices = new ArrayList<>();
  private final List<Retry> retries = new ArrayList<>();
  private final Map<String, Slice> openSteps = new HashMap<>();
  private final Map<String, Slice> openAttempts = new HashMap<>();
  private final Map<String, Slice> lastAttempt = new HashMap<>();
  private Slice run;
  private long lastEventNanos;
  private long nextSeq;
  private boolean written;
  private IOException writeError;

  /** A step, an attempt or the run. */
  private static final class Slice {
    final int pid;
    final String name;
    final String cat;
    final long startNanos;
    final long seq;
    final ObjectNode args = JSON.createObjectNode();
    long endNanos = -1;
    int tid;

    Slice(int pid, String name, String cat, long startNanos, long seq) {
      this.pid = pid;
      this.name = name;
      this.cat = cat;
      this.startNanos = startNanos;
      this.seq = seq;
    }
  }

  private record Retry(RunEvent event, Slice anchor) {}

  /** Writes the trace to {@code out}, created or replaced, when the run finishes or on close. */
  public ChromeTraceWriter(Path out) {
    this.out = Objects.requireNonNull(out, "out");
  }

  @Override
  public synchronized void onEvent(RunEvent e) {
    if (written) {
      return;
    }
    lastEventNanos = Math.max(lastEventNanos, e.atNanos());
    switch (e.type()) {
      case RUN_STARTED -> run = new Slice(WORKFLOW_PID, "run", "run", e.atNanos(), nextSeq++);
      case STEP_STARTED -> {
        Slice s = slice(WORKFLOW_PID, e.step(), "step", e.atNanos());
        putIfPresent(s.args, "kind", e.kind());
        putIfPresent(s.args, "function", e.function());
        putIfPresent(s.args, "language", e.language());
        openSteps.put(e.step(), s);
      }
      case STEP_FINISHED -> {
        Slice s = openSteps.remove(e.step());
        if (s == null) {
          // Skipped (or failed in its `if`) without having started: a zero-length slice.
          s = slice(WORKFLOW_PID, e.step(), "step", e.atNanos());
          putIfPresent(s.args, "kind", e.kind());
        }
        end(s, e);
      }
      case ATTEMPT_STARTED -> {
        String language = e.language() == null ? "unknown" : e.language();
        int pid =
            languagePids.computeIfAbsent(language, l -> WORKFLOW_PID + 1 + languagePids.size());
        Slice s = slice(pid, e.step(), "attempt", e.atNanos());
        putIfPresent(s.args, "function", e.function());
        s.args.put("attempt", e.attempt());
        openAttempts.put(attemptKey(e), s);
        lastAttempt.put(e.step(), s);
      }
      case ATTEMPT_FINISHED -> {
        Slice s = openAttempts.remove(attemptKey(e));
        if (s != null) {
          end(s, e);
        }
      }
      case RETRY_SCHEDULED -> {
        Slice anchor = lastAttempt.get(e.step());
        retries.add(new Retry(e, anchor != null ? anchor : openSteps.get(e.step())));
      }
      case RUN_FINISHED -> {
        if (run == null) {
          run = new Slice(WORKFLOW_PID, "run", "run", 0, nextSeq++);
        }
        end(run, e);
        try {
          write();
        } catch (IOException ex) {
          // Reported by close(): a listener must not throw into the engine.
          writeError = ex;
        }
      }
    }
  }

  /**
   * Writes the trace if {@code RUN_FINISHED} has not; idempotent.
   *
   * @throws IOException if writing the file failed, now or on {@code RUN_FINISHED} (reported once)
   */
  @Override
  public synchronized void close() throws IOException {
    if (!written) {
      write();
    }
    IOException e = writeError;
    writeError = null;
    if (e != null) {
      throw e;
    }
  }

  private Slice slice(int pid, String name, String cat, long startNanos) {
    Slice s = new Slice(pid, name, cat, startNanos, nextSeq++);
    slices.add(s);
    return s;
  }

  private static String attemptKey(RunEvent e) {
    return e.step() + "#" + e.attempt();
  }

  private static void end(Slice s, RunEvent e) {
    s.endNanos = Math.max(s.startNanos, e.atNanos());
    if (e.status() != null) {
      s.args.put("status", Text.lower(e.status()));
    }
    putFailure(s.args, e.failure());
  }

  private static void putFailure(ObjectNode args, Failure f) {
    if (f != null) {
      args.put("code", f.code().name());
      args.put("error", Text.oneLine(f.headline()));
    }
  }

  private static void putIfPresent(ObjectNode o, String key, String value) {
    if (value != null) {
      o.put(key, value);
    }
  }

  private void write() throws IOException {
    written = true;
    List<Slice> all = new ArrayList<>(slices);
    if (run != null) {
      all.add(0, run);
    }
    for (Slice s : all) {
      if (s.endNanos < 0) {
        s.endNanos = Math.max(s.startNanos, lastEventNanos);
        s.args.put("status", "unfinished");
      }
    }
    Map<Integer, Integer> lanes = new LinkedHashMap<>();
    lanes.put(WORKFLOW_PID, assignLanes(slices, WORKFLOW_PID));
    for (int pid : languagePids.values()) {
      lanes.put(pid, assignLanes(slices, pid));
    }
    if (run != null) {
      run.tid = RUN_TID;
    }

    try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(out));
        JsonGenerator g = JSON.getFactory().createGenerator(os, JsonEncoding.UTF8)) {
      g.writeStartObject();
      g.writeArrayFieldStart("traceEvents");
      writeMetadata(g, lanes);
      for (Slice s : all) {
        g.writeStartObject();
        g.writeStringField("name", s.name);
        g.writeStringField("cat", s.cat);
        g.writeStringField("ph", "X");
        g.writeNumberField("ts", micros(s.startNanos));
        g.writeNumberField("dur", micros(s.endNanos - s.startNanos));
        g.writeNumberField("pid", s.pid);
        g.writeNumberField("tid", s.tid);
        g.writeObjectField("args", s.args);
        g.writeEndObject();
      }
      for (Retry r : retries) {
        writeRetry(g, r);
      }
      g.writeEndArray();
      g.writeStringField("displayTimeUnit", "ms");
      g.writeEndObject();
    }
  }

  private void writeMetadata(JsonGenerator g, Map<Integer, Integer> lanes) throws IOException {
    int sortIndex = 0;
    for (Map.Entry<Integer, Integer> p : lanes.entrySet()) {
      int pid = p.getKey();
      String name = pid == WORKFLOW_PID ? "workflow" : languageOf(pid);
      metadata(g, "process_name", pid, 0, "name", name);
      metadata(g, "process_sort_index", pid, 0, "sort_index", sortIndex++);
      if (pid == WORKFLOW_PID && run != null) {
        metadata(g, "thread_name", pid, RUN_TID, "name", "run");
        metadata(g, "thread_sort_index", pid, RUN_TID, "sort_index", RUN_TID);
      }
      for (int tid = 1; tid <= p.getValue(); tid++) {
        metadata(g, "thread_name", pid, tid, "name", "lane " + tid);
        metadata(g, "thread_sort_index", pid, tid, "sort_index", tid);
      }
    }
  }

  private String languageOf(int pid) {
    for (Map.Entry<String, Integer> l : languagePids.entrySet()) {
      if (l.getValue() == pid) {
        return l.getKey();
      }
    }
    return "unknown";
  }

  private static void metadata(
      JsonGenerator g, String name, int pid, int tid, String argName, Object argValue)
      throws IOException {
    g.writeStartObject();
    g.writeStringField("name", name);
    g.writeStringField("ph", "M");
    g.writeNumberField("pid", pid);
    g.writeNumberField("tid", tid);
    g.writeObjectFieldStart("args");
    g.writeObjectField(argName, argValue);
    g.writeEndObject();
    g.writeEndObject();
  }

  private static void writeRetry(JsonGenerator g, Retry r) throws IOException {
    RunEvent e = r.event();
    g.writeStartObject();
    g.writeStringField("name", "retry " + e.step());
    g.writeStringField("cat", "retry");
    g.writeStringField("ph", "i");
    g.writeStringField("s", "t");
    g.writeNumberField("ts", micros(e.atNanos()));
    g.writeNumberField("pid", r.anchor() == null ? WORKFLOW_PID : r.anchor().pid);
    g.writeNumberField("tid", r.anchor() == null ? RUN_TID : r.anchor().tid);
    ObjectNode args = JSON.createObjectNode();
    args.put("step", e.step());
    args.put("attempt", e.attempt());
    if (e.retryWait() != null) {
      args.put(
          "wait_ms", BigDecimal.valueOf(e.retryWait().toNanos() / 1000, 3).stripTrailingZeros());
    }
    putFailure(args, e.failure());
    g.writeObjectField("args", args);
    g.writeEndObject();
  }

  /**
   * Puts each slice of process {@code pid} on a lane, threads 1, 2, …: in order of start (the
   * longer first on a tie, so that a parent gets the lower lane), each on the lowest lane whose
   * last slice has ended by its start.
   *
   * @return how many lanes were used
   */
  private static int assignLanes(List<Slice> slices, int pid) {
    List<Slice> mine = new ArrayList<>();
    for (Slice s : slices) {
      if (s.pid == pid) {
        mine.add(s);
      }
    }
    mine.sort(
        Comparator.comparingLong((Slice s) -> s.startNanos)
            .thenComparing(Comparator.comparingLong((Slice s) -> s.endNanos).reversed())
            .thenComparingLong(s -> s.seq));
    // Busy lanes by the end of their last slice; free lanes by number.
    PriorityQueue<long[]> busy = new PriorityQueue<>(Comparator.comparingLong(b -> b[0]));
    PriorityQueue<Integer> free = new PriorityQueue<>();
    int used = 0;
    for (Slice s : mine) {
      while (!busy.isEmpty() && busy.peek()[0] <= s.startNanos) {
        free.add((int) busy.poll()[1]);
      }
      int lane = free.isEmpty() ? ++used : free.poll();
      busy.add(new long[] {s.endNanos, lane});
      s.tid = lane;
    }
    return used;
  }

  /** Microseconds to the nanosecond, as Chrome's trace format counts time. */
  private static BigDecimal micros(long nanos) {
    return BigDecimal.valueOf(nanos, 3).stripTrailingZeros();
  }
}
