package dev.braid.conformance.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import dev.braid.proto.worker.v1.GatewayFrame;
import dev.braid.proto.worker.v1.WorkerFrame;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * Runs one case of the worker-protocol table (proto/braid/worker/v1/conformance/) against a Java
 * worker process. The Python and Node runners interpret the files the same way; the README in that
 * folder is the format's reference. Frames are proto3 JSON (original field names) with a few {@code
 * $} forms: sent frames are parsed with {@link JsonFormat}, received frames printed with it and
 * matched against the expected patterns.
 */
final class CaseRunner {
  static final String LANGUAGE = "java";
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String MAIN = "dev.braid.internal.javaworker.JavaWorkerMain";
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final JsonNode testCase;
  private final Path tmp;
  private final Set<Integer> taken = new HashSet<>();
  private FakeHub hub;
  private Process worker;

  CaseRunner(JsonNode testCase, Path tmp) {
    this.testCase = testCase;
    this.tmp = tmp;
  }

  /** The reference of a fixture: case files name fixtures in snake_case, Java uses camelCase. */
  static String reference(String fixture) {
    StringBuilder sb = new StringBuilder(Conformance.class.getName()).append('#');
    boolean upper = false;
    for (char c : fixture.toCharArray()) {
      if (c == '_') {
        upper = true;
      } else {
        sb.append(upper ? Character.toUpperCase(c) : c);
        upper = false;
      }
    }
    return sb.toString();
  }

  void run() throws Exception {
    Path socket = tmp.resolve("gw.sock");
    try (FakeHub h = new FakeHub(socket)) {
      hub = h;
      worker = start(socket);
      try {
        hub.awaitConnected(WAIT);
        // the Hello is waited for, not taken: a case may still expect it
        hub.await(() -> !hub.frames().isEmpty(), WAIT, "the first frame");
        if (hub.frames().get(0).getKindCase() != WorkerFrame.KindCase.HELLO) {
          throw new AssertionError("the first frame was " + hub.frames().get(0).getKindCase());
        }
        JsonNode welcome =
            testCase.has("welcome")
                ? testCase.get("welcome")
                : JSON.readTree("{\"max_payload_bytes\": 1048576, \"grace_ms\": 2000}");
        hub.send(List.of(frame(NODES.objectNode().set("welcome", welcome), 0)));
        int n = 0;
        for (JsonNode step : testCase.get("steps")) {
          n++;
          try {
            step(step);
          } catch (Exception | AssertionError e) {
            throw new AssertionError(
                "step "
                    + n
                    + " "
                    + abbreviate(step)
                    + ": "
                    + e.getMessage()
                    + "\n--- worker log ---\n"
                    + log(),
                e);
          }
        }
      } finally {
        worker.destroyForcibly();
        worker.waitFor(5, TimeUnit.SECONDS);
      }
    }
  }

