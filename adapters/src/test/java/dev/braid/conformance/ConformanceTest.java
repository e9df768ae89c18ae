package dev.braid.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.braid.api.Braid;
import dev.braid.api.BraidConfig;
import dev.braid.api.CallOptions;
import dev.braid.api.CancellationMode;
import dev.braid.api.Cleanup;
import dev.braid.api.RemoteCall;
import dev.braid.api.RemoteStream;
import dev.braid.api.RetryPolicy;
import dev.braid.model.BraidCancellationException;
import dev.braid.model.BraidFailure;
import dev.braid.model.CancelReason;
import dev.braid.model.DeadlineExceededException;
import dev.braid.model.Failure;
import dev.braid.model.FailureCode;
import dev.braid.model.RemoteException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;

/**
 * The conformance suite (DESIGN §3): one table of scenarios, run with each language as the callee,
 * and the nested-call scenarios for every caller -> callee pair. Prints the matrix and writes it to
 * {@code target/conformance.md}. A scenario a language cannot honour is a failing cell with its
 * reason, never a skipped one.
 */
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class ConformanceTest {
  /** {@code java-proc}: the same Java functions, in a Java worker process (a second Braid). */
  static final List<String> LANGS = List.of("java", "java-proc", "python", "node");

  static final Path ROOT = Path.of("src/test/conformance").toAbsolutePath();
  static final Duration WAIT = Duration.ofSeconds(30);
  static final ObjectMapper JSON = new ObjectMapper();

  static Braid braid;
  static Braid braidProc;

  /** The Braid of the cell running now: {@link #braidProc} when a java-proc is involved. */
  static volatile Braid active;

  static Path tmp;
  static final Matrix callee = new Matrix(LANGS);
  static final List<String> PAIRS = new ArrayList<>();
  static Matrix pairs;

  static {
    for (String c : LANGS) {
      for (String l : LANGS) {
        if (mixesJavaHosts(c, l)) {
          continue;
        }
        PAIRS.add(c + "→" + l);
      }
    }
    pairs = new Matrix(PAIRS);
  }

  @BeforeAll
  static void start() throws Exception {
    tmp = Files.createTempDirectory("braid-conformance-");
    braid =
        Braid.start(
            BraidConfig.builder()
                .addPythonPath(ROOT.resolve("python"))
                .addNodePath(ROOT.resolve("node"))
                .pingInterval(Duration.ofMillis(200))
                .livenessTimeout(Duration.ofMillis(1500))
                .defaultGrace(Duration.ofSeconds(1))
                .build());
    braidProc =
        Braid.start(
            BraidConfig.builder()
                .addPythonPath(ROOT.resolve("python"))
                .addNodePath(ROOT.resolve("node"))
                .pingInterval(Duration.ofMillis(200))
                .livenessTimeout(Duration.ofMillis(1500))
                .defaultGrace(Duration.ofSeconds(1))
                .javaInProcess(false)
                .build());
  }

  @AfterAll
  static void report() {
    braid.close();
    braidProc.close();
    String text =
        "# Conformance matrix\n\nProduced by `ConformanceTest` (adapters), "
            + LocalDate.now()
            + ".\n\n"
            + "`java`: Java functions in the gateway's JVM (the local CLI, `braid serve"
            + " --java-in-process`); `java-proc`: the same functions in a Java worker process"
            + " (`braid serve`'s default).\n\n"
            + callee.render("Scenario x callee language")
            + "\n"
            + pairs.render("Nested calls: caller → callee");
    System.out.println(text);
    Matrix.write(Path.of("target/conformance.md"), text);
  }

  /** {@code lang} may name a remote pool, {@code python@edge} (RemoteConformanceTest). */
  static String ref(String lang, String fn) {
    int at = lang.indexOf('@');
    String pool = at < 0 ? "" : lang.substring(at);
    return switch (at < 0 ? lang : lang.substring(0, at)) {
      case "python" -> "python" + pool + ":conf:" + fn;
      case "node" -> "node" + pool + ":conf.mjs#" + fn;
      default -> "java:dev.braid.conformance.ConfFuncs#" + camel(fn); // java, java-proc
    };
  }

  private static String camel(String snake) {
    StringBuilder sb = new StringBuilder();
    boolean up = false;
    for (char ch : snake.toCharArray()) {
      if (ch == '_') {
        up = true;
      } else {
        sb.append(up ? Character.toUpperCase(ch) : ch);
        up = false;
      }
    }
    return sb.toString();
  }

  interface Body {
    void run(String lang) throws Exception;
  }

  interface PairBody {
    void run(String caller, String calleeLang) throws Exception;
  }

  private static DynamicContainer scenario(String name, Body body) {
    return DynamicContainer.dynamicContainer(
        name,
        LANGS.stream()
            .map(
                l ->
                    DynamicTest.dynamicTest(
                        l, recorded(callee, name, l, () -> on(l.equals("java-proc"), l, body)))));
  }

  private static DynamicContainer pairScenario(String name, PairBody body) {
    List<DynamicNode> tests = new ArrayList<>();
    for (String c : LANGS) {
      for (String l : LANGS) {
        if (mixesJavaHosts(c, l)) {
          continue;
        }
        tests.add(
            DynamicTest.dynamicTest(
                c + "→" + l,
                recorded(
                    pairs,
                    name,
                    c + "→" + l,
                    () -> {
                      active = c.equals("java-proc") || l.equals("java-proc") ? braidProc : braid;
                      body.run(c, l);
                    })));
      }
    }
    return DynamicContainer.dynamicContainer(name, tests);
  }

  /** One Braid runs java: functions one way only: in process or in a Java worker process. */
  static boolean mixesJavaHosts(String a, String b) {
    return a.startsWith("java") && b.startsWith("java") && !a.equals(b);
  }

  private static void on(boolean proc, String lang, Body body) throws Exception {
    active = proc ? braidProc : braid;
    body.run(lang);
  }

  /**
   * Cells a language cannot honour, with the reason. They stay failing cells in the matrix; the
   * test fails if one of them starts passing (so the list is kept honest) or any other cell fails.
   */
  static final Map<String, String> KNOWN_FAILURES =
      Map.of(
          "callee process killed/java",
          "in-process Java functions run inside the gateway's own process: there is no callee"
              + " process to kill");

  private static Executable recorded(Matrix m, String scenario, String column, Executable e) {
    String known = KNOWN_FAILURES.get(scenario + "/" + column);
    return () -> {
      try {
        e.execute();
      } catch (Throwable t) {
        String msg = t.getMessage() == null ? t.toString() : t.getMessage();
        m.fail(scenario, column, msg.length() > 300 ? msg.substring(0, 300) + "…" : msg);
        if (known == null) {
          throw t;
        }
        return; // a known failing cell: recorded as FAIL, with its reason
      }
      m.pass(scenario, column);
      if (known != null) {
        fail("'" + scenario + "' for " + column + " passes now; remove it from KNOWN_FAILURES");
      }
    };
  }

  static Path folder() throws Exception {
    return Files.createTempDirectory(tmp, "m");
  }

  static void awaitFile(Path p) {
    await().atMost(WAIT).until(() -> Files.exists(p));
  }

  static String read(Path p) throws Exception {
    awaitFile(p);
    return Files.readString(p);
  }

  static JsonNode value(RemoteCall c) throws Exception {
    return c.get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  static Throwable failure(RemoteCall c) throws Exception {
    try {
      JsonNode v = c.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      return fail("expected a failure, got " + v);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (CancellationException e) {
      return e;
    }
  }

  static RemoteCall call(String lang, String fn, List<?> args, CallOptions o) {
    return active.function(ref(lang, fn)).call(args, o);
  }

  static CallOptions.Builder opts() {
    return CallOptions.builder();
  }

  @TestFactory
  Stream<DynamicNode> calleeScenarios() {
    return Stream.of(
        scenario(
            "success",
            l ->
                assertThat(value(call(l, "echo", List.of("ok"), CallOptions.DEFAULT)).asText())
                    .isEqualTo("ok")),
        scenario("json round trip of awkward values", ConformanceTest::awkwardJson),
        scenario("application error with cause chain", ConformanceTest::errorWithCause),
        scenario("deadline exceeded (callee observes it)", ConformanceTest::deadline),
        scenario("explicit cancel (callee observes the reason)", ConformanceTest::cancel),
        scenario("retry: the callee sees attempt 3 on the third try", ConformanceTest::attempts),
        scenario(
            "retry: every attempt sees the same idempotency key", ConformanceTest::idempotencyKey),
        scenario("secrets: the callee reads the ones sent, only those", ConformanceTest::secrets),
        scenario("cancellation mode try", ConformanceTest::modeTry),
        scenario("cancellation mode wait", ConformanceTest::modeWait),
        scenario("cancellation mode abandon", ConformanceTest::modeAbandon),
        scenario("callee ignores cancellation (abandoned)", ConformanceTest::ignoresCancel),
        scenario("callee blocks its event loop / thread", ConformanceTest::blocks),
        scenario("callee process killed", ConformanceTest::killed),
        scenario("stream 10,000 items, slow consumer, bounded", ConformanceTest::stream),
        scenario("1,000 concurrent calls", ConformanceTest::concurrent),
        scenario("JSON rule: NaN result refused", l -> unjson(l, "nan", "is NaN")),
        scenario(
            "JSON rule: ±Infinity result refused",
            l -> {
              unjson(l, "inf", "is Infinity");
              unjson(l, "neg_inf", "is -Infinity");
            }),
        scenario(
            "JSON rule: cyclic result refused",
            l -> unjson(l, "cycle", "refers back to $ (a cycle)")),
        scenario(
            "JSON rule: result nested 1,001 deep refused (limit 512)",
            l -> unjson(l, "deep", "[0]".repeat(13) + "... is nested deeper than 512 levels")),
        scenario(
            "JSON rule: value with no JSON form (py set, js BigInt, java Object)",
            l ->
                unjson(
                    l,
                    "no_form",
                    "has no JSON form ("
                        + Map.of(
                                "python",
                                "set",
                                "node",
                                "BigInt",
                                "java",
                                "Object",
                                "java-proc",
                                "Object")
                            .get(l)
                        + ")")),
        scenario(
            "JSON rule: bytes refused (py bytes, js Buffer, java byte[])",
            l ->
                unjson(
                    l,
                    "bytes",
                    "has no JSON form ("
                        + Map.of(
                                "python",
                                "bytes",
                                "node",
                                "Buffer",
                                "java",
                                "byte[]",
                                "java-proc",
                                "byte[]")
                            .get(l)
                        + ")")),
        scenario(
            "JSON rule: returning nothing is null (js: undefined in a list refused)",
            ConformanceTest::nothing),
        scenario("JSON rule: result over max_payload_bytes refused", ConformanceTest::oversize),
        scenario("JSON rule: NaN stream item ends the stream", ConformanceTest::badStream),
        scenario("JSON rule: NaN in a nested call's arguments", ConformanceTest::nestedNan),
        scenario("JSON rule: NaN in arguments from the gateway", ConformanceTest::gatewayNan));
  }

  @TestFactory
  Stream<DynamicNode> nestedScenarios() {
    return Stream.of(
        pairScenario("nested call", ConformanceTest::nestedCall),
        pairScenario("nested cancel cascade", ConformanceTest::nestedCancel),
        DynamicContainer.dynamicContainer(
            "cascade java→python→node",
            Stream.of(
                DynamicTest.dynamicTest(
                    "all three observe the cancel",
                    recorded(
                        callee,
                        "cancel cascade java→python→node",
                        "java",
                        ConformanceTest::cascadeThree)))));
  }

  static void awkwardJson(String l) throws Exception {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("unicode", "Zoë 🧵 東京 \u0000 \"q\" \\");
    v.put("max_safe", 9007199254740991L);
    v.put("min_safe", -9007199254740991L);
    v.put("float", 1.5);
    v.put("nested", Map.of("a", List.of(1, List.of(2, List.of(3)))));
    v.put("empty_object", Map.of());
    v.put("empty_list", List.of());
    v.put("empty_string", "");
    v.put("null", null);
    v.put("bool", true);
    JsonNode back = value(call(l, "echo", Collections.singletonList(v), CallOptions.DEFAULT));
    assertThat(back).isEqualTo(JSON.valueToTree(v));
    assertThat(
            value(call(l, "echo", Collections.singletonList(null), CallOptions.DEFAULT)).isNull())
        .isTrue();
  }

  static void errorWithCause(String l) throws Exception {
    Throwable t = failure(call(l, "fail", List.of("boom"), CallOptions.DEFAULT));
    assertThat(t).isInstanceOf(RemoteException.class);
    Failure f = ((RemoteException) t).failure();
    assertThat(f.code()).isEqualTo(FailureCode.APPLICATION);
    assertThat(f.message()).isEqualTo("boom");
    assertThat(f.language()).isEqualTo(l.startsWith("java") ? "java" : l.replaceFirst("@.*", ""));
    assertThat(f.stack()).isNotBlank();
    assertThat(f.cause()).as("cause").isNotNull();
    assertThat(f.cause().message()).contains("inner");
  }

  static void deadline(String l) throws Exception {
    Path m = folder();
    RemoteCall c =
        call(
            l,
            "sleep_marked",
            List.of(m.toString(), 30),
            opts().timeout(Duration.ofMillis(400)).build());
    assertThat(failure(c)).isInstanceOf(DeadlineExceededException.class);
    assertThat(read(m.resolve("cancelled"))).isEqualTo("deadline_exceeded");
  }

  static void attempts(String l) throws Exception {
    RetryPolicy retry =
        RetryPolicy.builder()
            .maxAttempts(3)
            .initialInterval(Duration.ofMillis(10))
            .jitter(false)
            .build();
    RemoteCall c = call(l, "fail_before_attempt", List.of(3), opts().retry(retry).build());
    assertThat(value(c).asInt()).isEqualTo(3);
  }

  static void idempotencyKey(String l) throws Exception {
    Path m = folder();
    RetryPolicy retry =
        RetryPolicy.builder()
            .maxAttempts(3)
            .initialInterval(Duration.ofMillis(10))
            .jitter(false)
            .build();
    String key = "run-1/items[2].charge";
    RemoteCall c =
        call(
            l,
            "keyed_attempt",
            List.of(m.toString(), 3),
            opts().retry(retry).idempotencyKey(key).build());
    assertThat(value(c).asInt()).isEqualTo(3);
    for (int a = 1; a <= 3; a++) {
      assertThat(read(m.resolve("attempt-" + a))).as("attempt " + a).isEqualTo(key);
    }
    assertThat(m.resolve("attempt-4")).doesNotExist();
  }

  static void secrets(String l) throws Exception {
    CallOptions o = opts().secrets(Map.of("API_TOKEN", "t0k-" + l)).build();
    assertThat(value(call(l, "secret_of", List.of("API_TOKEN"), o)).asText()).isEqualTo("t0k-" + l);
    assertThat(value(call(l, "secret_of", List.of("OTHER"), o)).asText())
        .startsWith("missing: ")
        .contains("secret 'OTHER' was not given to this call")
        .contains("API_TOKEN")
        .doesNotContain("t0k-");
    assertThat(o.toString()).contains("secrets=[API_TOKEN]").doesNotContain("t0k-");
  }

  static void cancel(String l) throws Exception {
    Path m = folder();
    RemoteCall c = call(l, "sleep_marked", List.of(m.toString(), 30), CallOptions.DEFAULT);
    awaitFile(m.resolve("started"));
    c.cancel(true);
    Throwable t = failure(c);
    assertThat(t).isInstanceOf(BraidCancellationException.class);
    assertThat(((BraidCancellationException) t).reason()).isEqualTo(CancelReason.CANCELLED);
    assertThat(read(m.resolve("cancelled"))).isEqualTo("cancelled");
  }

  static void modeTry(String l) throws Exception {
    Path m = folder();
    RemoteCall c =
        call(
            l,
            "slow_cleanup",
            List.of(m.toString(), 1.0),
            opts().cancellationMode(CancellationMode.TRY).grace(Duration.ofSeconds(5)).build());
    awaitFile(m.resolve("started"));
    c.cancel(true);
    assertThat(c).isDone();
    assertThat(Files.exists(m.resolve("cleaned")))
        .as("cleanup still running when the caller settled")
        .isFalse();
    assertThat(c.cleanup().get(30, TimeUnit.SECONDS)).isEqualTo(Cleanup.COMPLETED);
    assertThat(Files.exists(m.resolve("cleaned"))).isTrue();
  }

  static void modeWait(String l) throws Exception {
    Path m = folder();
    RemoteCall c =
        call(
            l,
            "slow_cleanup",
            List.of(m.toString(), 0.5),
            opts().cancellationMode(CancellationMode.WAIT).grace(Duration.ofSeconds(5)).build());
    awaitFile(m.resolve("started"));
    c.cancel(true);
    assertThat(c).isNotDone();
    Throwable t = failure(c);
    assertThat(t).isInstanceOf(BraidCancellationException.class);
    assertThat(((BraidFailure) t).abandoned()).isFalse();
    assertThat(Files.exists(m.resolve("cleaned")))
        .as("cleanup finished before the caller settled")
        .isTrue();
  }

  static void modeAbandon(String l) throws Exception {
    Path m = folder();
    RemoteCall c =
        call(
            l,
            "sleep_marked",
            List.of(m.toString(), 0.5),
            opts().cancellationMode(CancellationMode.ABANDON).build());
    awaitFile(m.resolve("started"));
    c.cancel(true);
    assertThat(failure(c)).isInstanceOf(BraidCancellationException.class);
    assertThat(c.cleanup().get(30, TimeUnit.SECONDS)).isEqualTo(Cleanup.ABANDONED);
    awaitFile(m.resolve("finished"));
    assertThat(Files.exists(m.resolve("cancelled"))).as("no cancel was sent").isFalse();
  }

  static void ignoresCancel(String l) throws Exception {
    Path m = folder();
    RemoteCall c =
        call(
            l,
            "ignore_cancel",
            List.of(m.toString(), 4),
            opts()
                .timeout(Duration.ofMillis(300))
                .grace(Duration.ofMillis(300))
                .cancellationMode(CancellationMode.WAIT)
                .build());
    Throwable t = failure(c);
    assertThat(t).isInstanceOf(DeadlineExceededException.class);
    assertThat(((BraidFailure) t).abandoned()).isTrue();
    assertThat(Files.exists(m.resolve("finished")))
        .as("settled before the callee finished")
        .isFalse();
  }

  static void blocks(String l) throws Exception {
    long pid = value(call(l, "pid", List.of(), CallOptions.DEFAULT)).asLong();
    RemoteCall c = call(l, "block", List.of(3), opts().timeout(Duration.ofMillis(500)).build());
    assertThat(failure(c)).isInstanceOf(DeadlineExceededException.class);
    if (!l.startsWith("java")) {
      // a worker whose loop is blocked stops answering pings and is recycled (a Java worker
      // answers pings from its stream's thread: one blocked function thread does not block it)
      await()
          .atMost(WAIT)
          .until(() -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) == false);
    }
    // the language keeps serving: a new worker, or (Java) another thread
    assertThat(
            value(call(l, "echo", List.of("after"), opts().timeout(Duration.ofSeconds(20)).build()))
                .asText())
        .isEqualTo("after");
  }

  static void killed(String l) throws Exception {
    long pid = value(call(l, "pid", List.of(), CallOptions.DEFAULT)).asLong();
    if (pid == ProcessHandle.current().pid()) {
      fail(
          "in-process Java functions run inside the gateway's own process: there is no callee process to kill");
    }
    Path m = folder();
    RemoteCall c = call(l, "sleep_marked", List.of(m.toString(), 30), CallOptions.DEFAULT);
    awaitFile(m.resolve("started"));
    ProcessHandle.of(pid).orElseThrow().destroyForcibly();
    Throwable t = failure(c);
    assertThat(t).isInstanceOf(RemoteException.class);
    assertThat(((RemoteException) t).code()).isEqualTo(FailureCode.UNAVAILABLE);
    assertThat(
            value(
                    call(
                        l,
                        "echo",
                        List.of("replaced"),
                        opts().timeout(Duration.ofSeconds(20)).build()))
                .asText())
        .isEqualTo("replaced");
  }

  static void stream(String l) throws Exception {
    RemoteStream s = active.function(ref(l, "count")).stream(List.of(10_000), CallOptions.DEFAULT);
    List<Integer> got = new CopyOnWriteArrayList<>();
    CompletableFuture<Flow.Subscription> sub = new CompletableFuture<>();
    s.subscribe(
        new Flow.Subscriber<>() {
          @Override
          public void onSubscribe(Flow.Subscription x) {
            sub.complete(x);
          }

          @Override
          public void onNext(JsonNode item) {
            got.add(item.asInt());
          }

          @Override
          public void onError(Throwable t) {}

          @Override
          public void onComplete() {}
        });
    Flow.Subscription subscription = sub.get(5, TimeUnit.SECONDS);
    int maxAhead = 0;
    for (int step = 1; step <= 20; step++) {
      subscription.request(10);
      int want = step * 10;
      await().atMost(WAIT).until(() -> got.size() == want);
      Thread.sleep(20); // a slow consumer: give the producer every chance to run ahead
      int produced = value(call(l, "produced", List.of(), CallOptions.DEFAULT)).asInt();
      maxAhead = Math.max(maxAhead, produced - got.size());
    }
    assertThat(maxAhead)
        .as("items produced beyond what the consumer requested")
        .isLessThanOrEqualTo(1);
    subscription.request(Long.MAX_VALUE);
    s.completion().get(60, TimeUnit.SECONDS);
    assertThat(got).hasSize(10_000);
    for (int i = 0; i < got.size(); i++) {
      if (got.get(i) != i) {
        fail("item " + i + " arrived as " + got.get(i));
      }
    }
  }

  static void concurrent(String l) throws Exception {
    List<RemoteCall> calls = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      calls.add(call(l, "sleep_then", List.of(0.05, i), CallOptions.DEFAULT));
    }
    CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    for (int i = 0; i < 1000; i++) {
      assertThat(calls.get(i).get().asInt()).isEqualTo(i);
    }
  }

  /** The failure record of a call that must fail. */
  static Failure failed(RemoteCall c) throws Exception {
    Throwable t = failure(c);
    assertThat(t).isInstanceOf(RemoteException.class);
    return ((RemoteException) t).failure();
  }

  /** The local part of a reference, as the callee names itself in messages. */
  static String local(String ref) {
    return ref.substring(ref.indexOf(':') + 1);
  }

  /** unjson(kind) puts the bad value at $.items[1].price in every language. */
  static void unjson(String l, String kind, String words) throws Exception {
    Failure f = failed(call(l, "unjson", List.of(kind), CallOptions.DEFAULT));
    assertThat(f.code()).isEqualTo(FailureCode.INVALID_ARGUMENT);
    assertThat(f.type()).isEqualTo("NotSerializable");
    assertThat(f.language()).isEqualTo(l.startsWith("java") ? "java" : l.replaceFirst("@.*", ""));
    assertThat(f.message())
        .isEqualTo(
            "cannot send the result of "
                + local(ref(l, "unjson"))
                + " as JSON: $.items[1].price"
                + (words.startsWith("[") ? "" : " ")
                + words);
  }

  static void nothing(String l) throws Exception {
    assertThat(value(call(l, "nothing", List.of(), CallOptions.DEFAULT)).isNull()).isTrue();
    if (l.equals("node")) {
      unjson(l, "undefined", "[0] is undefined");
    }
  }

  static void oversize(String l) throws Exception {
    int limit = braid.config().maxPayloadBytes();
    Failure f = failed(call(l, "big", List.of(limit), CallOptions.DEFAULT));
    assertThat(f.code()).isEqualTo(FailureCode.RESOURCE_EXHAUSTED);
    assertThat(f.type()).isEqualTo("PayloadTooLarge");
    assertThat(f.language()).isEqualTo(l.startsWith("java") ? "java" : l.replaceFirst("@.*", ""));
    assertThat(f.message())
        .isEqualTo(
            "cannot send the result of "
                + local(ref(l, "big"))
                + ": "
                + (limit + 2)
                + " bytes, more than max_payload_bytes "
                + limit);
  }

  static void badStream(String l) throws Exception {
    RemoteStream s = braid.function(ref(l, "bad_stream")).stream(List.of(), CallOptions.DEFAULT);
    List<JsonNode> got = new CopyOnWriteArrayList<>();
    s.subscribe(
        new Flow.Subscriber<>() {
          @Override
          public void onSubscribe(Flow.Subscription x) {
            x.request(10);
          }

          @Override
          public void onNext(JsonNode item) {
            got.add(item);
          }

          @Override
          public void onError(Throwable t) {}

          @Override
          public void onComplete() {}
        });
    Throwable t = null;
    try {
      s.completion().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      t = e.getCause();
    }
    assertThat(t).isInstanceOf(RemoteException.class);
    Failure f = ((RemoteException) t).failure();
    assertThat(f.type()).isEqualTo("NotSerializable");
    assertThat(f.message())
        .isEqualTo(
            "cannot send the stream item of " + local(ref(l, "bad_stream")) + " as JSON: $ is NaN");
    assertThat(got).hasSize(1);
  }

  static void nestedNan(String l) throws Exception {
    String target = ref("python", "echo");
    Failure f = failed(call(l, "call_nested_nan", List.of(target), CallOptions.DEFAULT));
    assertThat(f.code()).isEqualTo(FailureCode.INVALID_ARGUMENT);
    assertThat(f.type()).isEqualTo("NotSerializable");
    assertThat(f.message())
        .isEqualTo("cannot send the arguments of " + target + " as JSON: $[0].a[0] is NaN");
  }

  static void gatewayNan(String l) throws Exception {
    Failure f =
        failed(call(l, "echo", List.of(Map.of("a", List.of(Double.NaN))), CallOptions.DEFAULT));
    assertThat(f.type()).isEqualTo("NotSerializable");
    assertThat(f.message())
        .isEqualTo("cannot send the arguments of " + ref(l, "echo") + " as JSON: $[0].a[0] is NaN");
  }

  static void nestedCall(String caller, String calleeLang) throws Exception {
    Map<String, Object> v = Map.of("k", "v ✓", "n", List.of(1, 2));
    JsonNode back =
        value(
            call(
                caller,
                "call_nested",
                List.of(ref(calleeLang, "echo"), v),
                opts().timeout(Duration.ofSeconds(20)).build()));
    assertThat(back).isEqualTo(JSON.valueToTree(v));
  }

  static void nestedCancel(String caller, String calleeLang) throws Exception {
    Path outer = folder();
    Path inner = folder();
    RemoteCall top =
        call(
            caller,
            "relay_marked",
            List.of(
                outer.toString(), ref(calleeLang, "sleep_marked"), List.of(inner.toString(), 30)),
            CallOptions.DEFAULT);
    awaitFile(inner.resolve("started"));
    top.cancel(true);
    assertThat(failure(top)).isInstanceOf(BraidCancellationException.class);
    assertThat(read(outer.resolve("cancelled"))).isEqualTo("cancelled");
    assertThat(read(inner.resolve("cancelled"))).isEqualTo("parent_cancelled");
  }

  static void cascadeThree() throws Exception {
    Path f1 = folder();
    Path f2 = folder();
    Path f3 = folder();
    active = braid;
    RemoteCall top =
        call(
            "java",
            "relay_marked",
            List.of(
                f1.toString(),
                ref("python", "relay_marked"),
                List.of(f2.toString(), ref("node", "sleep_marked"), List.of(f3.toString(), 30))),
            CallOptions.DEFAULT);
    awaitFile(f3.resolve("started"));
    top.cancel(true);
    assertThat(failure(top)).isInstanceOf(BraidCancellationException.class);
    assertThat(read(f1.resolve("cancelled"))).as("java").isEqualTo("cancelled");
    assertThat(read(f2.resolve("cancelled"))).as("python").isEqualTo("parent_cancelled");
    assertThat(read(f3.resolve("cancelled"))).as("node").isEqualTo("parent_cancelled");
  }
}
