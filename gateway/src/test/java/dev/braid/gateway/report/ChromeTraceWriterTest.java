package dev.braid.gateway.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code braid run --trace OUT}: a Chrome trace of steps and attempts. */
@Timeout(10)
class ChromeTraceWriterTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private record Trace(JsonNode root) {
    List<JsonNode> events() {
      List<JsonNode> all = new ArrayList<>();
      root.get("traceEvents").forEach(all::add);
      return all;
    }

    List<JsonNode> ph(String ph) {
      return events().stream().filter(e -> e.get("ph").asText().equals(ph)).toList();
    }

    /** Process names by pid. */
    Map<Integer, String> processes() {
      Map<Integer, String> names = new HashMap<>();
      for (JsonNode m : ph("M")) {
        if (m.get("name").asText().equals("process_name")) {
          names.put(m.get("pid").asInt(), m.get("args").get("name").asText());
        }
      }
      return names;
    }

    int pid(String process) {
      return processes().entrySet().stream()
          .filter(p -> p.getValue().equals(process))
          .findFirst()
          .orElseThrow()
          .getKey();
    }

    List<JsonNode> slices(String process, String name) {
      int pid = pid(process);
      return ph("X").stream()
          .filter(e -> e.get("pid").asInt() == pid && e.get("name").asText().equals(name))
          .toList();
    }

    JsonNode slice(String process, String name) {
      List<JsonNode> found = slices(process, name);
      assertThat(found).as("slices %s in %s", name, process).hasSize(1);
      return found.get(0);
    }

