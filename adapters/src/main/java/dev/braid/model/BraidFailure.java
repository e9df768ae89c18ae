package dev.braid.model;

/**
 * Implemented by every exception a Braid call completes with, so that callers can read the failure
 * record whatever the exception's Java type ({@link RemoteException}, {@link
 * BraidCancellationException}, {@link DeadlineExceededException}).
 */
public interface BraidFailure {
  Failure failure();

  /** Whether cleanup on the callee was abandoned (it did not settle within the grace period). */
  default boolean abandoned() {
    return false;
  }
}
