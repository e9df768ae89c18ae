package dev.braid.gateway.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.braid.gateway.cli.Main;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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

  record Output(int code, String out, String err) {}

  private static Run run(String example, String input, String... more) throws Exception {
    List<String> args = new ArrayList<>(List.of("--progress", "plain"));
    args.addAll(List.of(more));
    Output o = exec(example, input, args.toArray(String[]::new));
    String text = o.out().trim();
    return new Run(o.code(), text.isEmpty() ? null : JSON.readTree(text), o.err());
  }

  /** {@code braid run} of the example with these options, its stdout as printed. */
  private static Output exec(String example, String input, String... more) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<String> args =
        new ArrayList<>(List.of("run", EXAMPLES.resolve(example).resolve("flow.yaml").toString()));
    if (input != null) {
      args.add("--input");
      args.add(input);
    }
    args.addAll(List.of(more));
    int code =
        Main.run(
            new PrintWriter(out, true), new PrintWriter(err, true), args.toArray(String[]::new));
    return new Output(code, out.toString(), err.toString());
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
  void typescriptFunctionsRunFromTsFilesWithKeywordArgumentsBoundByName() throws Exception {
    Run r =
        run(
            "typescript",
            "{\"name\": \"Ada\", \"items\": [{\"sku\": \"tea\", \"qty\": 2},"
                + " {\"sku\": \"mug\", \"qty\": 1}]}");
    assertThat(r.code()).as(r.err()).isZero();
    // greet(name, greeting = 'Hello') called with: {name}: the default, not the call's context
    assertThat(r.result().get("greeting").asText()).isEqualTo("Hello, Ada!");
    assertThat(r.result().get("total").asDouble()).isEqualTo(16.25);
    assertThat(r.result().get("lines").get(1).get("currency").asText()).isEqualTo("EUR");
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
  void reportIsShapedByExpressionsAlone() throws Exception {
    Run r = run("report", "{\"customer\": \"Ada\"}");
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode out = r.result();
    assertThat(out.get("customer"))
        .isEqualTo(
            JSON.readTree(
                "{\"name\": \"Ada\", \"tier\": \"gold\", \"email\": \"ada@example.com\","
                    + " \"orders\": 3}"));
    assertThat(JSON.convertValue(out.get("paid"), List.class)).containsExactly("o-1", "o-3");
    assertThat(out.get("total").doubleValue()).isEqualTo(67.25);
    assertThat(out.get("total_with_vat").doubleValue()).isEqualTo(80.7);
    assertThat(out.get("biggest").intValue()).isEqualTo(40);
    assertThat(JSON.convertValue(out.get("coupons"), List.class))
        .containsExactly("SPRING", "none", "none");
    assertThat(out.get("items").asText()).isEqualTo("cups, kettle, mug, tea, teapot");
    assertThat(out.get("summary").asText()).isEqualTo("ADA: 3 orders, 2 paid");
    assertThat(out.get("span").asText()).isEqualTo("252900s");
    assertThat(out.get("span_hours").intValue()).isEqualTo(70);
    assertThat(out.get("loyal").asText()).isEqualTo("thank-you coupon");
    assertThat(out.get("greeting").asText()).isEqualTo("Hello Ada, your last order was o-3");
  }

  @Test
  void sagaCompensatesExactlyTheCompletedBookingsNewestFirst() throws Exception {
    Run r = run("saga", "{\"trip\": \"T42\"}");
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode o = r.result();
    assertThat(o.get("status").asText()).isEqualTo("compensated");
    assertThat(o.get("reason").asText()).contains("no cars left for trip T42");
    assertThat(JSON.convertValue(o.get("completed"), List.class))
        .containsExactly("book_flight", "book_hotel");
    assertThat(o.get("cancelled").get("car").isNull()).isTrue();
    assertThat(o.get("cancelled").get("hotel").asText()).isEqualTo("HT-T42");
    assertThat(o.get("cancelled").get("flight").asText()).isEqualTo("FL-T42");
    // newest first: the hotel's cancellation finished before the flight's started
    List<String> lines = r.err().lines().toList();
    int hotelDone = indexOf(lines, ".*\\bcancel_hotel\\s+ok.*");
    int flightStart = indexOf(lines, ".*\\bcancel_flight\\s+started.*");
    assertThat(hotelDone).as(r.err()).isNotNegative().isLessThan(flightStart);
    assertThat(r.err()).containsPattern("cancel_car\\s+skipped");
  }

  @Test
  void sagaBooksAllThreeWhenACarIsAvailable() throws Exception {
    Run r = run("saga", "{\"trip\": \"T7\", \"carAvailable\": true}");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.result().get("status").asText()).isEqualTo("booked");
    assertThat(r.result().get("car").asText()).isEqualTo("CR-T7");
    assertThat(r.err()).doesNotContain("cancel_flight");
  }

  @Test
  void httpFanoutFetchesEveryItemRetriesA503AndReportsA404(@TempDir Path secrets) throws Exception {
    String token = "tok-" + UUID.randomUUID();
    Files.writeString(secrets.resolve("INVENTORY_TOKEN"), token + "\n");
    Process server = inventory(token);
    try {
      Run r =
          run(
              "http-fanout",
              "{\"base\": \"" + baseUrl(server) + "\"}",
              "--secrets-dir",
              secrets.toString());
      assertThat(r.code()).as(r.err()).isZero();
      JsonNode items = r.result().get("items");
      assertThat(items).hasSize(5);
      assertThat(items.get(2).get("status").asText()).isEqualTo("ok");
      assertThat(items.get(2).get("value").get("body").get("stock").asInt()).isEqualTo(30);
      JsonNode missing = items.get(3);
      assertThat(missing.get("status").asText()).isEqualTo("failed");
      assertThat(missing.get("error").get("code").asText()).isEqualTo("INVALID_ARGUMENT");
      assertThat(missing.get("error").get("details").get("status").asInt()).isEqualTo(404);
      // the server accepted the token (a wrong one is a 401 for every item)
      assertThat(r.result().get("report").get("received").asInt()).isEqualTo(5);
      assertThat(r.err()).contains("retry");
    } finally {
      stop(server);
    }
  }

  @Test
  void httpFanoutNeverShowsItsTokenInJsonEventsOrTheResult(@TempDir Path secrets) throws Exception {
    String token = "tok-" + UUID.randomUUID();
    Files.writeString(secrets.resolve("INVENTORY_TOKEN"), token);
    Process server = inventory(token);
    try {
      Output o =
          exec(
              "http-fanout",
              "{\"base\": \"" + baseUrl(server) + "\"}",
              "--secrets-dir",
              secrets.toString(),
              "--json",
              "--progress",
              "plain");
      assertThat(o.code()).as(o.err()).isZero();
      List<JsonNode> events = new ArrayList<>();
      for (String line : o.out().lines().toList()) {
        events.add(JSON.readTree(line));
      }
      assertThat(events).hasSizeGreaterThan(10);
      // the 404 echoes the Authorization header: the token reached the failure's details, the
      // step's events and the result, and is masked in each
      assertThat(o.out()).contains("\"authorization\":\"Bearer ***\"");
      assertThat(o.out()).doesNotContain(token);
      assertThat(o.err()).doesNotContain(token);
    } finally {
      stop(server);
    }
  }

  /** The stand-in inventory service of examples/http-fanout, on a free port of 127.0.0.1. */
  private static Process inventory(String token) throws IOException {
    Path python = Path.of(System.getProperty("braid.home"), ".venv/bin/python");
    assertThat(python).as("the project's .venv, which the Python worker runs on").isExecutable();
    ProcessBuilder pb =
        new ProcessBuilder(
                python.toString(), EXAMPLES.resolve("http-fanout/server.py").toString(), "0")
            .redirectErrorStream(true);
    pb.environment().put("INVENTORY_TOKEN", token);
    return pb.start();
  }

  /** The base URL the server prints on its first line. */
  private static String baseUrl(Process server) throws Exception {
    CompletableFuture<String> first =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return new BufferedReader(
                        new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
    String base = first.get(30, TimeUnit.SECONDS);
    assertThat(base).startsWith("http://127.0.0.1:");
    return base;
  }

  private static void stop(Process server) throws InterruptedException {
    server.destroy();
    server.waitFor(10, TimeUnit.SECONDS);
  }

  private static int indexOf(List<String> lines, String regex) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).matches(regex)) {
        return i;
      }
    }
    return -1;
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
  void pollingLoopsWithAGrowingDelayUntilTheJobIsDone() throws Exception {
    Run r = run("polling", "{\"readyAfter\": 4}");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.result().get("state").asText()).isEqualTo("done");
    assertThat(r.result().get("polls").asInt()).isEqualTo(4);
    assertThat(r.result().get("result").get("rows").asInt()).isEqualTo(1200);
    assertThat(r.err()).contains("check[3]").doesNotContain("check[4]");
  }

  @Test
  void pollingFailsWhenTheJobIsNotDoneWithinMaxIterations() throws Exception {
    Run r = run("polling", "{\"readyAfter\": 20}");
    assertThat(r.code()).as(r.err()).isEqualTo(1);
    assertThat(r.err()).contains("MaxIterations", "reached max_iterations (10)");
  }

  @Test
  void quorumFinishesAtThreeAcknowledgementsAndCancelsTheSlowReplicas(@TempDir Path markers)
      throws Exception {
    Run r = run("quorum", "{\"markers\": \"" + markers + "\"}");
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode acks = r.result().get("acknowledged");
    assertThat(acks).hasSize(5);
    assertThat(acks.get(0).get("replica").asText()).isEqualTo("eu-1");
    assertThat(acks.get(1).isNull()).isTrue();
    assertThat(acks.get(2).get("replica").asText()).isEqualTo("us-1");
    assertThat(acks.get(3).get("replica").asText()).isEqualTo("us-2");
    assertThat(acks.get(4).isNull()).isTrue();
    for (String slow : List.of("eu-2", "ap-1")) {
      Path m = markers.resolve(slow + "-cancelled");
      long end = System.nanoTime() + 10_000_000_000L;
      while (!Files.exists(m) && System.nanoTime() < end) {
        Thread.sleep(10);
      }
      assertThat(m).exists();
      assertThat(Files.readString(m)).isEqualTo("early_exit");
    }
  }

  @Test
  void subflowRunsOneSubWorkflowTwiceEachInItsOwnNamespace() throws Exception {
    Run r = run("subflow", "{\"from\": \"acc-1\", \"to\": \"acc-2\"}");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.result().get("transfer").asText()).isEqualTo("Frances -> Grace");
    assertThat(r.result().get("source").get("balance").asText()).isEqualTo("125 EUR");
    assertThat(r.result().get("target").get("balance").asText()).isEqualTo("9870 USD");
    assertThat(r.err()).contains("source/profile", "target/balance");
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
