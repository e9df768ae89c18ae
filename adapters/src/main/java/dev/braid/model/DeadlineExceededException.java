package dev.braid.model;

import java.util.concurrent.TimeoutException;

/** A call's deadline (or heartbeat timeout) passed before it settled. */
public class DeadlineExceededException extends TimeoutException implements BraidFailure {
  private static final long serialVersionUID = 1L;
  private final transient Failure failure;
  private final boolean abandoned;

  public DeadlineExceededException(Failure failure, boolean abandoned) {
    super(failure.headline());
    this.failure = failure;
    this.abandoned = abandoned;
  }

  public CancelReason reason() {
    return CancelReason.fromWire(failure.reason());
  }

  @Override
  public Failure failure() {
    return failure;
  }

  @Override
  public boolean abandoned() {
    return abandoned;
  }
}
