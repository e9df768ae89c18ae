package dev.braid.gateway.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.braid.api.Braid;
import dev.braid.api.BraidConfig;
import dev.braid.api.CallOptions;
import dev.braid.api.RemoteCall;
import dev.braid.api.RemoteFunction;
import dev.braid.api.RemoteStream;
import dev.braid.api.RetryPolicy;
import dev.braid.model.BraidFailure;
import dev.braid.model.Durations;
import dev.braid.model.Failure;
import dev.braid.model.Failures;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code braid call FUNCTION [JSON-ARG...]}: one call, its result as JSON on stdout. */
@Command(
    name = "call",
    mixinStandardHelpOptions = true,
    description = {
      "Call one function and print its result as JSON on stdout.",
      "Exit 0 on success, 1 if the call failed (the failure goes to stderr), 2 on bad usage."
    },
    footer = {
      "",
      "Examples:",
      "  braid call python:pricing:quote '[{\"sku\":\"tea\",\"qty\":2}]' --python-path examples/python",
      "  braid call node:quote.mjs#quote '\"tea\"' --node-path examples/node",
      "  braid call java:examples.Recs#forUser 7 --java-classpath examples/java/classes",
      "  braid call python:pricing:countdown 3 --stream --python-path examples/python",
      "  braid call python:pricing:quote '[{\"sku\":\"tea\",\"qty\":2}]' --retry 3 --timeout 2s \\",
      "      --python-path examples/python"
    })
