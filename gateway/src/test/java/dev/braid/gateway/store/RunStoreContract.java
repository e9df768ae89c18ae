package dev.braid.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.braid.gateway.engine.JournalException;
import dev.braid.gateway.engine.RunEvent;
import dev.braid.gateway.engine.RunJournal;
import dev.braid.gateway.engine.StepOutcome;
import dev.braid.model.Failure;
import dev.braid.model.FailureCode;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What every {@link RunStore} must do, run against SQLite and PostgreSQL by the subclasses: each
 * test gets a fresh, empty store location.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
abstract class RunStoreContract {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String DEFINITION = "name: demo\nsteps:\n  a: { call: python:m:f }\n";
  static final long WAIT_S = 20;

  final AtomicLong now = new AtomicLong(1_700_000_000_000L);
  final InstantSource clock = () -> Instant.ofEpochMilli(now.get());
  final List<RunStore> opened = new ArrayList<>();
  String location;

  /** A fresh location for this test. */
  abstract String newLocation() throws Exception;

  /** A raw JDBC connection to {@link #location}, to look at or tamper with rows. */
  abstract Connection rawConnection() throws SQLException;

  @BeforeEach
  void freshLocation() throws Exception {
    location = newLocation();
  }

  @AfterEach
  void closeStores() {
    opened.forEach(RunStore::close);
  }

  RunStore open() {
    return open(StoreConfig.Budgets.DEFAULT);
  }

  RunStore open(StoreConfig.Budgets budgets) {
    RunStore s =
        RunStores.open(new StoreConfig(location, StoreConfig.Sync.NORMAL, budgets, false), clock);
    opened.add(s);
    return s;
  }

