package dev.braid.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.braid.api.CallOptions;
import dev.braid.api.RemoteStream;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Async generators stream item by item, with backpressure. */
class StreamingTest extends WorkerTestBase {

  @BeforeEach
  void startBraid() {
    start();
  }

  /** A subscriber that requests only when told to. */
  static final class ManualSubscriber implements Flow.Subscriber<JsonNode> {
    final List<Integer> items = new CopyOnWriteArrayList<>();
    final AtomicReference<Flow.Subscription> sub = new AtomicReference<>();

    @Override
    public void onSubscribe(Flow.Subscription s) {
      sub.set(s);
    }

    @Override
    public void onNext(JsonNode item) {
      items.add(item.asInt());
    }

    @Override
    public void onError(Throwable t) {}

    @Override
    public void onComplete() {}
  }

  @Test
  void itemsArriveInOrderAndTheStreamCompletes() throws Exception {
    RemoteStream stream =
        braid.function("python:itfuncs:count").stream(List.of(10_000), CallOptions.DEFAULT);
    ManualSubscriber s = new ManualSubscriber();
    stream.subscribe(s);
    s.sub.get().request(Long.MAX_VALUE);

    stream.completion().get(30, TimeUnit.SECONDS);

    assertThat(s.items).hasSize(10_000);
    for (int i = 0; i < 10_000; i++) {
      assertThat(s.items.get(i)).isEqualTo(i);
    }
  }

  @Test
  void theGeneratorIsNotAdvancedBeyondWhatWasRequested() throws Exception {
    RemoteStream stream =
        braid.function("python:itfuncs:count").stream(List.of(1000), CallOptions.DEFAULT);
    ManualSubscriber s = new ManualSubscriber();
    stream.subscribe(s);

    s.sub.get().request(5);
    await().atMost(WAIT).until(() -> s.items.size() == 5);
    // give an eager producer the chance to run ahead, then look how far it got
    Thread.sleep(300);
    int produced = value(braid.function("python:itfuncs:produced").call()).asInt();
    assertThat(produced).isBetween(5, 6);
    assertThat(s.items).hasSize(5);

    s.sub.get().request(995);
    stream.completion().get(30, TimeUnit.SECONDS);
    assertThat(s.items).hasSize(1000);
  }

  @Test
  void cancellingTheSubscriptionStopsTheGenerator() throws Exception {
    RemoteStream stream =
        braid.function("python:itfuncs:count").stream(List.of(1_000_000), CallOptions.DEFAULT);
    ManualSubscriber s = new ManualSubscriber();
    stream.subscribe(s);
    s.sub.get().request(3);
    await().atMost(WAIT).until(() -> s.items.size() == 3);

    s.sub.get().cancel();

    await().atMost(WAIT).until(() -> stream.completion().isDone());
    assertThat(stream.completion()).isCompletedExceptionally();
    int produced = value(braid.function("python:itfuncs:produced").call()).asInt();
    assertThat(produced).isLessThan(10);
  }
}
