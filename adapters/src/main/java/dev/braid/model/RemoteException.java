package dev.braid.model;

/**
 * A call failed with a code other than cancellation or deadline: the function raised ({@code
 * APPLICATION}), bad input ({@code INVALID_ARGUMENT}), the worker was lost ({@code UNAVAILABLE}),
 * limits ({@code RESOURCE_EXHAUSTED}) or an internal error.
 */
public class RemoteException extends RuntimeException implements BraidFailure {
  private static final long serialVersionUID = 1L;
  private final transient Failure failure;

  public RemoteException(Failure failure) {
    super(failure.headline(), null, false, false);
    this.failure = failure;
  }

  @Override
  public Failure failure() {
    return failure;
  }

  public FailureCode code() {
    return failure.code();
  }

  /** The stable error type, e.g. {@code ValueError}. */
  public String type() {
    return failure.type();
  }

  @Override
  public String toString() {
    return "RemoteException[" + failure.code() + "] " + failure.headline();
  }
}
