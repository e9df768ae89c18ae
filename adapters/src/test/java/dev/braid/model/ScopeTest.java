package dev.braid.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ScopeTest {
  private final ManualClock clock = new ManualClock();

  @Test
  void childInheritsTheEarlierDeadline() {
    Scope parent = Scope.root(Deadline.after(Duration.ofSeconds(1), clock));
    Scope later = parent.child(Deadline.after(Duration.ofSeconds(5), clock));
    Scope sooner = parent.child(Deadline.after(Duration.ofMillis(100), clock));

    assertThat(later.deadline().remaining()).isEqualTo(Duration.ofSeconds(1));
    assertThat(sooner.deadline().remaining()).isEqualTo(Duration.ofMillis(100));
    assertThat(parent.child().deadline()).isSameAs(parent.deadline());
  }

  @Test
  void firstReasonIsSticky() {
    Scope s = Scope.root();
    assertThat(s.cancel(CancelReason.DEADLINE_EXCEEDED)).isTrue();
    assertThat(s.cancel(CancelReason.CANCELLED)).isFalse();
    assertThat(s.reason()).isEqualTo(CancelReason.DEADLINE_EXCEEDED);
  }

  @Test
  void cancellingAParentCancelsDescendantsKeepingTheRootReason() {
    Scope root = Scope.root();
    Scope child = root.child();
    Scope grandchild = child.child();
    List<CancelReason> seen = new ArrayList<>();
    grandchild.onCancel(seen::add);

    root.cancel(CancelReason.SHUTDOWN);

    assertThat(child.reason()).isEqualTo(CancelReason.PARENT_CANCELLED);
    assertThat(grandchild.reason()).isEqualTo(CancelReason.PARENT_CANCELLED);
    assertThat(grandchild.rootReason()).isEqualTo(CancelReason.SHUTDOWN);
    assertThat(seen).containsExactly(CancelReason.PARENT_CANCELLED);
  }

  @Test
  void childOfACancelledScopeStartsCancelled() {
    Scope root = Scope.root();
    root.cancel(CancelReason.CANCELLED);
    Scope late = root.child();
    assertThat(late.reason()).isEqualTo(CancelReason.PARENT_CANCELLED);
    assertThat(late.rootReason()).isEqualTo(CancelReason.CANCELLED);
  }

  @Test
  void listenerOnCancelledScopeRunsAtOnceAndOnlyOnce() {
    Scope s = Scope.root();
    List<CancelReason> seen = new ArrayList<>();
    s.onCancel(seen::add);
    s.cancel(CancelReason.RACE_LOST);
    s.cancel(CancelReason.CANCELLED);
    s.onCancel(seen::add);
    assertThat(seen).containsExactly(CancelReason.RACE_LOST, CancelReason.RACE_LOST);
  }

  @Test
  void closingAScopeCancelsChildrenStillOpenButNotItself() {
    Scope parent = Scope.root();
    Scope open = parent.child();
    Scope finished = parent.child();
    finished.close();

    parent.close();

    assertThat(parent.isCancelled()).isFalse();
    assertThat(open.reason()).isEqualTo(CancelReason.PARENT_CANCELLED);
    assertThat(finished.isCancelled()).isFalse();
  }

  @Test
  void unregisteredListenerDoesNotRun() {
    Scope s = Scope.root();
    List<CancelReason> seen = new ArrayList<>();
    Runnable off = s.onCancel(seen::add);
    off.run();
    s.cancel(CancelReason.CANCELLED);
    assertThat(seen).isEmpty();
  }

  // ---- the scope owns its deadline: one timer per earlier deadline, on the deadline's clock

  private Deadline in(Duration d) {
    return Deadline.after(d, clock);
  }

  @Test
  void aRootDeadlineArmsOneTimerThatCancelsWithDeadlineExceededAndRecordsItself() {
    Scope root = Scope.root(in(Duration.ofSeconds(1)));
    List<CancelReason> seen = new ArrayList<>();
    root.onCancel(seen::add);
    assertThat(clock.pendingDelays()).containsExactly(Duration.ofSeconds(1));

    clock.advance(Duration.ofMillis(999));
    assertThat(root.isCancelled()).isFalse();
    clock.advance(Duration.ofMillis(1));

    assertThat(seen).containsExactly(CancelReason.DEADLINE_EXCEEDED);
    assertThat(root.expiredBy()).isSameAs(root);
    assertThat(clock.pending()).isZero();
  }

  @Test
  void aChildWithAnEarlierDeadlineArmsItsOwnTimerAndNoOtherScopeDoes() {
    Scope root = Scope.root(in(Duration.ofSeconds(5)));
    Scope later = root.child(in(Duration.ofSeconds(9)));
    Scope same = root.child(root.deadline());
    Scope none = root.child();
    assertThat(clock.pending()).isEqualTo(1);

    Scope sooner = none.child(in(Duration.ofSeconds(2)));
    Scope underSooner = sooner.child(in(Duration.ofSeconds(3)));

    assertThat(clock.pendingDelays()).containsExactly(Duration.ofSeconds(2), Duration.ofSeconds(5));
    assertThat(later.deadline()).isSameAs(root.deadline());
    assertThat(same.deadline()).isSameAs(root.deadline());
    assertThat(underSooner.deadline()).isSameAs(sooner.deadline());
  }

  @Test
  void theScopeWhoseDeadlineFiredIsRecordedOnEveryDescendant() {
    Scope run = Scope.root(in(Duration.ofSeconds(10)));
    Scope step = run.child(in(Duration.ofSeconds(3)));
    Scope attempt = step.child(in(Duration.ofSeconds(1)));
    Scope inner = attempt.child();

    clock.advance(Duration.ofSeconds(1));
    assertThat(attempt.reason()).isEqualTo(CancelReason.DEADLINE_EXCEEDED);
    assertThat(attempt.expiredBy()).isSameAs(attempt);
    assertThat(inner.reason()).isEqualTo(CancelReason.PARENT_CANCELLED);
    assertThat(inner.rootReason()).isEqualTo(CancelReason.DEADLINE_EXCEEDED);
    assertThat(inner.expiredBy()).isSameAs(attempt);
    assertThat(step.isCancelled()).isFalse();

    Scope retry = step.child(in(Duration.ofSeconds(5)));
    clock.advance(Duration.ofSeconds(2));
    assertThat(step.expiredBy()).isSameAs(step);
    assertThat(retry.expiredBy()).isSameAs(step);
    assertThat(retry.reason()).isEqualTo(CancelReason.PARENT_CANCELLED);
    assertThat(run.isCancelled()).isFalse();
    assertThat(clock.pendingDelays()).containsExactly(Duration.ofSeconds(7));
  }

  @Test
  void aCancelFromOutsideWithDeadlineExceededRecordsNoExpiredScope() {
    Scope s = Scope.root(in(Duration.ofSeconds(1)));
    s.cancel(CancelReason.DEADLINE_EXCEEDED);
    assertThat(s.expiredBy()).isNull();
  }

  @Test
  void cancellingOrClosingAScopeClearsItsTimer() {
    Scope root = Scope.root();
    Scope cancelled = root.child(in(Duration.ofSeconds(1)));
    Scope closed = root.child(in(Duration.ofSeconds(2)));
    Scope byParent = root.child(in(Duration.ofSeconds(3)));
    assertThat(clock.pending()).isEqualTo(3);

    cancelled.cancel(CancelReason.CANCELLED);
    closed.close();
    assertThat(clock.pendingDelays()).containsExactly(Duration.ofSeconds(3));
    root.cancel(CancelReason.SHUTDOWN);
    assertThat(clock.pending()).isZero();

    clock.advance(Duration.ofSeconds(5));
    assertThat(byParent.reason()).isEqualTo(CancelReason.PARENT_CANCELLED);
    assertThat(closed.isCancelled()).isFalse();
  }

  @Test
  void aChildOfACancelledScopeArmsNothing() {
    Scope root = Scope.root();
    root.cancel(CancelReason.CANCELLED);
    root.child(in(Duration.ofSeconds(1)));
    assertThat(clock.pending()).isZero();
  }

  @Test
  void anExpiredDeadlineSeenBeforeItsTimerRunsFiresOnTheScopeThatOwnsIt() {
    // a loaded timer thread: time passes, the armed task has not run yet
    AtomicLong now = new AtomicLong();
    List<Runnable> armed = new ArrayList<>();
    Clock late =
        new Clock() {
          @Override
          public long nanoTime() {
            return now.get();
          }

          @Override
          public Timer schedule(Duration delay, Runnable task) {
            armed.add(task);
            return () -> armed.remove(task);
          }
        };
    Scope step = Scope.root(Deadline.after(Duration.ofSeconds(1), late));
    Scope call = step.child(Deadline.after(Duration.ofSeconds(4), late));
    assertThat(armed).hasSize(1);
    assertThat(call.expireIfDue()).isFalse();

    now.set(Duration.ofSeconds(1).toNanos());
    assertThat(call.expireIfDue()).isTrue();

    assertThat(step.expiredBy()).isSameAs(step);
    assertThat(call.expiredBy()).isSameAs(step);
    assertThat(call.reason()).isEqualTo(CancelReason.PARENT_CANCELLED);
    assertThat(armed).isEmpty();
  }

  @Test
  void aScopeClosedByAnAncestorsCancelListenerPassesThatCancelsRootReasonToItsChildren() {
    // what the engine does: the run's cancel listener closes a step's scope before the cancel
    // reaches it; the call under the step must still hear the user's `cancelled`
    Scope run = Scope.root();
    Scope step = run.child();
    Scope call = step.child();
    run.onCancel(r -> step.close());

    run.cancel(CancelReason.CANCELLED);

    assertThat(call.reason()).isEqualTo(CancelReason.PARENT_CANCELLED);
    assertThat(call.rootReason()).isEqualTo(CancelReason.CANCELLED);
  }

  @Test
  void closingAScopeWhoseAncestorsAreNotCancelledCancelsItsChildrenAsParentCancelled() {
    Scope run = Scope.root();
    Scope step = run.child();
    Scope call = step.child();

    step.close();

    assertThat(call.rootReason()).isEqualTo(CancelReason.PARENT_CANCELLED);
    assertThat(run.isCancelled()).isFalse();
  }
}
