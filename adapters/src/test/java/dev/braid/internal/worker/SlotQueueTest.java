package dev.braid.internal.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.braid.internal.hub.WorkerChannel;
import dev.braid.model.Failure;
import dev.braid.model.FailureCode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Placement without processes: fake lanes and fake calls, every callback recorded. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SlotQueueTest {
  private final Source source = new Source();

  /** A source that only counts how often the queue asked for capacity. */
  static final class Source implements SlotSource {
    final AtomicInteger demands = new AtomicInteger();

    @Override
    public String language() {
      return "python";
    }

    @Override
    public void demand() {
      demands.incrementAndGet();
    }
  }

  /** A worker the test opens, makes late and retires by hand. */
  static final class FakeLane extends SlotQueue.Lane {
    final String id;
    volatile boolean late;

    FakeLane(String id) {
      this.id = id;
    }

    @Override
    protected boolean late() {
      return late;
    }

    @Override
    public String workerId() {
      return id;
    }

    @Override
    public WorkerChannel connection() {
      return null;
    }

    @Override
    public void reportAbandoned() {}

    @Override
    public void abandonedSettled() {}
  }

  /** A call that records where it went, or why it was refused. */
  static final class Call implements PoolClient {
    final String name;
    volatile WorkerSlot slot;
    volatile Failure failure;
    Runnable onDispatch = () -> {};

    Call(String name) {
      this.name = name;
    }

    @Override
    public void dispatch(WorkerSlot s) {
      assertThat(slot).as("%s dispatched twice", name).isNull();
      slot = s;
      onDispatch.run();
    }

    @Override
    public void reject(Failure f) {
      assertThat(failure).as("%s rejected twice", name).isNull();
      failure = f;
    }

    String worker() {
      return slot == null ? null : slot.workerId();
    }
  }

  private static List<Call> acquire(SlotQueue q, int n) {
    List<Call> calls = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Call c = new Call("c" + i);
      q.acquire(c);
      calls.add(c);
    }
    return calls;
  }

  @Test
  void eachCallGoesToTheLeastLoadedLaneTheFirstOnATie() {
    SlotQueue q = new SlotQueue(source, 10);
    FakeLane a = new FakeLane("a");
    FakeLane b = new FakeLane("b");
    q.open(a, 4);
    q.open(b, 4);

    List<Call> calls = acquire(q, 4);

    assertThat(calls).extracting(Call::worker).containsExactly("a", "b", "a", "b");
    assertThat(q.inFlight(a)).isEqualTo(2);
    assertThat(q.inFlight(b)).isEqualTo(2);
    calls.get(0).slot.release();
    Call next = new Call("next");
    q.acquire(next);
    assertThat(next.worker()).isEqualTo("a");
    assertThat(source.demands).hasValue(0);
  }

  @Test
  void aFullLaneMakesTheCallWaitAndAskTheSourceForCapacity() {
    SlotQueue q = new SlotQueue(source, 10);
    FakeLane a = new FakeLane("a");
    q.open(a, 1);
    Call first = new Call("first");
    Call second = new Call("second");

    q.acquire(first);
    q.acquire(second);

    assertThat(first.worker()).isEqualTo("a");
    assertThat(second.slot).isNull();
    assertThat(second.failure).isNull();
    assertThat(q.waiting()).isEqualTo(1);
    assertThat(source.demands).hasValue(1);

    first.slot.release();

    assertThat(second.worker()).isEqualTo("a");
    assertThat(q.waiting()).isZero();
    assertThat(q.inFlight(a)).isEqualTo(1);
  }

  @Test
  void waitingCallsAreServedOldestFirst() {
    SlotQueue q = new SlotQueue(source, 10);
    List<Call> calls = acquire(q, 3);
    assertThat(source.demands).hasValue(3);

    FakeLane a = new FakeLane("a");
    q.open(a, 2);

    assertThat(calls).extracting(Call::worker).containsExactly("a", "a", null);
    Call later = new Call("later");
    q.acquire(later);
    calls.get(1).slot.release();
    assertThat(calls.get(2).worker()).as("the older waiter goes first").isEqualTo("a");
    assertThat(later.slot).isNull();
    calls.get(0).slot.release();
    assertThat(later.worker()).isEqualTo("a");
  }

  @Test
  void aFullQueueShedsNewCallsWithOverloaded() {
    SlotQueue q = new SlotQueue(source, 2);
    List<Call> calls = acquire(q, 3);

    assertThat(calls.get(0).failure).isNull();
    assertThat(calls.get(1).failure).isNull();
    Failure f = calls.get(2).failure;
    assertThat(f.code()).isEqualTo(FailureCode.RESOURCE_EXHAUSTED);
    assertThat(f.type()).isEqualTo("Overloaded");
    assertThat(f.message())
        .isEqualTo("2 calls already wait for a python worker (queue capacity 2)");
    assertThat(q.waiting()).isEqualTo(2);
    assertThat(source.demands).as("a shed call asks for nothing").hasValue(2);
  }

  @Test
  void aQueueOfCapacityZeroShedsEveryCallThatFindsNoSlot() {
    SlotQueue q = new SlotQueue(source, 0);
    FakeLane a = new FakeLane("a");
    q.open(a, 1);
    List<Call> calls = acquire(q, 2);

    assertThat(calls.get(0).worker()).isEqualTo("a");
    assertThat(calls.get(1).failure.message())
        .isEqualTo("0 calls already wait for a python worker (queue capacity 0)");
  }

  @Test
  void aWithdrawnCallIsNeverDispatched() {
    SlotQueue q = new SlotQueue(source, 10);
    Call c = new Call("c");
    q.acquire(c);

    assertThat(q.withdraw(c)).isTrue();
    assertThat(q.withdraw(c)).isFalse();
    q.open(new FakeLane("a"), 1);

    assertThat(c.slot).isNull();
    assertThat(c.failure).isNull();
  }

  @Test
  void withdrawingADispatchedCallSaysNo() {
    SlotQueue q = new SlotQueue(source, 10);
    q.open(new FakeLane("a"), 1);
    Call c = new Call("c");
    q.acquire(c);
    assertThat(q.withdraw(c)).isFalse();
  }

  @Test
  void aLateLaneIsSkippedEvenWhenItIsLeastLoaded() {
    SlotQueue q = new SlotQueue(source, 10);
    FakeLane a = new FakeLane("a");
    FakeLane b = new FakeLane("b");
    q.open(a, 4);
    q.open(b, 4);
    Call busy = new Call("busy");
    q.acquire(busy);
    assertThat(busy.worker()).isEqualTo("a");

    b.late = true;
    Call c = new Call("c");
    q.acquire(c);

    assertThat(c.worker()).isEqualTo("a");
  }

  @Test
  void callsWaitWhileEveryLaneIsLateAndGoWhenOneRecovers() {
    SlotQueue q = new SlotQueue(source, 10);
    FakeLane a = new FakeLane("a");
    q.open(a, 4);
    a.late = true;
    Call c = new Call("c");
    q.acquire(c);
    assertThat(c.slot).isNull();
    assertThat(c.failure).isNull();

    a.late = false;
    q.drain();

    assertThat(c.worker()).isEqualTo("a");
  }

  @Test
  void aRetiredLaneGetsNoNewCallsAndItsReleasesFeedOtherLanesOnly() {
    SlotQueue q = new SlotQueue(source, 10);
    FakeLane a = new FakeLane("a");
    q.open(a, 1);
    Call onA = new Call("onA");
    q.acquire(onA);

    q.retire(a);
    Call c = new Call("c");
    q.acquire(c);
    assertThat(c.slot).isNull();
    onA.slot.release();
    assertThat(c.slot).as("a draining worker takes nothing new").isNull();
    assertThat(q.inFlight(a)).isZero();

    FakeLane b = new FakeLane("b");
    q.open(b, 1);
    assertThat(c.worker()).isEqualTo("b");
  }

  @Test
  void aLaneRetiredBeforeItOpenedStaysShut() {
    SlotQueue q = new SlotQueue(source, 10);
    FakeLane a = new FakeLane("a");
    q.retire(a); // e.g. recycled between its Hello and its lane opening
    q.open(a, 4);
    Call c = new Call("c");
    q.acquire(c);
    assertThat(c.slot).isNull();
    assertThat(q.waiting()).isEqualTo(1);
  }

  @Test
  void rejectWaitingFailsOnlyTheWaitingCalls() {
    SlotQueue q = new SlotQueue(source, 10);
    FakeLane a = new FakeLane("a");
    q.open(a, 1);
    List<Call> calls = acquire(q, 3);
    Failure f = Failure.of(FailureCode.UNAVAILABLE, "WorkerStartFailed", "boom");

    q.rejectWaiting(f);

    assertThat(calls.get(0).failure).isNull();
    assertThat(calls.get(1).failure).isSameAs(f);
    assertThat(calls.get(2).failure).isSameAs(f);
    assertThat(q.waiting()).isZero();
    Call after = new Call("after");
    q.acquire(after);
    assertThat(after.failure).as("the queue still takes calls").isNull();
  }

  @Test
  void aClosedQueueFailsTheWaitingAndRefusesNewCalls() {
    SlotQueue q = new SlotQueue(source, 10);
    FakeLane a = new FakeLane("a");
    q.open(a, 1);
    List<Call> calls = acquire(q, 2);
    Failure shutdown = Supervisor.shutdownFailure();

    q.close(shutdown);
    q.close(Failure.of(FailureCode.INTERNAL, "Other", "second close"));
    Call late = new Call("late");
    q.acquire(late);

    assertThat(calls.get(1).failure).isSameAs(shutdown);
    assertThat(late.failure).isSameAs(shutdown);
    assertThat(late.failure.message()).isEqualTo("braid is shutting down");
    calls.get(0).slot.release(); // a call in flight still ends normally
    assertThat(q.inFlight(a)).isZero();
  }

  @Test
  void dispatchRunsOutsideTheLock() throws Exception {
    SlotQueue q = new SlotQueue(source, 10);
    q.open(new FakeLane("a"), 1);
    CountDownLatch otherThreadGotIn = new CountDownLatch(1);
    Call c = new Call("c");
    c.onDispatch =
        () -> {
          Thread t = new Thread(() -> q.acquire(new Call("other")));
          t.start();
          try {
            // would hang if dispatch ran under the queue's lock
            t.join(10_000);
            if (!t.isAlive()) {
              otherThreadGotIn.countDown();
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        };

    q.acquire(c);

    assertThat(otherThreadGotIn.getCount()).isZero();
    assertThat(q.waiting()).isEqualTo(1);
  }

  @Test
  void concurrentCallersNeverHoldMoreSlotsOfALaneThanItsLimit() throws Exception {
    SlotQueue q = new SlotQueue(source, 100_000);
    int lanes = 3;
    int max = 2;
    AtomicInteger[] held = new AtomicInteger[lanes];
    for (int i = 0; i < lanes; i++) {
      held[i] = new AtomicInteger();
      q.open(new FakeLane(Integer.toString(i)), max);
    }
    AtomicInteger worst = new AtomicInteger();
    AtomicInteger served = new AtomicInteger();
    // slots are handed back by the calling threads, not inside dispatch, as a real call does
    ConcurrentLinkedQueue<WorkerSlot> toRelease = new ConcurrentLinkedQueue<>();
    PoolClient client =
        new PoolClient() {
          @Override
          public void dispatch(WorkerSlot slot) {
            int n = held[Integer.parseInt(slot.workerId())].incrementAndGet();
            worst.accumulateAndGet(n, Math::max);
            served.incrementAndGet();
            toRelease.add(slot);
          }

          @Override
          public void reject(Failure failure) {
            throw new AssertionError(failure.message());
          }
        };
    Runnable releaseOne =
        () -> {
          WorkerSlot s = toRelease.poll();
          if (s != null) {
            held[Integer.parseInt(s.workerId())].decrementAndGet();
            s.release();
          }
        };
    int threads = 4;
    int perThread = 2_000;
    List<Thread> all = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread th =
          new Thread(
              () -> {
                for (int i = 0; i < perThread; i++) {
                  // a call that found no slot waits in the queue (the same client object may wait
                  // only once, so each acquire gets its own)
                  q.acquire(new DelegatingClient(client));
                  // keep every slot taken, so that calls queue and each release hands one on
                  if (toRelease.size() >= lanes * max) {
                    releaseOne.run();
                  }
                }
              });
      th.start();
      all.add(th);
    }
    for (Thread th : all) {
      th.join(20_000);
      assertThat(th.isAlive()).isFalse();
    }
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (served.get() < threads * perThread || !toRelease.isEmpty()) {
      assertThat(System.nanoTime()).as("every call served").isLessThan(until);
      releaseOne.run();
    }
    assertThat(served).hasValue(threads * perThread);
    assertThat(worst.get()).isLessThanOrEqualTo(max);
    assertThat(q.waiting()).isZero();
  }

  /**
   * A distinct call object around a shared behaviour: a class, not a record, since the queue keeps
   * calls in a set and records with the same component would be one call.
   */
  private static final class DelegatingClient implements PoolClient {
    private final PoolClient inner;

    DelegatingClient(PoolClient inner) {
      this.inner = inner;
    }

    @Override
    public void dispatch(WorkerSlot slot) {
      inner.dispatch(slot);
    }

    @Override
    public void reject(Failure failure) {
      inner.reject(failure);
    }
  }
}
