package dev.braid.model;

import java.util.concurrent.CancellationException;

/**
 * A call ended because its scope was cancelled; {@link #reason()} says why. Being a {@link
 * CancellationException}, it makes {@code CompletableFuture.isCancelled()} true.
 */
public class BraidCancellationException extends CancellationException implements BraidFailure {
  private static final long serialVersionUID = 1L;
  private final transient Failure failure;
  private final boolean abandoned;

  public BraidCancellationException(Failure failure, boolean abandoned) {
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
