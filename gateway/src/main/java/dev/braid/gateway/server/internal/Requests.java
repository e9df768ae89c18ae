package dev.braid.gateway.server.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.braid.gateway.workflow.WorkflowLimits;
import dev.braid.model.CancelReason;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Reading request fields: JSON text, durations, the client's deadline. Every problem is an {@code
 * INVALID_ARGUMENT} naming the field and the bad value.
 */
final class Requests {
  /** Bounded nesting and length: a request's JSON is walked recursively after it is read. */
  private static final ObjectMapper JSON = WorkflowLimits.inputMapper();

  private static final int SHOWN = 60;

  private Requests() {}

  static StatusRuntimeException invalid(String message) {
    return Status.INVALID_ARGUMENT.withDescription(message).asRuntimeException();
  }

  /** A JSON array as a list (empty text: empty list). */
  static List<JsonNode> array(String field, String text) {
    if (text.isBlank()) {
      return List.of();
    }
    JsonNode n = parse(field, text, "[1, \"two\"]");
    if (!n.isArray()) {
      throw invalid(field + " must be a JSON array of positional arguments, got " + kind(n));
    }
    List<JsonNode> out = new ArrayList<>(n.size());
    n.forEach(out::add);
    return out;
  }

  /** A JSON object as a map (empty text: empty map). */
  static Map<String, JsonNode> object(String field, String text) {
    if (text.isBlank()) {
      return Map.of();
    }
    JsonNode n = parse(field, text, "{\"user_id\": 7}");
    if (!n.isObject()) {
      throw invalid(field + " must be a JSON object, got " + kind(n));
    }
    Map<String, JsonNode> out = new LinkedHashMap<>();
    n.properties().forEach(e -> out.put(e.getKey(), e.getValue()));
    return out;
  }

  /** A workflow input: a JSON object (empty text: {}). */
  static ObjectNode input(String field, String text) {
    if (text.isBlank()) {
      return JSON.createObjectNode();
    }
    JsonNode n = parse(field, text, "{\"userId\": 7}");
    if (!(n instanceof ObjectNode o)) {
      throw invalid(field + " must be a JSON object, got " + kind(n));
    }
    return o;
  }

  /** Any JSON value (empty text: null). */
  static JsonNode value(String field, String text) {
    return text.isBlank() ? JSON.nullNode() : parse(field, text, "{\"n\": 3}");
  }

  private static JsonNode parse(String field, String text, String example) {
    try {
      JsonNode n = JSON.readTree(text);
      if (n == null || n.isMissingNode()) {
        throw invalid(field + " is empty JSON; write e.g. " + example);
      }
      return n;
    } catch (StreamConstraintsException e) {
      throw invalid(field + " " + WorkflowLimits.inputProblem(e));
    } catch (JsonProcessingException e) {
      throw invalid(
          field
              + " is not valid JSON ("
              + e.getOriginalMessage()
              + ") in '"
              + shorten(text)
              + "'; write e.g. "
              + example);
    }
  }

  private static String kind(JsonNode n) {
    return n.getNodeType().name().toLowerCase(Locale.ROOT) + " " + shorten(n.toString());
  }

  private static String shorten(String s) {
    return s.length() <= SHOWN ? s : s.substring(0, SHOWN) + "...";
  }

  /** A duration field: null when unset, else positive. */
  static Duration duration(String field, boolean present, com.google.protobuf.Duration d) {
    if (!present) {
      return null;
    }
    // protobuf's own range for a Duration: past it, java.time's arithmetic would overflow
    long maxSeconds = 315_576_000_000L;
    long seconds = d.getSeconds();
    int nanos = d.getNanos();
    if (seconds > maxSeconds
        || seconds < -maxSeconds
        || nanos > 999_999_999
        || nanos < -999_999_999
        || (seconds != 0 && nanos != 0 && (seconds < 0) != (nanos < 0))) {
      throw invalid(
          field
              + " is not a valid duration (seconds "
              + d.getSeconds()
              + ", nanos "
              + d.getNanos()
              + ")");
    }
    Duration out = Duration.ofSeconds(d.getSeconds(), d.getNanos());
    if (out.isNegative() || out.isZero()) {
      throw invalid(field + " must be positive, got " + out.toMillis() + "ms");
    }
    return out;
  }

