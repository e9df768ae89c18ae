package dev.braid.gateway.workflow.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.braid.gateway.workflow.Block;
import dev.braid.gateway.workflow.CallPolicy;
import dev.braid.gateway.workflow.CircuitBreaker;
import dev.braid.gateway.workflow.Diagnostic;
import dev.braid.gateway.workflow.InputField;
import dev.braid.gateway.workflow.Jitter;
import dev.braid.gateway.workflow.Located;
import dev.braid.gateway.workflow.Location;
import dev.braid.gateway.workflow.RetryPolicy;
import dev.braid.gateway.workflow.Schedule;
import dev.braid.gateway.workflow.Secret;
import dev.braid.gateway.workflow.Template;
import dev.braid.gateway.workflow.ValueType;
import dev.braid.gateway.workflow.Workflow;
import dev.braid.model.Durations;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Builds the {@link Workflow} records from the source tree, checking the shape of every key as it
 * goes (unknown keys, types, durations, counts, enum words, expression syntax). It never stops at a
 * problem: a bad value is reported and left out, so one pass finds them all. Steps whose kind
 * cannot be told are left out too, and their names remembered ({@link #broken()}) so that the
 * reference checks do not report them a second time.
 */
public final class ModelBuilder {
  static final List<String> TOP_KEYS =
      List.of(
          "name",
          "description",
          "input",
          "secrets",
          "schedule",
          "timeout",
          "defaults",
          "steps",
          "output");
  static final List<String> POLICY_KEYS =
      List.of(
          "timeout",
          "total_timeout",
          "queue_timeout",
          "heartbeat_timeout",
          "retry",
          "circuit_breaker");
  static final List<String> RETRY_KEYS =
      List.of(
          "max_attempts",
          "initial_interval",
          "backoff",
          "max_interval",
          "jitter",
          "retry_on",
          "non_retryable");
  static final List<String> INPUT_KEYS = List.of("type", "default", "description", "required");

  final Fields fields;
  final Templates templates;
  final Path file;
  final SourceText src;
  final Function<Path, Optional<String>> scriptFiles;
  final CalleeLoader callees;
  private final StepBuilder steps;
  private CallPolicy defaults;
  private Workflow workflow;

  private ModelBuilder(
      Path file,
      SourceText src,
      List<Diagnostic> problems,
      Function<Path, Optional<String>> scriptFiles,
      CalleeLoader callees) {
    this.scriptFiles = scriptFiles;
    this.callees = callees;
    this.fields = new Fields(problems);
    this.templates = new Templates(problems);
    this.file = file;
    this.src = src;
    this.steps = new StepBuilder(this);
  }

  /** The workflow in {@code root}; problems go to {@code problems}. */
  public static ModelBuilder build(
      Path file,
      SourceText src,
      SourceNode root,
      List<Diagnostic> problems,
      Function<Path, Optional<String>> scriptFiles,
      CalleeLoader callees) {
    ModelBuilder b = new ModelBuilder(file, src, problems, scriptFiles, callees);
    b.workflow = b.workflow(root);
    return b;
  }

  public Workflow workflow() {
    return workflow;
  }

  /** Ids of steps left out of the model because their kind could not be told. */
  public Set<String> broken() {
    return steps.broken;
  }

  CallPolicy defaults() {
    return defaults;
  }

  private Workflow workflow(SourceNode root) {
    Location start = root.at();
    SourceNode.MapNode m =
        fields.mapping(
            root, "a workflow file", "; write keys such as name:, input:, steps: and output:");
    if (m == null) {
      m = new SourceNode.MapNode(start, List.of());
    }
    // x- keys are extension fields, ignored: a place to define YAML anchors (as in Compose files)
    fields.onlyKeys(
        new SourceNode.MapNode(
            m.at(), m.entries().stream().filter(e -> !e.key().startsWith("x-")).toList()),
        TOP_KEYS,
        "the workflow");
    String stem = file.getFileName().toString().replaceFirst("\\.[^.]*$", "");
    Located<String> name = fields.string(m, "name").orElse(new Located<>(stem, start));
    Map<String, InputField> input = input(m.get("input"));
    Map<String, Secret> secrets = SecretsBuilder.secrets(fields, m.entry("secrets"));
    Optional<Schedule> schedule = SecretsBuilder.schedule(fields, m.entry("schedule"));
    Optional<Located<Duration>> timeout = fields.duration(m, "timeout");
    SourceNode.Entry d = m.entry("defaults");
    defaults =
        d == null
            ? emptyPolicy(start)
            : policy(d.value(), d.keyAt(), "defaults", POLICY_KEYS, null);
    SourceNode.Entry s = m.entry("steps");
    Block block;
    if (s == null) {
      if (root instanceof SourceNode.MapNode) {
        fields.error(start, "a workflow needs steps: (a mapping of step names to steps)");
      }
      block = new Block(start, Map.of(), Optional.empty());
    } else {
      block = steps.block(s.value(), s.keyAt(), null, "steps", null);
    }
    Optional<Template> output = Optional.ofNullable(m.get("output")).map(templates::of);
    return new Workflow(
        file,
        start,
        name,
        fields.string(m, "description"),
        input,
        timeout,
        defaults,
        block,
        output,
        secrets,
        schedule);
  }

  private Map<String, InputField> input(SourceNode node) {
    Map<String, InputField> out = new LinkedHashMap<>();
    if (node == null) {
      return out;
    }
    SourceNode.MapNode m =
        fields.mapping(node, "input", ", e.g. input: { userId: integer, tier: string }");
    if (m == null) {
      return out;
    }
    List<ValueType> types = Fields.all(ValueType.class);
    for (SourceNode.Entry e : m.entries()) {
      SourceNode v = e.value();
      Optional<Located<ValueType>> type;
      Optional<Located<JsonNode>> dflt = Optional.empty();
      Optional<Located<String>> description = Optional.empty();
      Boolean required = null;
      if (v instanceof SourceNode.MapNode spec) {
        fields.onlyKeys(spec, INPUT_KEYS, "input field '" + e.key() + "'");
        type = fields.choice(spec, "type", ValueType.class, types);
        if (spec.get("type") == null) {
          fields.error(
              e.keyAt(),
              "input field '" + e.key() + "' needs a type: " + String.join(", ", words(types)));
        }
        SourceNode dv = spec.get("default");
        if (dv != null) {
          dflt = Optional.of(new Located<>(Templates.json(dv), dv.at()));
          if (type.isPresent() && !type.get().value().admits(dflt.get().value())) {
            fields.error(
                dv.at(),
                "the default of input field '"
                    + e.key()
                    + "' must be "
                    + type.get().value().article()
                    + ", not "
                    + dv.kind());
          }
        }
        description = fields.string(spec, "description");
        SourceNode r = spec.get("required");
        if (r instanceof SourceNode.ScalarNode rs && rs.value().isBoolean()) {
          required = rs.value().booleanValue();
        } else if (r != null) {
          fields.error(r.at(), "required must be true or false, not " + Fields.describe(r));
        }
      } else {
        type =
            fields.choice(v, "the type of input field '" + e.key() + "'", ValueType.class, types);
      }
      if (type.isEmpty()) {
        type = Optional.of(new Located<>(ValueType.ANY, e.keyAt()));
      }
      boolean req = required != null ? required : dflt.isEmpty();
      out.put(e.key(), new InputField(e.key(), e.keyAt(), type.get(), req, dflt, description));
    }
    return out;
  }

  static List<String> words(List<? extends Enum<?>> values) {
    return values.stream().map(v -> v.name().toLowerCase(Locale.ROOT)).toList();
  }

  static CallPolicy emptyPolicy(Location at) {
    return new CallPolicy(
        at,
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty());
  }

  /**
   * The settings in {@code node} (the {@code defaults} mapping), or in a step's mapping when {@code
   * node} is the step; each key not set falls back to {@code base}.
   */
  CallPolicy policy(
      SourceNode node, Location at, String where, List<String> keys, CallPolicy base) {
    SourceNode.MapNode m = fields.mapping(node, where, "");
    if (m == null) {
      return base != null ? base : emptyPolicy(at);
    }
    if (base == null) {
      fields.onlyKeys(m, keys, where);
      base = emptyPolicy(at);
    }
    Optional<RetryPolicy> retry = base.retry();
    SourceNode.Entry r = keys.contains("retry") ? m.entry("retry") : null;
    if (r != null) {
      retry = retry(r, base.retry().orElse(null));
    }
    Optional<CircuitBreaker> breaker = base.circuitBreaker();
    SourceNode.Entry cb = keys.contains("circuit_breaker") ? m.entry("circuit_breaker") : null;
    if (cb != null) {
      breaker = breaker(cb);
    }
    return new CallPolicy(
        at,
        keys.contains("timeout")
            ? or(fields.duration(m, "timeout"), base.timeout())
            : base.timeout(),
        keys.contains("total_timeout")
            ? or(fields.duration(m, "total_timeout"), base.totalTimeout())
            : base.totalTimeout(),
        or(fields.duration(m, "queue_timeout"), base.queueTimeout()),
        or(fields.duration(m, "heartbeat_timeout"), base.heartbeatTimeout()),
        retry,
        breaker);
  }

  private static <T> Optional<T> or(Optional<T> a, Optional<T> b) {
    return a.isPresent() ? a : b;
  }

  Optional<RetryPolicy> retry(SourceNode.Entry entry, RetryPolicy base) {
    SourceNode.MapNode m =
        fields.mapping(
            entry.value(), "retry", ", e.g. retry: { max_attempts: 3, initial_interval: 100ms }");
    if (m == null) {
      return Optional.ofNullable(base);
    }
    fields.onlyKeys(m, RETRY_KEYS, "retry");
    Location at = entry.keyAt();
    Located<Integer> attempts =
        fields
            .count(m, "max_attempts", 1)
            .orElse(
                base != null
                    ? base.maxAttempts()
                    : new Located<>(RetryPolicy.DEFAULT_MAX_ATTEMPTS, at));
    Located<Duration> initial =
        fields
            .duration(m, "initial_interval")
            .orElse(
                base != null
                    ? base.initialInterval()
                    : new Located<>(RetryPolicy.DEFAULT_INITIAL_INTERVAL, at));
    Located<Double> backoff =
        fields
            .number(m, "backoff", 1)
            .orElse(base != null ? base.backoff() : new Located<>(RetryPolicy.DEFAULT_BACKOFF, at));
    Optional<Located<Duration>> maxWritten = fields.duration(m, "max_interval");
    Located<Duration> max =
        maxWritten.orElse(
            base != null
                ? base.maxInterval()
                : new Located<>(RetryPolicy.DEFAULT_MAX_INTERVAL, at));
    if (max.value().compareTo(initial.value()) < 0
        && (maxWritten.isPresent() || m.get("initial_interval") != null)) {
      fields.error(
          maxWritten.isPresent() ? max.at() : initial.at(),
          "max_interval ("
              + Durations.format(max.value())
              + ") is shorter than initial_interval ("
              + Durations.format(initial.value())
              + ")");
    }
    Located<Jitter> jitter =
        fields
            .choice(m, "jitter", Jitter.class, Fields.all(Jitter.class))
            .orElse(base != null ? base.jitter() : new Located<>(Jitter.FULL, at));
    List<Located<String>> retryOn =
        m.get("retry_on") != null
            ? fields.strings(m, "retry_on")
            : base != null ? base.retryOn() : List.of();
    List<Located<String>> nonRetryable =
        m.get("non_retryable") != null
            ? fields.strings(m, "non_retryable")
            : base != null ? base.nonRetryable() : List.of();
    return Optional.of(
        new RetryPolicy(at, attempts, initial, backoff, max, jitter, retryOn, nonRetryable));
  }

  private Optional<CircuitBreaker> breaker(SourceNode.Entry entry) {
    SourceNode.MapNode m =
        fields.mapping(
            entry.value(),
            "circuit_breaker",
            ", e.g. circuit_breaker: { failure_threshold: 5, reset_timeout: 30s }");
    if (m == null) {
      return Optional.empty();
    }
    fields.onlyKeys(m, List.of("failure_threshold", "reset_timeout"), "circuit_breaker");
    Location at = entry.keyAt();
    return Optional.of(
        new CircuitBreaker(
            at,
            fields
                .count(m, "failure_threshold", 1)
                .orElse(new Located<>(CircuitBreaker.DEFAULT_FAILURE_THRESHOLD, at)),
            fields
                .duration(m, "reset_timeout")
                .orElse(new Located<>(CircuitBreaker.DEFAULT_RESET_TIMEOUT, at))));
  }
}
