package dev.braid.gateway.engine.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.braid.api.RetryPolicy;
import dev.braid.gateway.engine.RunEvent;
import dev.braid.gateway.engine.RunEvent.Status;
import dev.braid.gateway.engine.StepFailedException;
import dev.braid.gateway.workflow.CallPolicy;
import dev.braid.gateway.workflow.Located;
import dev.braid.gateway.workflow.Step;
import dev.braid.internal.policy.CircuitBreakers;
import dev.braid.internal.policy.Retrier;
import dev.braid.model.CancelReason;
import dev.braid.model.Deadline;
import dev.braid.model.Durations;
import dev.braid.model.Failure;
import dev.braid.model.FailureCode;
import dev.braid.model.Failures;
import dev.braid.model.Scope;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * An {@code http} step: one request per attempt on the shared JDK client, under the step's retry
 * policy and the circuit breaker of the URL's origin, like a {@code call}.
 *
 * <p>Each attempt runs in a scope of its own with the step's {@code timeout} (per attempt, as for a
 * call); when that scope is cancelled — its timeout, {@code total_timeout}, the run's deadline or
 * any cancel from outside — the in-flight exchange is aborted ({@code cancel(true)} on the client's
 * future closes the connection), so no request outlives its step. The body is read up to the
 * gateway's payload limit. Runs on the run thread; the client's threads only complete futures.
 */
final class HttpStep {
  private final Run run;

  HttpStep(Run run) {
    this.run = run;
  }

  CompletableFuture<JsonNode> run(Step.Http h, Scope stepScope, Env env, String name) {
    String method = h.method().value();
    URI uri = null;
    HttpRequest request;
    try {
      uri =
          HttpExchanges.uri(
              h.url().evaluate(env), h.query().map(q -> q.evaluate(env)).orElse(null));
      request =
          HttpExchanges.build(
              method,
              uri,
              h.headers().map(t -> t.evaluate(env)).orElse(null),
              h.body().map(t -> t.evaluate(env)).orElse(null));
    } catch (HttpExchanges.Invalid | IllegalArgumentException e) {
      return CompletableFuture.failedFuture(
          new StepFailedException(HttpExchanges.failed(method, uri, e), name, h.at()));
    }
    CallPolicy p = h.policy();
    Deadline total = p.totalTimeout().map(t -> run.deadlineAfter(t.value())).orElse(null);
    Scope scope = total == null ? stepScope : stepScope.child(total);
    CompletableFuture<JsonNode> result = new CompletableFuture<>();
    new Attempts(h, request, uri, scope, name, result).start();
    return result.whenComplete(
        (v, e) -> {
          if (scope != stepScope) {
            scope.close();
          }
        });
  }

  private final class Attempts implements Retrier.Listener {
    private final Step.Http h;
    private final HttpRequest request;
    private final URI uri;
    private final Scope scope;
    private final String name;
    private final String label;
    private final CompletableFuture<JsonNode> result;
    private final CircuitBreakers.Breaker breaker;
    private final RetryPolicy retry;

    Attempts(
        Step.Http h,
        HttpRequest request,
        URI uri,
        Scope scope,
        String name,
        CompletableFuture<JsonNode> result) {
      this.h = h;
      this.request = request;
      this.uri = uri;
      this.scope = scope;
      this.name = name;
      this.label = h.method().value() + " " + HttpExchanges.shown(uri);
      this.result = result;
      // one breaker per origin: every step and run requesting that server shares it
      String origin =
          uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
      this.breaker =
          h.policy()
              .circuitBreaker()
              .map(cb -> run.breakers.forFunction("http:" + origin, CallStep.breakerPolicy(cb)))
              .orElse(null);
      this.retry = h.policy().retry().map(RetryRuns::policy).orElse(null);
    }

