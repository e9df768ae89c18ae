package dev.braid.api;

import dev.braid.internal.javaworker.JavaCallContext;

/**
 * The static accessor of the {@link CallContext} of the Java function running on the calling
 * thread, for code that does not take the context as a parameter (a helper several calls share).
 * Kept apart from the {@code CallContext} interface so that the public type does not depend on the
 * worker that implements it (the split of Temporal's {@code Activity} and {@code
 * ActivityInternal}).
 */
public final class CurrentCall {
  private CurrentCall() {}

  /**
   * The context of the Java function running on this thread, or null outside one. A thread the
   * function starts itself (or a future's completing thread) is outside it: pass the context there.
   */
  public static CallContext context() {
    return JavaCallContext.current();
  }
}