  /** The worker as the gateway's JavaLauncher starts it: its entry class, an allowlisted env. */
  private Process start(Path socket) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb =
        new ProcessBuilder(
            java,
            "-XX:TieredStopAtLevel=1",
            "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
            "-cp",
            System.getProperty("java.class.path"),
            MAIN);
    Map<String, String> env = pb.environment();
    env.clear();
    env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    env.put("BRAID_SOCKET", socket.toString());
    env.put("BRAID_WORKER_ID", "worker-1");
    env.put("BRAID_TOKEN", "token-1");
    JsonNode max = testCase.path("worker").path("max_in_flight");
    if (!max.isMissingNode()) {
      env.put("BRAID_MAX_IN_FLIGHT", max.asText());
    }
    Path log = tmp.resolve("worker.log");
    pb.redirectErrorStream(true).redirectOutput(log.toFile());
    return pb.start();
  }

  private String log() {
    try {
      return Files.readString(tmp.resolve("worker.log"));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  // -- steps -----------------------------------------------------------------------------------

  private void step(JsonNode step) throws Exception {
    Duration within = Duration.ofMillis(step.path("within_ms").asLong(WAIT.toMillis()));
    int repeat = step.path("repeat").asInt(1);
    if (step.has("send")) {
      List<GatewayFrame> batch = new ArrayList<>();
      for (int i = 0; i < repeat; i++) {
        for (JsonNode f : step.get("send")) {
          batch.add(frame(f, i));
        }
      }
      hub.send(batch);
    } else if (step.has("expect")) {
      for (int i = 0; i < repeat; i++) {
        expect(substitute(step.get("expect"), i), within);
      }
    } else if (step.has("expect_none")) {
      Map.Entry<String, JsonNode> e = single(step.get("expect_none"));
      Thread.sleep(step.get("for_ms").asLong()); // a bounded look for an absence
      if (!untaken(e.getKey(), e.getValue()).isEmpty()) {
        throw new AssertionError("an unexpected " + e.getKey() + " frame arrived");
      }
    } else if (step.has("count")) {
      Map.Entry<String, JsonNode> e = single(step.get("count"));
      long n = hub.frames().stream().filter(f -> selects(f, e.getKey(), e.getValue())).count();
      match(step.get("equals"), NODES.numberNode(n), "count");
    } else if (step.has("batched")) {
      if (hub.batchSizes().stream().mapToInt(Integer::intValue).max().orElse(0) < 2) {
        throw new AssertionError("no batch carried more than one frame: " + hub.batchSizes());
      }
    } else if (step.has("marker")) {
      Path file = tmp.resolve(step.get("marker").asText());
      long end = System.nanoTime() + within.toNanos();
      while (!Files.exists(file)) {
        if (System.nanoTime() > end) {
          throw new AssertionError("no marker file " + file.getFileName() + " after " + within);
        }
        Thread.sleep(10);
      }
      match(step.get("equals"), NODES.textNode(Files.readString(file)), "marker");
    } else if (step.has("half_closed")) {
      hub.awaitHalfClosed(within);
    } else if (step.has("end_stream")) {
      hub.endStream();
    } else if (step.has("vanish")) {
      hub.vanish();
    } else if (step.has("exit")) {
      if (!worker.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError("the worker did not exit within " + within);
      }
      match(step.get("exit"), NODES.numberNode(worker.exitValue()), "exit code");
    } else {
      throw new AssertionError("unknown step " + step);
    }
  }

  private void expect(JsonNode expected, Duration within) throws Exception {
    Map.Entry<String, JsonNode> e = single(expected);
    String kind = e.getKey();
    JsonNode pattern = e.getValue();
    hub.await(
        () -> !untaken(kind, pattern).isEmpty(),
        within,
        "a '" + kind + "' frame like " + abbreviate(pattern));
    int index = untaken(kind, pattern).get(0);
    taken.add(index);
    WorkerFrame frame = hub.frames().get(index);
    Message msg = (Message) frame.getField(WorkerFrame.getDescriptor().findFieldByName(kind));
    match(
        pattern, JSON.readTree(JsonFormat.printer().preservingProtoFieldNames().print(msg)), kind);
  }

  private List<Integer> untaken(String kind, JsonNode pattern) {
    List<WorkerFrame> frames = hub.frames();
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < frames.size(); i++) {
      if (!taken.contains(i) && selects(frames.get(i), kind, pattern)) {
        out.add(i);
      }
    }
    return out;
  }

  private static boolean selects(WorkerFrame f, String kind, JsonNode pattern) {
    var field = WorkerFrame.getDescriptor().findFieldByName(kind);
    if (field == null) {
      throw new AssertionError("no worker frame kind " + kind);
    }
    if (!f.hasField(field)) {
      return false;
    }
    Message msg = (Message) f.getField(field);
    for (String key : kind.equals("pong") ? List.of("call_id", "seq") : List.of("call_id")) {
      var k = msg.getDescriptorForType().findFieldByName(key);
      if (k != null && pattern.path(key).isIntegralNumber()) {
        if (((Number) msg.getField(k)).longValue() != pattern.get(key).asLong()) {
          return false;
        }
      }
    }
    return true;
  }

  // -- frames ----------------------------------------------------------------------------------

  private GatewayFrame frame(JsonNode value, int i) throws IOException {
    GatewayFrame.Builder b = GatewayFrame.newBuilder();
    JsonFormat.parser().merge(JSON.writeValueAsString(outbound(value, i)), b);
    return b.build();
  }

  /** A sent frame with its {@code $} forms replaced: proto3 JSON for {@link JsonFormat}. */
  private JsonNode outbound(JsonNode value, int i) throws IOException {
    if (value.isArray()) {
      ArrayNode out = NODES.arrayNode();
      for (JsonNode v : value) {
        out.add(outbound(v, i));
      }
      return out;
    }
    if (!value.isObject()) {
      return value;
    }
    if (isMatcher(value)) {
      Map.Entry<String, JsonNode> m = single(value);
      JsonNode arg = m.getValue();
      switch (m.getKey()) {
        case "$fixture" -> {
          return NODES.textNode(reference(arg.asText()));
        }
        case "$tmp" -> {
          return NODES.textNode(tmp.resolve(arg.asText()).toString());
        }
        case "$i" -> {
          return NODES.numberNode(i + arg.asLong());
        }
        case "$json" -> {
          ObjectNode p = NODES.objectNode().put("encoding", "json");
          return p.put("data", JSON.writeValueAsBytes(outbound(arg, i)));
        }
        case "$utf8" -> {
          return NODES.textNode(
              Base64.getEncoder().encodeToString(arg.asText().getBytes(StandardCharsets.UTF_8)));
        }
        default -> {
          // a plain object after all
        }
      }
    }
    ObjectNode out = NODES.objectNode();
    for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      out.set(e.getKey(), outbound(e.getValue(), i));
    }
    return out;
  }

  private static JsonNode substitute(JsonNode value, int i) {
    if (value.isObject() && value.size() == 1 && value.has("$i")) {
      return NODES.numberNode(i + value.get("$i").asLong());
    }
    if (value.isArray()) {
      ArrayNode out = NODES.arrayNode();
      value.forEach(v -> out.add(substitute(v, i)));
      return out;
    }
    if (value.isObject()) {
      ObjectNode out = NODES.objectNode();
      value.fields().forEachRemaining(e -> out.set(e.getKey(), substitute(e.getValue(), i)));
      return out;
    }
    return value;
  }

  // -- matching --------------------------------------------------------------------------------

  /** Fails unless {@code actual} (proto3 JSON, defaults omitted; null when unset) fits. */
  private void match(JsonNode expected, JsonNode actual, String where) throws IOException {
    JsonNode a = actual == null || actual.isMissingNode() ? null : actual;
    if (isMatcher(expected)) {
      Map.Entry<String, JsonNode> m = single(expected);
      JsonNode arg = m.getValue();
      switch (m.getKey()) {
        case "$by_language" -> {
          JsonNode mine = arg.has(LANGUAGE) ? arg.get(LANGUAGE) : arg.get("*");
          if (mine == null) {
            throw new AssertionError(where + ": no expectation for " + LANGUAGE);
          }
          match(mine, a, where);
        }
        case "$all" -> {
          for (JsonNode each : arg) {
            match(each, a, where);
          }
        }
        case "$not" -> {
          boolean matched;
          try {
            match(arg, a, where);
            matched = true;
          } catch (AssertionError e) {
            matched = false;
          }
          if (matched) {
            throw new AssertionError(where + ": " + a + " should not match " + arg);
          }
        }
        case "$absent" -> {
          if (!isDefault(a)) {
            throw new AssertionError(where + ": expected no value, got " + a);
          }
        }
        case "$fixture" -> match(NODES.textNode(reference(arg.asText())), a, where);
        case "$language" -> match(NODES.textNode(LANGUAGE), a, where);
        case "$contains" -> {
          if (a == null || !a.isTextual() || !a.asText().contains(arg.asText())) {
            throw new AssertionError(where + ": " + a + " does not contain " + arg);
          }
        }
        case "$nonempty" -> {
          if (isDefault(a)) {
            throw new AssertionError(where + ": empty");
          }
        }
        case "$range" -> {
          Double n = number(a);
          if (n == null || n < arg.get(0).asDouble() || n > arg.get(1).asDouble()) {
            throw new AssertionError(where + ": " + a + " not in " + arg);
          }
        }
        case "$json" -> {
          if (a == null || !"json".equals(a.path("encoding").asText())) {
            throw new AssertionError(where + ": not a json payload: " + a);
          }
          byte[] data = Base64.getDecoder().decode(a.path("data").asText(""));
          matchValue(arg, JSON.readTree(data), where + "<json>");
        }
        case "$utf8" -> {
          String text =
              new String(
                  Base64.getDecoder().decode(a == null ? "" : a.asText()), StandardCharsets.UTF_8);
          if (!text.equals(arg.asText())) {
            throw new AssertionError(where + ": '" + text + "' != '" + arg.asText() + "'");
          }
        }
        default -> throw new AssertionError("unknown matcher " + m.getKey());
      }
      return;
    }
    if (expected.isObject()) {
      if (a != null && !a.isObject()) {
        throw new AssertionError(where + ": expected a message, got " + a);
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = expected.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        match(e.getValue(), a == null ? null : a.get(e.getKey()), where + "." + e.getKey());
      }
      return;
    }
    if (a == null && isDefault(expected)) {
      return;
    }
    if (expected.isNumber()) {
      Double n = number(a);
      if (n == null || n != expected.asDouble()) {
        throw new AssertionError(where + ": " + a + " != " + expected);
      }
      return;
    }
    if (!expected.equals(a)) {
      throw new AssertionError(where + ": " + a + " != " + expected);
    }
  }

  /** Exact JSON equality (objects need the same keys), with {@code $} matchers inside. */
  private void matchValue(JsonNode expected, JsonNode actual, String where) throws IOException {
    if (expected.isArray()) {
      if (!actual.isArray() || actual.size() != expected.size()) {
        throw new AssertionError(where + ": " + actual + " != " + expected);
      }
      for (int i = 0; i < expected.size(); i++) {
        matchValue(expected.get(i), actual.get(i), where + "[" + i + "]");
      }
    } else if (expected.isObject() && !isMatcher(expected)) {
      Set<String> want = new TreeSet<>();
      expected.fieldNames().forEachRemaining(want::add);
      Set<String> got = new TreeSet<>();
      actual.fieldNames().forEachRemaining(got::add);
      if (!actual.isObject() || !want.equals(got)) {
        throw new AssertionError(where + ": " + actual + " does not have the keys of " + expected);
      }
      for (String k : want) {
        matchValue(expected.get(k), actual.get(k), where + "." + k);
      }
    } else if (expected.isNull() || expected.isBoolean()) {
      if (!expected.equals(actual)) {
        throw new AssertionError(where + ": " + actual + " != " + expected);
      }
    } else {
      match(expected, actual, where);
    }
  }

  private static boolean isMatcher(JsonNode v) {
    return v.isObject() && v.size() == 1 && v.fieldNames().next().startsWith("$");
  }

  private static Map.Entry<String, JsonNode> single(JsonNode obj) {
    if (obj.size() != 1) {
      throw new AssertionError("expected one frame kind, got " + obj);
    }
    return obj.fields().next();
  }

  private static boolean isDefault(JsonNode v) {
    return v == null
        || v.isNull()
        || (v.isNumber() && v.asDouble() == 0)
        || (v.isTextual() && v.asText().isEmpty())
        || (v.isBoolean() && !v.asBoolean())
        || (v.isContainerNode() && v.isEmpty());
  }

  /** proto3 JSON writes 64-bit integers as strings. */
  private static Double number(JsonNode v) {
    if (v == null) {
      return null;
    }
    if (v.isNumber()) {
      return v.asDouble();
    }
    if (v.isTextual()) {
      try {
        return Double.parseDouble(v.asText());
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return null;
  }

  private static String abbreviate(JsonNode node) {
    String s = node.toString();
    return s.length() > 300 ? s.substring(0, 300) + "..." : s;
  }
}
