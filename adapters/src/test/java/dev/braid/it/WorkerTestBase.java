package dev.braid.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.braid.api.Braid;
import dev.braid.api.BraidConfig;
import dev.braid.api.RemoteCall;
import dev.braid.api.RemoteStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Starts a real {@link Braid} with real Python worker processes over a real Unix socket, with the
 * test functions of {@code src/test/python} on the module path. Every wait is bounded.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
abstract class WorkerTestBase {
  static final Path FUNCS = Path.of("src/test/python").toAbsolutePath();
  static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path markers;
  Braid braid;

  Braid start() {
    return start(b -> {});
  }

  Braid start(Consumer<BraidConfig.Builder> customize) {
    BraidConfig.Builder b = BraidConfig.builder().addPythonPath(FUNCS);
    customize.accept(b);
    braid = Braid.start(b.build());
    return braid;
  }

  @AfterEach
  void closeBraid() {
    if (braid != null) {
      braid.close();
    }
  }

  static JsonNode value(RemoteCall call) throws Exception {
    return call.get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  /** The exception the call failed with (unwrapped), failing the test if it succeeded. */
  static Throwable failure(RemoteCall call) throws InterruptedException, TimeoutException {
    try {
      JsonNode v = call.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      return fail("expected the call to fail, but it returned " + v);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (CancellationException e) {
      return e;
    }
  }

  /** Subscribes with unbounded demand and returns every item, as ints, once the stream ends. */
  static List<Integer> collectInts(RemoteStream stream) throws Exception {
    List<Integer> got = new CopyOnWriteArrayList<>();
    stream.subscribe(
        new Flow.Subscriber<>() {
          @Override
          public void onSubscribe(Flow.Subscription sub) {
            sub.request(Long.MAX_VALUE);
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
    stream.completion().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    return got;
  }

  String marker() {
    return markers.toString();
  }

  Path markerFile(String name) {
    return markers.resolve(name);
  }

  void awaitMarker(String name) {
    await().atMost(WAIT).until(() -> Files.exists(markerFile(name)));
  }

  String readMarker(String name) throws IOException {
    awaitMarker(name);
    return Files.readString(markerFile(name));
  }

  long workerPid() throws Exception {
    long pid = value(braid.function("python:itfuncs:pid").call()).asLong();
    assertThat(pid).isPositive();
    return pid;
  }
}