final class CallCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final int MAX_RETRIES = 100;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(
      index = "0",
      paramLabel = "FUNCTION",
      description = "python:pkg.module:func, node:file.mjs#export or java:pkg.Class#method")
  String function;

  @Parameters(
      index = "1..*",
      paramLabel = "JSON-ARG",
      description = "positional arguments, each a JSON value")
  List<String> args = new ArrayList<>();

  @Option(
      names = "--kwargs",
      paramLabel = "JSON-OBJECT",
      description = "keyword arguments as one JSON object")
  String kwargs;

  @Option(
      names = "--timeout",
      paramLabel = "D",
      description = "deadline for the call, e.g. 500ms, 2s")
  String timeout;

  @Option(
      names = "--grace",
      paramLabel = "D",
      description = "time the function gets to clean up after a cancel (default 2s)")
  String grace;

  @Option(
      names = "--retry",
      paramLabel = "N",
      description = {
        "try again up to N times after a failure (0.."
            + MAX_RETRIES
            + ", default 0); never after"
            + " a cancel or bad input. --timeout then bounds each attempt"
      })
  int retry;

  @Option(
      names = "--retry-backoff",
      paramLabel = "D",
      description = "wait before the first retry, doubling for each next one (default 100ms)")
  String retryBackoff;

  @Option(
      names = "--retry-max-wait",
      paramLabel = "D",
      description = "the longest wait between retries (default 10s)")
  String retryMaxWait;

  @CommandLine.Mixin WorkerOptions paths = new WorkerOptions();

  @Option(
      names = "--stream",
      description = "the function is a generator: print one JSON item per line")
  boolean stream;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<Object> jsonArgs = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      jsonArgs.add(parseJson(args.get(i), "argument " + (i + 1)));
    }
    Map<String, Object> kw = Map.of();
    if (kwargs != null) {
      JsonNode k = parseJson(kwargs, "--kwargs");
      if (!k.isObject()) {
        throw usage("--kwargs must be a JSON object, e.g. '{\"user_id\": 42}'");
      }
      kw =
          JSON.convertValue(
              k, JSON.getTypeFactory().constructMapType(Map.class, String.class, Object.class));
    }
    CallOptions.Builder opts = CallOptions.builder();
    if (timeout != null) {
      opts.timeout(duration(timeout, "--timeout"));
    }
    if (grace != null) {
      opts.grace(duration(grace, "--grace"));
    }
    RetryPolicy retryPolicy = retryPolicy();
    if (retryPolicy != null) {
      if (stream) {
        throw usage(
            "--retry does not apply to --stream (items already printed cannot be taken back)");
      }
      opts.retry(retryPolicy);
    }
    BraidConfig.Builder cfg = paths.config();
    RemoteFunction fn;
    try (Braid braid = Braid.start(cfg.build())) {
      try {
        fn = braid.function(function);
      } catch (IllegalArgumentException e) {
        throw usage(e.getMessage());
      }
      Interrupt interrupt = new Interrupt(braid);
      Runtime.getRuntime().addShutdownHook(interrupt);
      try {
        return stream
            ? streamCall(fn, jsonArgs, opts.build(), interrupt, out, err)
            : unaryCall(fn, jsonArgs, kw, opts.build(), interrupt, out, err);
      } finally {
        interrupt.disarm();
      }
    }
  }

  private int unaryCall(
      RemoteFunction fn,
      List<Object> a,
      Map<String, Object> kw,
      CallOptions o,
      Interrupt interrupt,
      PrintWriter out,
      PrintWriter err) {
    RemoteCall call = fn.call(a, kw, o);
    interrupt.target = () -> call.cancel(true);
    try {
      JsonNode v = call.get();
      out.println(render(v));
      out.flush();
      return 0;
    } catch (ExecutionException | CancellationException e) {
      return reportFailure(e, err);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      call.cancel(true);
      return 130;
    }
  }

  private int streamCall(
      RemoteFunction fn,
      List<Object> a,
      CallOptions o,
      Interrupt interrupt,
      PrintWriter out,
      PrintWriter err) {
    RemoteStream s = fn.stream(a, o);
    s.subscribe(
        new Flow.Subscriber<>() {
          private Flow.Subscription sub;
          private int sinceRequest;

          @Override
          public void onSubscribe(Flow.Subscription subscription) {
            sub = subscription;
            interrupt.target = subscription::cancel;
            subscription.request(64);
          }

          @Override
          public void onNext(JsonNode item) {
            out.println(item.toString());
            if (++sinceRequest == 32) {
              out.flush();
              sinceRequest = 0;
              sub.request(32);
            }
          }

          @Override
          public void onError(Throwable t) {}

          @Override
          public void onComplete() {}
        });
    try {
      s.completion().get();
      out.flush();
      return 0;
    } catch (ExecutionException | CancellationException e) {
      out.flush();
      return reportFailure(e, err);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 130;
    }
  }

  private int reportFailure(Exception e, PrintWriter err) {
    Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
    Failure f = Failures.fromThrowable(cause);
    err.println("error: " + f.render());
    if (f.message().contains("call it as a stream")) {
      err.println("hint: add --stream to print the generator's items");
    }
    if (cause instanceof BraidFailure bf && bf.abandoned()) {
      err.println("note: the function did not stop within its grace period and was abandoned");
    }
    err.flush();
    return 1;
  }

  private String render(JsonNode v) throws RuntimeException {
    try {
      return System.console() != null
          ? JSON.writerWithDefaultPrettyPrinter().writeValueAsString(v)
          : JSON.writeValueAsString(v);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private JsonNode parseJson(String text, String what) {
    try {
      return JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw usage(
          what
              + " is not valid JSON: "
              + text
              + " ("
              + e.getOriginalMessage()
              + "). Quote strings twice, e.g. '\"text\"'");
    }
  }

  /** The policy of {@code --retry} and its wait options; null for one attempt. */
  private RetryPolicy retryPolicy() {
    if (retry < 0 || retry > MAX_RETRIES) {
      throw usage("--retry must be 0.." + MAX_RETRIES + ", got " + retry);
    }
    if (retry == 0) {
      if (retryBackoff != null || retryMaxWait != null) {
        throw usage("--retry-backoff and --retry-max-wait need --retry N");
      }
      return null;
    }
    RetryPolicy.Builder b = RetryPolicy.builder().maxAttempts(retry + 1);
    Duration initial = RetryPolicy.DEFAULT_INITIAL_INTERVAL;
    Duration max = RetryPolicy.DEFAULT_MAX_INTERVAL;
    if (retryBackoff != null) {
      initial = duration(retryBackoff, "--retry-backoff");
    }
    if (retryMaxWait != null) {
      max = duration(retryMaxWait, "--retry-max-wait");
    }
    if (max.compareTo(initial) < 0) {
      throw usage(
          "--retry-max-wait ("
              + Durations.format(max)
              + ") is shorter than --retry-backoff ("
              + Durations.format(initial)
              + ")");
    }
    return b.initialInterval(initial).maxInterval(max).build();
  }

  private Duration duration(String text, String option) {
    try {
      return Durations.parse(text);
    } catch (IllegalArgumentException e) {
      throw usage(option + ": " + e.getMessage());
    }
  }

  private CommandLine.ParameterException usage(String message) {
    return new CommandLine.ParameterException(spec.commandLine(), message);
  }

  /**
   * Ctrl-C: cancel the call so the worker observes it (reason {@code cancelled}), then stop the
   * workers within their grace period; the JVM then exits with 130.
   */
  private static final class Interrupt extends Thread {
    volatile Runnable target;
    private final Braid braid;
    private volatile boolean armed = true;

    Interrupt(Braid braid) {
      super("braid-interrupt");
      this.braid = braid;
    }

    void disarm() {
      armed = false;
      try {
        Runtime.getRuntime().removeShutdownHook(this);
      } catch (IllegalStateException alreadyShuttingDown) {
        // the hook is running or has run
      }
    }

    @Override
    public void run() {
      Runnable t = target;
      if (!armed) {
        return;
      }
      if (t != null) {
        t.run();
      }
      braid.close();
    }
  }
}
