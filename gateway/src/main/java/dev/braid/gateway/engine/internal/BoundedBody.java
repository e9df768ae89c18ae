package dev.braid.gateway.engine.internal;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * A response body read into memory up to a limit. The JDK's {@code BodySubscribers.ofByteArray()}
 * reads without bound (a hostile server could fill the gateway's heap) and the JDK has no limiting
 * subscriber, hence this one: past {@code limit} bytes it cancels the subscription, which closes
 * the connection, and fails with {@link TooLarge}.
 *
 * <p>Called by the HTTP client's threads, one signal at a time (Reactive Streams rule 1.3).
 */
final class BoundedBody implements HttpResponse.BodySubscriber<byte[]> {
  /** The body passed the limit. */
  static final class TooLarge extends RuntimeException {
    TooLarge(long limit) {
      super("the response body is larger than " + limit + " bytes, the limit");
    }
  }

  private final long limit;
  private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
  private final CompletableFuture<byte[]> body = new CompletableFuture<>();
  private Flow.Subscription subscription;

  BoundedBody(long limit) {
    this.limit = limit;
  }

  static HttpResponse.BodyHandler<byte[]> handler(long limit) {
    return info -> new BoundedBody(limit);
  }

  @Override
  public CompletionStage<byte[]> getBody() {
    return body;
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    subscription = s;
    s.request(Long.MAX_VALUE);
  }

  @Override
  public void onNext(List<ByteBuffer> items) {
    if (body.isDone()) {
      return;
    }
    for (ByteBuffer b : items) {
      if (buffer.size() + (long) b.remaining() > limit) {
        subscription.cancel();
        body.completeExceptionally(new TooLarge(limit));
        return;
      }
      byte[] chunk = new byte[b.remaining()];
      b.get(chunk);
      buffer.write(chunk, 0, chunk.length);
    }
  }

  @Override
  public void onError(Throwable t) {
    body.completeExceptionally(t);
  }

  @Override
  public void onComplete() {
    body.complete(buffer.toByteArray());
  }
}
