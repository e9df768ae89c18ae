package dev.braid.gateway.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.braid.gateway.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every workflow in {@code examples/} runs with the command its README gives, through the real CLI
 * and real workers, and produces what the example promises.
 */
@Timeout(180)
class ExamplesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path EXAMPLES = Path.of(System.getProperty("braid.home"), "examples");

  record Run(int code, JsonNode result, String err) {}

  private static Run run(String example, String input, String... more) throws Exception {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<String> args =
        new ArrayList<>(List.of("run", EXAMPLES.resolve(example).resolve("flow.yaml").toString()));
    if (input != null) {
      args.add("--input");
      args.add(input);
    }
    args.add("--progress");
    args.add("plain");
    args.addAll(List.of(more));
    int code =
        Main.run(
            new PrintWriter(out, true), new PrintWriter(err, true), args.toArray(String[]::new));
    String text = out.toString().trim();
    return new Run(code, text.isEmpty() ? null : JSON.readTree(text), err.toString());
  }

  @Test
  void dashboardJoinsPythonNodeAndJava() throws Exception {
    Run r = run("dashboard", "{\"userId\": 7}");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.result().get("user").asText()).isEqualTo("Frances");
    assertThat(r.result().get("tier").asText()).isEqualTo("gold");
    assertThat(r.result().get("orders")).hasSize(3);
    assertThat(r.result().get("orders").get(0).get("id").asText()).isEqualTo("7-100");
    assertThat(JSON.convertValue(r.result().get("recommendations"), List.class))
        .containsExactly("tea", "kettle", "teapot");
    // the three fetches ran concurrently: all three started before the first one finished
    List<String> lines = r.err().lines().toList();
    int lastStart = -1;
    int firstDone = Integer.MAX_VALUE;
    for (int i = 0; i < lines.size(); i++) {
      String l = lines.get(i);
      if (l.matches(".*\\b(profile|orders|recommendations)\\s+started.*")) {
        lastStart = i;
      } else if (l.matches(".*\\b(profile|orders|recommendations)\\s+ok.*")) {
        firstDone = Math.min(firstDone, i);
      }
    }
    assertThat(lastStart).as(r.err()).isNotNegative().isLessThan(firstDone);
  }

  @Test
  void checkoutAbsorbsPaymentFailuresWithRetriesAndNotificationsNeverFailTheOrder()
      throws Exception {
    Run r = run("checkout", "{\"orderId\": \"A1\", \"failPayments\": 2}");
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode o = r.result();
    assertThat(o.get("status").asText()).isEqualTo("paid");
    assertThat(o.get("payment").get("attempts").asInt()).isEqualTo(3);
    assertThat(o.get("notifications").get("email").asText()).isEqualTo("ok");
    assertThat(o.get("notifications").get("sms").asText()).isEqualTo("failed");
    assertThat(r.err()).contains("retry");
  }

  @Test
  void checkoutRollsBackInCatchWhenPaymentGivesUp() throws Exception {
    Run r = run("checkout", "{\"orderId\": \"B2\", \"failPayments\": 9}");
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode o = r.result();
    assertThat(o.get("status").asText()).isEqualTo("failed");
    assertThat(o.get("failure").get("code").asText()).isEqualTo("UNAVAILABLE");
    assertThat(o.get("failure").get("reservation_released").asBoolean()).isTrue();
    assertThat(o.get("notifications").get("email").asText()).isEqualTo("ok");
  }

  @Test
  void fanoutReportsSuccessesAndFailuresWithoutFailing() throws Exception {
    Run r = run("fanout", null);
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.result().get("ok_count").asInt()).isEqualTo(3);
    assertThat(r.result().get("failed_count").asInt()).isEqualTo(2);
    assertThat(r.result().toString()).contains("DEADLINE_EXCEEDED", "UNAVAILABLE");
  }

  @Test
  void raceCancelsTheLoserWhichObservesIt(@TempDir Path markers) throws Exception {
    Run r = run("race", "{\"markers\": \"" + markers + "\"}");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.result().get("source").asText()).isEqualTo("mirror");
    Path cancelled = markers.resolve("primary-cancelled");
    assertThat(cancelled).exists();
    assertThat(Files.readString(cancelled)).contains("race_lost");
    assertThat(markers.resolve("mirror-cancelled")).doesNotExist();
  }

  @Test
  void rateLimitedForEachNeverExceedsItsConcurrencyAndKeepsOrder() throws Exception {
    Run r = run("rate-limited", null);
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.result().get("max_concurrent").asInt()).isEqualTo(3);
    assertThat(r.result().get("calls").asInt()).isEqualTo(100);
    JsonNode results = r.result().get("results");
    assertThat(results).hasSize(100);
    for (int i = 0; i < 100; i++) {
      assertThat(results.get(i).get("item").asInt()).isEqualTo(i + 1);
      assertThat(results.get(i).get("square").asInt()).isEqualTo((i + 1) * (i + 1));
    }
  }

  @Test
  void streamProcessesEveryBatchInOrder() throws Exception {
    Run r = run("stream", null);
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.result().get("totals").get("batches").asInt()).isEqualTo(10);
    assertThat(r.result().get("totals").get("records").asInt()).isEqualTo(50);
    assertThat(r.result().get("totals").get("cents").asInt()).isEqualTo(11175);
    JsonNode stored = r.result().get("stored");
    for (int i = 0; i < 10; i++) {
      assertThat(stored.get(i).get("batch").asInt()).isEqualTo(i);
    }
  }

  @Test
  void exampleScriptsRunInTheSandbox() throws Exception {
    Assumptions.assumeTrue(
        Files.isExecutable(Path.of("/usr/bin/bwrap")), "bubblewrap is not installed");
    for (String[] script : new String[][] {{"python", "hello.py"}, {"js", "hello.mjs"}}) {
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      int code =
          Main.run(
              new PrintWriter(out, true),
              new PrintWriter(err, true),
              "exec",
              "--lang",
              script[0],
              EXAMPLES.resolve("scripts").resolve(script[1]).toString(),
              "--input",
              "{\"name\": \"Ada\"}");
      assertThat(code).as(err.toString()).isZero();
      JsonNode r = JSON.readTree(out.toString());
      assertThat(r.get("greeting").asText()).isEqualTo("hello Ada");
      assertThat(r.get("letters").asInt()).isEqualTo(3);
    }
  }

  @Test
  void circuitBreakerOpensAfterThreeFailuresAndStopsCallingTheFunction() throws Exception {
    Run r = run("circuit-breaker", null);
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.result().get("invocations").asInt()).isEqualTo(3);
    assertThat(JSON.convertValue(r.result().get("codes"), List.class))
        .containsExactly(
            "APPLICATION",
            "APPLICATION",
            "APPLICATION",
            "UNAVAILABLE",
            "UNAVAILABLE",
            "UNAVAILABLE",
            "UNAVAILABLE",
            "UNAVAILABLE");
  }

  @Test
  void scheduledPostsItsReportWithTheTokenAndNeverShowsIt() throws Exception {
    Path secrets = EXAMPLES.resolve("scheduled").resolve("dev-secrets");
    String token = Files.readString(secrets.resolve("REPORT_TOKEN")).strip();
    Run r = run("scheduled", null, "--secrets-dir", secrets.toString(), "--store", "memory");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.result().get("region").asText()).isEqualTo("eu");
    assertThat(r.result().get("total").asInt()).isEqualTo(16);
    assertThat(r.result().get("signed_by").asText()).startsWith("sha256:");
    assertThat(r.result().toString() + r.err()).doesNotContain(token);
    // the schedule runs under braid serve: ScheduledExampleTest, on a fast cron
  }
}
