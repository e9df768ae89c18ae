package dev.braid.gateway.report;

import static java.time.temporal.ChronoUnit.MILLIS;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.braid.gateway.engine.RunEvent.Status;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code braid run --json}: one event per line, the outcome last. */
@Timeout(10)
class JsonEventWriterTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Counts flushes, to check that every line goes out as it is written. */
  private static final class Sink extends StringWriter {
    int flushes;

    @Override
    public void flush() {
      flushes++;
    }
  }

  private static final Instant START = Instant.parse("2026-12-05T20:00:00Z");

  /**
   * The lines written for {@code run}, each checked for the run id and its wall-clock time (the
   * start plus {@code t_ms}), which are then removed so that tests compare the rest exactly.
   */
  private static List<JsonNode> write(Runs.Seq run) throws Exception {
    List<JsonNode> nodes = new ArrayList<>();
    for (JsonNode n : writeAll(run)) {
      ObjectNode o = (ObjectNode) n;
      assertThat(o.get("run_id").asText()).isEqualTo("r-7");
      Instant expected =
          START.plusNanos((long) (o.get("t_ms").asDouble() * 1_000_000)).truncatedTo(MILLIS);
      assertThat(Instant.parse(o.get("ts").asText())).isEqualTo(expected);
      o.remove("run_id");
      o.remove("ts");
      nodes.add(o);
    }
    return nodes;
  }

  private static List<JsonNode> writeAll(Runs.Seq run) throws Exception {
    Sink sink = new Sink();
    // the first event (t_ms 0) is seen at START
    run.feed(new JsonEventWriter(new PrintWriter(sink), "r-7", Clock.fixed(START, ZoneOffset.UTC)));
    List<String> lines = sink.toString().lines().toList();
    assertThat(lines).hasSize(run.events().size());
    assertThat(sink.flushes).isGreaterThanOrEqualTo(lines.size());
    List<JsonNode> nodes = new ArrayList<>();
    for (String line : lines) {
      nodes.add(JSON.readTree(line));
    }
    return nodes;
  }

  @Test
  void everyLineHasTheRunIdAndAWallClockTime() throws Exception {
    List<JsonNode> lines = writeAll(Runs.succeeding());
    assertThat(lines).allSatisfy(n -> assertThat(n.get("run_id").asText()).isEqualTo("r-7"));
    assertThat(lines.get(0).get("ts").asText()).isEqualTo("2026-12-05T20:00:00Z");
    // step_started of profile at t_ms 12.345: the wall clock to the millisecond
    assertThat(lines.get(1).get("ts").asText()).isEqualTo("2026-12-05T20:00:00.012Z");
  }

  @Test
  void loopItemsCarryTheirParentAndIndex() throws Exception {
    List<JsonNode> lines = write(Runs.cancelled(true));
    JsonNode item =
        lines.stream()
            .filter(n -> n.has("step") && n.get("step").asText().equals("prices.do[2]"))
            .findFirst()
            .orElseThrow();
    assertThat(item.get("parent").asText()).isEqualTo("prices");
    assertThat(item.get("index").asInt()).isEqualTo(2);
    JsonNode loop =
        lines.stream()
            .filter(n -> n.has("step") && n.get("step").asText().equals("prices"))
            .findFirst()
            .orElseThrow();
    assertThat(loop.has("parent")).isFalse();
    assertThat(loop.has("index")).isFalse();
  }

  @Test
  void anItemsEventsNameTheLoopTheirIndexAndOnStartTheNumberOfItems() throws Exception {
    List<JsonNode> lines = write(Runs.manyItems(6));
    List<JsonNode> ofItem =
        lines.stream()
            .filter(n -> n.has("step") && n.get("step").asText().equals("prices.do[4]"))
            .toList();
    assertThat(ofItem).hasSize(4); // step_started, attempt_started, attempt_finished, step_finished
    assertThat(ofItem)
        .allSatisfy(
            n -> {
              assertThat(n.get("parent").asText()).isEqualTo("prices");
              assertThat(n.get("index").asInt()).isEqualTo(4);
            });
    assertThat(ofItem.get(0).get("event").asText()).isEqualTo("step_started");
    assertThat(ofItem.get(0).get("items").asInt()).isEqualTo(6);
    assertThat(ofItem.subList(1, 4)).allSatisfy(n -> assertThat(n.has("items")).isFalse());
  }

  @Test
  void eachEventIsOneObjectWithSnakeCaseNameAndOnlyTheFieldsItHas() throws Exception {
    List<JsonNode> lines = write(Runs.succeeding());

    assertThat(lines.get(0)).isEqualTo(JSON.readTree("{\"event\":\"run_started\",\"t_ms\":0}"));
    assertThat(lines.get(1))
        .isEqualTo(
            JSON.readTree(
                "{\"event\":\"step_started\",\"t_ms\":12.345,\"step\":\"profile\","
                    + "\"kind\":\"call\",\"function\":\"python:shop:get_profile\","
                    + "\"language\":\"python\"}"));
    assertThat(lines)
        .contains(
            JSON.readTree(
                "{\"event\":\"step_finished\",\"t_ms\":140.345,\"step\":\"profile\","
                    + "\"kind\":\"call\",\"status\":\"ok\"}"),
            JSON.readTree(
                "{\"event\":\"step_finished\",\"t_ms\":302,\"step\":\"audit\","
                    + "\"kind\":\"call\",\"status\":\"skipped\"}"));
    for (JsonNode line : lines) {
      assertThat(line.isObject()).isTrue();
      Iterator<Map.Entry<String, JsonNode>> fields = line.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> f = fields.next();
        assertThat(f.getValue().isNull()).as("null field %s in %s", f.getKey(), line).isFalse();
      }
    }
  }

  @Test
  void retryCarriesAttemptWaitAndFailureRecord() throws Exception {
    JsonNode retry =
        write(Runs.succeeding()).stream()
            .filter(n -> n.get("event").asText().equals("retry_scheduled"))
            .findFirst()
            .orElseThrow();
    assertThat(retry.get("step").asText()).isEqualTo("fanout.a");
    assertThat(retry.get("attempt").asInt()).isEqualTo(1);
    assertThat(retry.get("wait_ms").asDouble()).isEqualTo(200.0);
    assertThat(retry.get("status").asText()).isEqualTo("failed");
    assertThat(retry.get("error").get("code").asText()).isEqualTo("DEADLINE_EXCEEDED");
    assertThat(retry.get("error").get("reason").asText()).isEqualTo("deadline_exceeded");
  }

  @Test
  void lastLineIsTheOutcomeWithTheResult() throws Exception {
    List<JsonNode> lines = write(Runs.succeeding());
    JsonNode last = lines.get(lines.size() - 1);
    assertThat(last.get("event").asText()).isEqualTo("run_finished");
    assertThat(last.get("status").asText()).isEqualTo("ok");
    assertThat(last.get("result")).isEqualTo(JSON.readTree("{\"total\":42}"));
    assertThat(last.has("error")).isFalse();
  }

  @Test
  void okOutcomeWithoutValueHasNullResult() throws Exception {
    Runs.Seq run = new Runs.Seq().runStarted(0).runFinished(1, Status.OK, null, null);
    JsonNode last = write(run).get(1);
    assertThat(last.has("result")).isTrue();
    assertThat(last.get("result").isNull()).isTrue();
  }

  @Test
  void failedOutcomeCarriesTheFailureRecord() throws Exception {
    List<JsonNode> lines = write(Runs.failing());
    JsonNode last = lines.get(lines.size() - 1);
    assertThat(last.get("event").asText()).isEqualTo("run_finished");
    assertThat(last.get("status").asText()).isEqualTo("failed");
    assertThat(last.has("result")).isFalse();
    JsonNode error = last.get("error");
    assertThat(error.get("code").asText()).isEqualTo("APPLICATION");
    assertThat(error.get("type").asText()).isEqualTo("ValueError");
    assertThat(error.get("message").asText()).isEqualTo("declined");
    assertThat(error.get("details")).isEqualTo(JSON.readTree("{\"card\":\"4242\"}"));
  }

  @Test
  void cancelledOutcomeIsLastWithTheCancelReason() throws Exception {
    List<JsonNode> lines = write(Runs.cancelled(true));
    JsonNode last = lines.get(lines.size() - 1);
    assertThat(last.get("event").asText()).isEqualTo("run_finished");
    assertThat(last.get("status").asText()).isEqualTo("cancelled");
    assertThat(last.get("error").get("code").asText()).isEqualTo("CANCELLED");
    assertThat(lines)
        .filteredOn(n -> n.get("status") != null && n.get("status").asText().equals("cancelled"))
        .extracting(n -> n.has("step") ? n.get("step").asText() : "run")
        .containsExactly(
            "prices.do[1]", "prices.do[1]", "prices.do[2]", "prices.do[2]", "prices", "run");
  }
}