    /** How many threads (lanes) a process's slices are on. */
    int lanes(String process) {
      int pid = pid(process);
      Set<Integer> tids = new HashSet<>();
      ph("X").stream().filter(e -> e.get("pid").asInt() == pid).forEach(e -> tids.add(tid(e)));
      return tids.size();
    }
  }

  private static int tid(JsonNode e) {
    return e.get("tid").asInt();
  }

  private Trace trace(Runs.Seq run, boolean close) throws IOException {
    Path out = dir.resolve("trace.json");
    ChromeTraceWriter writer = new ChromeTraceWriter(out);
    run.feed(writer);
    if (close) {
      writer.close();
    }
    return new Trace(JSON.readTree(out.toFile()));
  }

  private static void assertNoOverlapOnAnyThread(Trace t) {
    Map<String, List<JsonNode>> byThread = new HashMap<>();
    for (JsonNode x : t.ph("X")) {
      byThread.computeIfAbsent(x.get("pid").asInt() + "/" + tid(x), k -> new ArrayList<>()).add(x);
    }
    for (List<JsonNode> slices : byThread.values()) {
      for (int i = 0; i < slices.size(); i++) {
        for (int j = i + 1; j < slices.size(); j++) {
          JsonNode a = slices.get(i);
          JsonNode b = slices.get(j);
          double aStart = a.get("ts").asDouble();
          double aEnd = aStart + a.get("dur").asDouble();
          double bStart = b.get("ts").asDouble();
          double bEnd = bStart + b.get("dur").asDouble();
          assertThat(aStart < bEnd && bStart < aEnd).as("%s overlaps %s", a, b).isFalse();
        }
      }
    }
  }

  @Test
  void oneProcessForTheWorkflowAndOnePerLanguageUsed() throws IOException {
    assertThat(trace(Runs.succeeding(), false).processes().values())
        .containsExactlyInAnyOrder("workflow", "python", "node", "java");
    assertThat(trace(Runs.failing(), false).processes().values())
        .containsExactlyInAnyOrder("workflow", "python", "node");
  }

  @Test
  void slicesOnTheSameThreadNeverOverlap() throws IOException {
    assertNoOverlapOnAnyThread(trace(Runs.succeeding(), false));
    assertNoOverlapOnAnyThread(trace(Runs.failing(), false));
    assertNoOverlapOnAnyThread(trace(Runs.manyItems(40), false));
  }

  @Test
  void lanesAreAsFewAsTheConcurrency() throws IOException {
    Trace t = trace(Runs.manyItems(40), false);
    // The for_each and four items at a time; the attempts, four at a time.
    assertThat(t.lanes("workflow")).isEqualTo(1 + 1 + 4); // with the run's own thread
    assertThat(t.lanes("node")).isEqualTo(4);
    // Every lane used is named.
    Set<String> named = new HashSet<>();
    t.ph("M").stream()
        .filter(m -> m.get("name").asText().equals("thread_name"))
        .forEach(m -> named.add(m.get("pid").asInt() + "/" + tid(m)));
    t.ph("X").forEach(x -> assertThat(named).contains(x.get("pid").asInt() + "/" + tid(x)));
  }

  @Test
  void durationsAreTheStepsAndAttemptsInMicroseconds() throws IOException {
    Trace t = trace(Runs.succeeding(), false);
    JsonNode profile = t.slice("workflow", "profile");
    assertThat(profile.get("ts").asDouble()).isEqualTo(12_345.0);
    assertThat(profile.get("dur").asDouble()).isEqualTo(128_000.0);
    assertThat(profile.get("args").get("status").asText()).isEqualTo("ok");
    assertThat(profile.get("args").get("function").asText()).isEqualTo(Runs.PROFILE);

    assertThat(t.slice("workflow", "run").get("dur").asDouble()).isEqualTo(310_000.0);
    assertThat(t.slice("workflow", "audit").get("dur").asDouble()).isZero();
    assertThat(t.slice("workflow", "audit").get("args").get("status").asText())
        .isEqualTo("skipped");

    List<JsonNode> attempts = t.slices("node", "fanout.a");
    assertThat(attempts)
        .extracting(a -> a.get("args").get("attempt").asInt())
        .containsExactly(1, 2);
    assertThat(attempts)
        .extracting(a -> a.get("dur").asDouble())
        .containsExactly(50_000.0, 34_000.0);
    assertThat(attempts.get(0).get("args").get("status").asText()).isEqualTo("failed");
    assertThat(attempts.get(0).get("args").get("error").asText())
        .isEqualTo("DeadlineExceeded: attempt timed out after 50ms");
    assertThat(t.slice("java", "fanout.b").get("dur").asDouble()).isEqualTo(23_000.0);
  }

  @Test
  void retryIsAnInstantEventOnTheLaneOfTheFailedAttempt() throws IOException {
    Trace t = trace(Runs.failing(), false);
    List<JsonNode> instants = t.ph("i");
    assertThat(instants).hasSize(1);
    JsonNode retry = instants.get(0);
    JsonNode failedAttempt = t.slices("python", "checkout.pay").get(0);
    assertThat(retry.get("pid").asInt()).isEqualTo(t.pid("python"));
    assertThat(tid(retry)).isEqualTo(tid(failedAttempt));
    assertThat(retry.get("ts").asDouble()).isEqualTo(100_000.0);
    assertThat(retry.get("args").get("wait_ms").asDouble()).isEqualTo(200.0);
    assertThat(retry.get("args").get("error").asText()).isEqualTo("ValueError: declined");
  }

  @Test
  void failedStepCarriesItsHeadline() throws IOException {
    JsonNode pay = trace(Runs.failing(), false).slice("workflow", "checkout.pay");
    assertThat(pay.get("args").get("status").asText()).isEqualTo("failed");
    assertThat(pay.get("args").get("code").asText()).isEqualTo("APPLICATION");
    assertThat(pay.get("args").get("error").asText()).isEqualTo("ValueError: declined");
  }

  @Test
  void unfinishedSlicesEndAtTheLastEventWhenClosedEarly() throws IOException {
    Trace t = trace(Runs.cancelled(false), true);
    // The last event is at 51ms: prices.do[2]'s start.
    JsonNode running = t.slice("workflow", "prices.do[1]");
    assertThat(running.get("dur").asDouble()).isEqualTo(48_000.0);
    assertThat(running.get("args").get("status").asText()).isEqualTo("unfinished");
    assertThat(t.slice("workflow", "run").get("dur").asDouble()).isEqualTo(51_000.0);
    assertThat(t.slice("node", "prices.do[2]").get("dur").asDouble()).isZero();
    assertThat(t.slice("node", "prices.do[0]").get("args").get("status").asText()).isEqualTo("ok");
    assertNoOverlapOnAnyThread(t);
  }

  @Test
  void cancelledRunIsWrittenOnRunFinishedAndCloseIsThenANoOp() throws IOException {
    Path out = dir.resolve("trace.json");
    ChromeTraceWriter writer = new ChromeTraceWriter(out);
    Runs.cancelled(true).feed(writer);
    Trace t = new Trace(JSON.readTree(out.toFile()));
    assertThat(t.slice("workflow", "prices").get("args").get("status").asText())
        .isEqualTo("cancelled");
    assertThat(t.slice("workflow", "run").get("args").get("status").asText())
        .isEqualTo("cancelled");
    writer.close();
    writer.close();
    assertThat(new Trace(JSON.readTree(out.toFile())).root()).isEqualTo(t.root());
  }

  @Test
  void writeFailureIsReportedByCloseNotThrownIntoTheEngine() {
    ChromeTraceWriter writer = new ChromeTraceWriter(dir.resolve("missing/dir/trace.json"));
    Runs.succeeding().feed(writer);
    assertThatThrownBy(writer::close).isInstanceOf(IOException.class);
  }
}
