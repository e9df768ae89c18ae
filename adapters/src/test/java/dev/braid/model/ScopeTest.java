package dev.braid.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ScopeTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final Ticker ticker = now::get;

  @Test
  void childInheritsTheEarlierDeadline() {
    Scope parent = Scope.root(Deadline.after(Duration.ofSeconds(1), ticker));
    Scope later = parent.child(Deadline.after(Duration.ofSeconds(5), ticker));
    Scope sooner = parent.child(Deadline.after(Duration.ofMillis(100), ticker));

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
}