  /**
   * Tells, when a client's side of an RPC ends, whether its deadline ended it rather than the
   * client itself. Both look the same on the wire: a client whose deadline passes cancels the
   * stream, and its cancel can reach the server before the server's copy of the deadline expires
   * (that copy starts when the request is read, a little later, more so on a loaded machine). A
   * cancel within a slack of the deadline is taken as the deadline: a quarter of the RPC's time, at
   * least 250 ms and at most 2 s. Create it when the RPC starts.
   */
  static final class ClientEnd {
    private static final long MIN_SLACK = TimeUnit.MILLISECONDS.toNanos(250);
    private static final long MAX_SLACK = TimeUnit.SECONDS.toNanos(2);

    private final Deadline deadline;
    private final long slackNanos;

    private ClientEnd(Deadline deadline) {
      this.deadline = deadline;
      long total = deadline == null ? 0 : deadline.timeRemaining(TimeUnit.NANOSECONDS);
      this.slackNanos = Math.min(MAX_SLACK, Math.max(MIN_SLACK, total / 4));
    }

    /** For the RPC of the current context. */
    static ClientEnd current() {
      return new ClientEnd(Context.current().getDeadline());
    }

    /** True when the RPC's end is (taken as) its deadline. */
    boolean deadlineReached() {
      return deadline != null && deadline.timeRemaining(TimeUnit.NANOSECONDS) <= slackNanos;
    }

    /** The reason to cancel the work with. */
    CancelReason reason() {
      return deadlineReached() ? CancelReason.DEADLINE_EXCEEDED : CancelReason.CANCELLED;
    }
  }

  /** The time left for the work, and whether the client's deadline is what bounds it. */
  record Budget(Duration left, boolean byClient) {}

  /**
   * The deadline of the server's own deadline owner (a run's or a call's scope): the earlier of
   * {@code timeout} (null = none) and the client's deadline made a little earlier, so that the
   * owner ends the work and answers {@code DEADLINE_EXCEEDED} before grpc's server-side timer for
   * the same deadline resets the stream (RST_STREAM CANCEL, which many clients report as {@code
   * CANCELLED}). The lead is a tenth of the client's time, at least 50 ms and at most 250 ms, and
   * never more than a quarter of it. {@code left} is null when neither is set.
   *
   * @throws StatusRuntimeException DEADLINE_EXCEEDED if the client's deadline has passed already
   */
  static Budget ownDeadline(Duration timeout, Deadline client) {
    Duration c = remaining(null, client);
    if (c == null) {
      return new Budget(timeout, false);
    }
    long n = c.toNanos();
    Duration own = Duration.ofNanos(n - leadNanos(n));
    return timeout == null || own.compareTo(timeout) < 0
        ? new Budget(own, true)
        : new Budget(timeout, false);
  }

  /**
   * How much earlier than a client's deadline {@code n} ns away the server's own owner of it fires:
   * a tenth, at least 50 ms and at most 250 ms, never more than a quarter.
   */
  static long leadNanos(long n) {
    return Math.min(n / 4, Math.min(MAX_LEAD, Math.max(MIN_LEAD, n / 10)));
  }

  private static final long MIN_LEAD = TimeUnit.MILLISECONDS.toNanos(50);
  private static final long MAX_LEAD = TimeUnit.MILLISECONDS.toNanos(250);

  /** The client's gRPC deadline, or null when it set none. */
  static Deadline clientDeadline() {
    return Context.current().getDeadline();
  }

  /**
   * The time left for the work: the earlier of {@code timeout} (null = none) and the client's
   * deadline (null = none); null when neither is set.
   *
   * @throws StatusRuntimeException DEADLINE_EXCEEDED if the client's deadline has passed already
   */
  static Duration remaining(Duration timeout, Deadline client) {
    Duration left = timeout;
    if (client != null) {
      long nanos = client.timeRemaining(TimeUnit.NANOSECONDS);
      if (nanos <= 0) {
        throw Status.DEADLINE_EXCEEDED
            .withDescription("the client's deadline passed before the work started")
            .asRuntimeException();
      }
      Duration c = Duration.ofNanos(nanos);
      left = left == null || c.compareTo(left) < 0 ? c : left;
    }
    return left;
  }
}