  static JsonNode parse(String text) {
    try {
      return JSON.readTree(text);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static <T> T await(CompletableFuture<T> f) throws Exception {
    return f.get(WAIT_S, TimeUnit.SECONDS);
  }

  static RunEvent event(RunEvent.Type type, String step, int attempt) {
    return new RunEvent(
        type,
        attempt * 1000L,
        step,
        "call",
        "python:m:f",
        "python",
        attempt,
        null,
        null,
        null,
        null);
  }

  long count(String sql) throws SQLException {
    try (Connection c = rawConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  void execute(String sql) throws SQLException {
    try (Connection c = rawConnection();
        Statement s = c.createStatement()) {
      s.executeUpdate(sql);
    }
  }

  @Test
  void aCreatedRunIsStoredRunningAndOwned() {
    RunStore store = open();
    RunStore.Claimed c =
        store.create(
            "demo", DEFINITION, parse("{\"x\": 1}"), Instant.ofEpochMilli(now.get() + 5000));
    StoredRun run = store.get(c.run().runId()).orElseThrow();
    assertThat(run.status()).isEqualTo(RunStatus.RUNNING);
    assertThat(run.owner()).isEqualTo(store.owner());
    assertThat(run.ownerEpoch()).isEqualTo(1);
    assertThat(run.workflow()).isEqualTo("demo");
    assertThat(run.input()).isEqualTo(parse("{\"x\": 1}"));
    assertThat(run.created()).isEqualTo(Instant.ofEpochMilli(now.get()));
    assertThat(run.deadline()).isEqualTo(Instant.ofEpochMilli(now.get() + 5000));
    assertThat(run.finished()).isNull();
    assertThat(c.definition()).isEqualTo(DEFINITION);
    assertThat(c.journal().runId()).isEqualTo(run.runId());
    assertThat(store.get("no-such-run")).isEmpty();
  }

  @Test
  void aDefinitionIsStoredOnceByItsContent() throws Exception {
    RunStore store = open();
    StoredRun a = store.create("demo", DEFINITION, parse("1"), null).run();
    StoredRun b = store.create("demo", DEFINITION, parse("2"), null).run();
    StoredRun other = store.create("demo", DEFINITION + "# changed\n", parse("3"), null).run();
    assertThat(a.definitionSha()).isEqualTo(b.definitionSha()).hasSize(64);
    assertThat(other.definitionSha()).isNotEqualTo(a.definitionSha());
    assertThat(count("SELECT COUNT(*) FROM definition")).isEqualTo(2);
  }

  @Test
  void outcomesAttemptsAndInstantsSurviveAReopen() throws Exception {
    String runId;
    Failure boom =
        Failure.of(FailureCode.APPLICATION, "ValueError", "boom").withDetails("{\"k\":1}");
    try (RunStore store = open()) {
      RunStore.Claimed c = store.create("demo", DEFINITION, parse("{}"), null);
      runId = c.run().runId();
      RunJournal j = c.journal();
      await(j.attemptStarting("a", 1));
      j.settled("a", StepOutcome.ok(parse("{\"v\": [1, 2]}")));
      j.settled("items[3].b", StepOutcome.failed(boom));
      await(j.attemptStarting("c", 1));
      await(j.attemptStarting("c", 2));
      assertThat(j.instant("wait.w", 123L)).isEqualTo(123L);
      assertThat(j.instant("wait.w", 456L)).as("recorded in this life").isEqualTo(123L);
    }
    RunStore again = open();
    RunStore.Claimed c = again.claim(runId);
    assertThat(c.run().ownerEpoch()).isEqualTo(2);
    assertThat(c.definition()).isEqualTo(DEFINITION);
    RunJournal j = c.journal();
    assertThat(j.recorded("a")).contains(StepOutcome.ok(parse("{\"v\": [1, 2]}")));
    assertThat(j.recorded("items[3].b")).contains(StepOutcome.failed(boom));
    assertThat(j.recorded("c")).isEmpty();
    assertThat(j.lastAttempt("a")).isEqualTo(1);
    assertThat(j.lastAttempt("c")).isEqualTo(2);
    assertThat(j.lastAttempt("never")).isZero();
    assertThat(j.instant("wait.w", 999L)).isEqualTo(123L);
    assertThat(again.steps(runId))
        .extracting(StoredStep::path, StoredStep::attempt)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("a", 1),
            org.assertj.core.groups.Tuple.tuple("items[3].b", 0),
            org.assertj.core.groups.Tuple.tuple("c", 2));
    assertThat(again.steps(runId).get(2).outcome()).isNull();
    assertThat(again.steps(runId).get(0).recordedAt()).isEqualTo(Instant.ofEpochMilli(now.get()));
  }

  @Test
  void aClaimFencesTheEarlierOwnersWrites() throws Exception {
    RunStore store = open();
    RunStore.Claimed c = store.create("demo", DEFINITION, parse("{}"), null);
    String runId = c.run().runId();
    // another gateway's claim, as it would land in the database
    execute(
        "UPDATE run SET owner = 'other', owner_epoch = owner_epoch + 1 WHERE run_id = '"
            + runId
            + "'");
    assertThatThrownBy(() -> await(c.journal().attemptStarting("a", 1)))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(JournalException.class)
        .hasMessageContaining("run " + runId + " was taken over by another gateway")
        .satisfies(
            e -> assertThat(((JournalException) e).code()).isEqualTo(FailureCode.UNAVAILABLE));
    assertThatThrownBy(() -> c.journal().settled("a", StepOutcome.ok(parse("1"))))
        .isInstanceOf(JournalException.class)
        .hasMessageContaining("taken over");
    assertThat(count("SELECT COUNT(*) FROM step_result")).isZero();
    // and a claim in this store fences the journal it handed out before
    RunStore.Claimed d = store.create("demo", DEFINITION, parse("{}"), null);
    RunStore.Claimed d2 = store.claim(d.run().runId());
    assertThatThrownBy(() -> await(d.journal().attemptStarting("a", 1)))
        .cause()
        .hasMessageContaining("taken over");
    await(d2.journal().attemptStarting("a", 1));
    assertThat(count("SELECT COUNT(*) FROM step_result")).isEqualTo(1);
  }

  @Test
  void eventsAreKeptInOrderAndReadFromASequenceNumber() throws Exception {
    String runId;
    List<RunEvent> sent = new ArrayList<>();
    try (RunStore store = open()) {
      RunStore.Claimed c = store.create("demo", DEFINITION, parse("{}"), null);
      runId = c.run().runId();
      for (int i = 1; i <= 10; i++) {
        RunEvent e = event(RunEvent.Type.ATTEMPT_STARTED, "s" + i, i);
        sent.add(e);
        c.journal().event(e);
      }
      RunEvent failed =
          new RunEvent(
              RunEvent.Type.RETRY_SCHEDULED,
              5L,
              "s",
              "call",
              null,
              null,
              2,
              RunEvent.Status.FAILED,
              Failure.of(FailureCode.UNAVAILABLE, "Lost", "gone"),
              Duration.ofMillis(250),
              null);
      sent.add(failed);
      c.journal().event(failed);
      c.journal().settled("s", StepOutcome.ok(parse("true")));
    }
    RunStore again = open();
    assertThat(again.events(runId, 0, 100))
        .extracting(StoredEvent::event)
        .containsExactlyElementsOf(sent);
    assertThat(again.events(runId, 4, 3)).extracting(StoredEvent::seq).containsExactly(4L, 5L, 6L);
    RunStore.Claimed c = again.claim(runId);
    RunEvent last =
        new RunEvent(
            RunEvent.Type.RUN_FINISHED,
            9L,
            null,
            null,
            null,
            null,
            0,
            RunEvent.Status.OK,
            null,
            null,
            parse("{\"done\": true}"));
    c.journal().event(last);
    await(c.journal().finished(StepOutcome.ok(parse("{\"done\": true}")), false));
    List<StoredEvent> all = again.events(runId, 0, 100);
    assertThat(all).hasSize(12);
    assertThat(all.get(11).seq()).isEqualTo(11);
    assertThat(all.get(11).event()).isEqualTo(last);
  }

  @Test
  void aFinishedRunHasItsResultAndIsNotResumable() throws Exception {
    RunStore store = open();
    RunStore.Claimed ok = store.create("demo", DEFINITION, parse("{}"), null);
    now.addAndGet(1500);
    await(ok.journal().finished(StepOutcome.ok(parse("[1, 2]")), false));
    StoredRun r = store.get(ok.run().runId()).orElseThrow();
    assertThat(r.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(r.result()).isEqualTo(parse("[1, 2]"));
    assertThat(r.owner()).isNull();
    assertThat(r.finished()).isEqualTo(Instant.ofEpochMilli(now.get()));
    Failure f = Failure.of(FailureCode.CANCELLED, "Cancelled", "stop");
    RunStore.Claimed cancelled = store.create("demo", DEFINITION, parse("{}"), null);
    await(cancelled.journal().finished(StepOutcome.failed(f), true));
    StoredRun rc = store.get(cancelled.run().runId()).orElseThrow();
    assertThat(rc.status()).isEqualTo(RunStatus.CANCELLED);
    assertThat(rc.failure()).isEqualTo(f);
    assertThatThrownBy(() -> store.claim(ok.run().runId()))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("succeeded");
    assertThatThrownBy(() -> store.claim("no-such-run"))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("no run no-such-run");
  }

  @Test
  void aSignalIsDeliveredOnceEvenAcrossReopens() throws Exception {
    String runId;
    try (RunStore store = open()) {
      RunStore.Claimed c = store.create("demo", DEFINITION, parse("{}"), null);
      runId = c.run().runId();
      // sent before the step waits: kept for it
      store.signal(runId, "approve", parse("{\"by\": \"ann\"}"));
      assertThat(await(c.journal().nextSignal("approve", "ask")))
          .isEqualTo(parse("{\"by\": \"ann\"}"));
      // taken but the step did not settle: not consumed
    }
    try (RunStore store = open()) {
      RunStore.Claimed c = store.claim(runId);
      assertThat(await(c.journal().nextSignal("approve", "ask")))
          .isEqualTo(parse("{\"by\": \"ann\"}"));
      c.journal().settled("ask", StepOutcome.ok(parse("{\"by\": \"ann\"}")));
    }
    RunStore store = open();
    RunStore.Claimed c = store.claim(runId);
    CompletableFuture<JsonNode> next = c.journal().nextSignal("approve", "ask2");
    assertThat(next).as("the consumed signal is not delivered again").isNotDone();
    // sent while the step waits: handed to the live journal
    store.signal(runId, "approve", parse("2"));
    assertThat(await(next)).isEqualTo(parse("2"));
    assertThat(count("SELECT COUNT(*) FROM signal WHERE consumed_by_path = 'ask'")).isEqualTo(1);
    await(c.journal().finished(StepOutcome.ok(parse("null")), false));
    assertThatThrownBy(() -> store.signal(runId, "approve", parse("3")))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("already succeeded");
    assertThatThrownBy(() -> store.signal("nope", "approve", parse("3")))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("no run nope");
  }

  @Test
  void aCancelRequestIsStoredForAnUnfinishedRun() throws Exception {
    RunStore store = open();
    RunStore.Claimed c = store.create("demo", DEFINITION, parse("{}"), null);
    String runId = c.run().runId();
    assertThat(store.get(runId).orElseThrow().cancelRequested()).isFalse();
    store.requestCancel(runId);
    assertThat(store.get(runId).orElseThrow().cancelRequested()).isTrue();
    assertThat(store.claim(runId).run().cancelRequested()).isTrue();
    RunStore.Claimed done = store.create("demo", DEFINITION, parse("{}"), null);
    await(done.journal().finished(StepOutcome.ok(parse("1")), false));
    assertThatThrownBy(() -> store.requestCancel(done.run().runId()))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("already succeeded");
  }

  @Test
  void budgetsFailTheRunNotTheStore() throws Exception {
    RunStore store = open(new StoreConfig.Budgets(5, 10_000, 100));
    RunStore.Claimed c = store.create("demo", DEFINITION, parse("{}"), null);
    RunJournal j = c.journal();
    for (int i = 0; i < 5; i++) {
      j.event(event(RunEvent.Type.STEP_STARTED, "s", i));
    }
    assertThatThrownBy(() -> j.event(event(RunEvent.Type.STEP_STARTED, "s", 6)))
        .isInstanceOf(JournalException.class)
        .hasMessageContaining("budget of 5 events")
        .satisfies(
            e ->
                assertThat(((JournalException) e).code())
                    .isEqualTo(FailureCode.RESOURCE_EXHAUSTED));
    String big = "x".repeat(200);
    assertThatThrownBy(() -> j.settled("s", StepOutcome.ok(JSON.getNodeFactory().textNode(big))))
        .isInstanceOf(JournalException.class)
        .hasMessageContaining("maxOutcomeBytes");
    // the run can still end, and a result over the budget ends it failed, not wedged
    assertThatThrownBy(
            () -> await(j.finished(StepOutcome.ok(JSON.getNodeFactory().textNode(big)), false)))
        .cause()
        .hasMessageContaining("maxOutcomeBytes");
    StoredRun r = store.get(c.run().runId()).orElseThrow();
    assertThat(r.status()).isEqualTo(RunStatus.FAILED);
    assertThat(r.failure().code()).isEqualTo(FailureCode.RESOURCE_EXHAUSTED);
    assertThat(store.events(c.run().runId(), 0, 100)).hasSize(5);
    // the store goes on
    RunStore.Claimed next = store.create("demo", DEFINITION, parse("{}"), null);
    next.journal().settled("a", StepOutcome.ok(parse("1")));
    await(next.journal().finished(StepOutcome.ok(parse("1")), false));
    assertThat(store.get(next.run().runId()).orElseThrow().status()).isEqualTo(RunStatus.SUCCEEDED);
    // the bytes of events and outcomes together
    RunStore small = reopenWith(new StoreConfig.Budgets(1000, 300, 1000));
    RunJournal k = small.create("demo", DEFINITION, parse("{}"), null).journal();
    k.settled("a", StepOutcome.ok(JSON.getNodeFactory().textNode("y".repeat(200))));
    assertThatThrownBy(
            () -> k.settled("b", StepOutcome.ok(JSON.getNodeFactory().textNode("y".repeat(200)))))
        .isInstanceOf(JournalException.class)
        .hasMessageContaining("maxBytes");
  }

  private RunStore reopenWith(StoreConfig.Budgets budgets) {
    opened.forEach(RunStore::close);
    opened.clear();
    return open(budgets);
  }

  @Test
  void runsAreListedNewestFirstAndByStatus() throws Exception {
    RunStore store = open();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      now.addAndGet(1000);
      ids.add(store.create("demo", DEFINITION, parse("{}"), null).run().runId());
    }
    RunJournal j = store.claim(ids.get(1)).journal();
    await(j.finished(StepOutcome.ok(parse("1")), false));
    assertThat(store.list(null, 10))
        .extracting(StoredRun::runId)
        .containsExactly(ids.get(3), ids.get(2), ids.get(1), ids.get(0));
    assertThat(store.list(null, 2))
        .extracting(StoredRun::runId)
        .containsExactly(ids.get(3), ids.get(2));
    assertThat(store.list(RunStatus.SUCCEEDED, 10))
        .extracting(StoredRun::runId)
        .containsExactly(ids.get(1));
    assertThat(store.list(RunStatus.RUNNING, 10)).hasSize(3);
    assertThat(store.list(RunStatus.FAILED, 10)).isEmpty();
  }

  @Test
  void pruneDeletesOldAndSurplusFinishedRunsOnly() throws Exception {
    RunStore store = open();
    List<String> finished = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      now.addAndGet(60_000);
      RunStore.Claimed c = store.create("demo", DEFINITION + i, parse("{}"), null);
      c.journal().event(event(RunEvent.Type.STEP_STARTED, "a", 1));
      c.journal().settled("a", StepOutcome.ok(parse("1")));
      await(c.journal().finished(StepOutcome.ok(parse("1")), false));
      finished.add(c.run().runId());
    }
    String running = store.create("demo", DEFINITION, parse("{}"), null).run().runId();
    // keep the newest 3: the oldest goes
    assertThat(store.prune(Duration.ofDays(1), 3)).isEqualTo(1);
    assertThat(store.get(finished.get(0))).isEmpty();
    assertThat(store.get(finished.get(1))).isPresent();
    // finished over 30 s ago (at -120 s and -60 s; the newest at now): two more go
    assertThat(store.prune(Duration.ofSeconds(30), 100)).isEqualTo(2);
    assertThat(store.list(null, 10))
        .extracting(StoredRun::runId)
        .containsExactlyInAnyOrder(finished.get(3), running);
    assertThat(count("SELECT COUNT(*) FROM step_result")).isEqualTo(1);
    assertThat(count("SELECT COUNT(*) FROM run_event")).isEqualTo(1);
    assertThat(count("SELECT COUNT(*) FROM definition")).as("unused definitions go").isEqualTo(2);
    assertThat(store.prune(Duration.ZERO, 0)).isEqualTo(1);
    assertThat(store.get(running)).isPresent();
  }

  @Test
  void aReadOnlyStoreReadsButRefusesWrites() throws Exception {
    String runId;
    try (RunStore store = open()) {
      runId = store.create("demo", DEFINITION, parse("{}"), null).run().runId();
    }
    try (RunStore ro =
        RunStores.open(
            new StoreConfig(location, StoreConfig.Sync.NORMAL, StoreConfig.Budgets.DEFAULT, true),
            clock)) {
      assertThat(ro.get(runId)).isPresent();
      assertThatThrownBy(() -> ro.claim(runId))
          .isInstanceOf(StoreException.class)
          .hasMessageContaining("read-only");
      assertThatThrownBy(() -> ro.create("demo", DEFINITION, parse("{}"), null))
          .isInstanceOf(StoreException.class);
    }
  }

  @Test
  void writesAfterCloseFailTheJournalNotTheCaller() throws Exception {
    RunStore store = open();
    RunStore.Claimed c = store.create("demo", DEFINITION, parse("{}"), null);
    store.close();
    assertThatThrownBy(() -> await(c.journal().attemptStarting("a", 1)))
        .cause()
        .isInstanceOf(JournalException.class)
        .hasMessageContaining("closed");
    assertThatThrownBy(() -> store.get(c.run().runId())).isInstanceOf(StoreException.class);
    RunStore again = open();
    assertThat(again.get(c.run().runId()).orElseThrow().status()).isEqualTo(RunStatus.RUNNING);
  }
}