    void start() {
      // as a call: a resumed step continues its attempt numbers (the last may have been sent)
      int last = run.lastAttempt(name);
      Duration firstWait =
          last == 0 ? Duration.ZERO : RetryRuns.remainingWait(run, name, last + 1, Duration.ZERO);
      new Retrier<>(
              retry,
              breaker,
              scope,
              RetryRuns.clock(run),
              run.random,
              run.loop,
              this,
              this::attempt)
          .waits((n, chosen) -> RetryRuns.remainingWait(run, name, n, chosen))
          .start(last + 1, firstWait)
          .whenComplete(
              (v, e) -> {
                if (e == null) {
                  result.complete(v);
                } else if (scope.isCancelled() && scope.expiredBy() == scope) {
                  result.completeExceptionally(
                      new StepFailedException(
                          Failure.cancelled(
                              CancelReason.DEADLINE_EXCEEDED,
                              "step '"
                                  + name
                                  + "' ran out of time"
                                  + h.policy()
                                      .totalTimeout()
                                      .map(
                                          t ->
                                              " (total_timeout "
                                                  + Durations.format(t.value())
                                                  + ")")
                                      .orElse("")),
                          name,
                          h.at()));
                } else if (scope.isCancelled()) {
                  result.completeExceptionally(
                      new StepFailedException(Outcomes.cancelled(scope), name, h.at()));
                } else {
                  result.completeExceptionally(
                      new StepFailedException(Failures.fromThrowable(e), name, h.at()));
                }
              });
    }

    private CompletableFuture<JsonNode> attempt(int n) {
      return run.attemptStarting(name, n).thenComposeAsync(v -> send(), run.loop);
    }

    private CompletableFuture<JsonNode> send() {
      if (scope.isCancelled()) {
        return CompletableFuture.failedFuture(
            Failures.toException(Outcomes.cancelled(scope), false));
      }
      Duration timeout = h.policy().timeout().map(Located::value).orElse(null);
      Scope attempt = scope.child(timeout == null ? null : run.deadlineAfter(timeout));
      CompletableFuture<HttpResponse<byte[]>> exchange =
          HttpExchanges.CLIENT.sendAsync(
              request, BoundedBody.handler(run.braid.config().maxPayloadBytes()));
      // the abort: cancel(true) on the client's future closes the exchange's connection
      Runnable unhook = attempt.onCancel(r -> exchange.cancel(true));
      return exchange.handleAsync(
          (response, error) -> {
            unhook.run();
            boolean expired = attempt.isCancelled() && attempt.expiredBy() == attempt;
            boolean cancelled = attempt.isCancelled();
            attempt.close();
            Failure f = null;
            if (expired) {
              f =
                  Failure.cancelled(
                      CancelReason.DEADLINE_EXCEEDED,
                      label + " timed out after " + Durations.format(timeout));
            } else if (cancelled) {
              f = Outcomes.cancelled(scope);
            } else if (error != null) {
              f = HttpExchanges.failed(h.method().value(), uri, Failures.unwrap(error));
            } else if (!expected(response.statusCode())) {
              f = HttpExchanges.unexpected(h.method().value(), uri, response);
            }
            if (f != null) {
              throw new CompletionException(Failures.toException(f, false));
            }
            return HttpExchanges.result(response);
          },
          run.loop);
    }

    private boolean expected(int status) {
      if (h.expect().isEmpty()) {
        return status >= 200 && status <= 299;
      }
      return h.expect().stream().anyMatch(e -> e.value() == status);
    }

    @Override
    public void attemptStarted(int attempt) {
      event(RunEvent.Type.ATTEMPT_STARTED, attempt, null, null);
    }

    @Override
    public void attemptFinished(int attempt, Failure failure, boolean cancelled) {
      Status s = failure == null ? Status.OK : cancelled ? Status.CANCELLED : Status.FAILED;
      event(RunEvent.Type.ATTEMPT_FINISHED, attempt, s, failure);
      if (failure != null && failure.code() == FailureCode.DEADLINE_EXCEEDED) {
        scope.expireIfDue();
      }
    }

    @Override
    public void retryScheduled(int attempt, Failure failure, Duration wait) {
      run.emit(
          RunEvent.Type.RETRY_SCHEDULED,
          name,
          "http",
          label,
          "http",
          attempt,
          Status.FAILED,
          failure,
          wait,
          null);
    }

    private void event(RunEvent.Type type, int attempt, Status status, Failure failure) {
      run.emit(type, name, "http", label, "http", attempt, status, failure, null, null);
    }
  }
}
