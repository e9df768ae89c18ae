package dev.braid.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.braid.api.CallOptions;
import dev.braid.api.Calls;
import dev.braid.api.RemoteCall;
import dev.braid.model.Scope;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@link Calls#race} over real worker processes: a Python function against a Node one. The loser
 * hears {@code race_lost}, and the race completes only after the loser finished cleaning up.
 */
class RaceAcrossLanguagesTest extends WorkerTestBase {
  static final Path CONF = Path.of("src/test/conformance").toAbsolutePath();

  @Test
  void pythonWinsAndTheNodeLoserIsCancelledWithRaceLostAndAwaited() throws Exception {
    start(b -> b.addPythonPath(CONF.resolve("python")).addNodePath(CONF.resolve("node")));
    AtomicReference<RemoteCall> loser = new AtomicReference<>();
    Path nodeMarks = Files.createDirectories(markerFile("node"));

    JsonNode winner =
        Calls.race(
                Scope.root(),
                s -> {
                  RemoteCall c =
                      braid
                          .function("node:conf.mjs#sleep_marked")
                          .call(
                              List.of(nodeMarks.toString(), 30),
                              CallOptions.builder().parent(s).build());
                  loser.set(c);
                  return c;
                },
                s -> {
                  // started second, once the loser surely runs, so that the race has a loser
                  awaitMarker("node/started");
                  return braid
                      .function("python:conf:sleep_then")
                      .call(List.of(0.05, "python"), CallOptions.builder().parent(s).build());
                })
            .get(WAIT.toSeconds(), TimeUnit.SECONDS);

    assertThat(winner.asText()).isEqualTo("python");
    // awaited: by the time the race completed, the loser had settled and cleaned up
    assertThat(loser.get()).isDone();
    assertThat(loser.get().cleanup()).isDone();
    assertThat(Files.readString(nodeMarks.resolve("cancelled"))).isEqualTo("race_lost");
  }
}
