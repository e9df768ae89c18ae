package dev.braid.gateway.engine.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.braid.api.CallOptions;
import dev.braid.api.RemoteStream;
import dev.braid.gateway.engine.RunEvent;
import dev.braid.gateway.engine.RunEvent.Status;
import dev.braid.gateway.engine.StepFailedException;
import dev.braid.gateway.workflow.Located;
import dev.braid.gateway.workflow.Step;
import dev.braid.model.CancelReason;
import dev.braid.model.Failure;
import dev.braid.model.FailureCode;
import dev.braid.model.Failures;
import dev.braid.model.Scope;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;

/**
 * A {@code stream} step: the items of a generator, each through the {@code do} step. Credit is the
 * backpressure: {@code buffer} items are requested up front and one more each time an item's
 * processing starts, so a slow {@code do} holds the generator back instead of filling memory.
 */
final class StreamStep {
  private final Run run;
  private final Steps steps;

  StreamStep(Run run, Steps steps) {
    this.run = run;
    this.steps = steps;
  }

  CompletableFuture<JsonNode> run(Step.Stream s, Scope scope, Env env, String name) {
    Arguments args = Arguments.evaluate(s.args(), s.with(), env);
    // bodies and the generator share a scope below the step's: a failed body cancels them all
    // without the step's own scope looking cancelled from outside
    Scope work = scope.child();
    CallOptions.Builder o =
        CallOptions.builder()
            .parent(work)
            .idempotencyKey(run.idempotencyKey(name))
            .secrets(run.secrets);
    s.policy().queueTimeout().map(Located::value).ifPresent(o::queueTimeout);
    s.policy().heartbeatTimeout().map(Located::value).ifPresent(o::heartbeatTimeout);
    String function = s.function().value();
    // like a call, a generator resumed by a new life of the run is a new attempt, written ahead
    int attempt = run.lastAttempt(name) + 1;
    Consumer c = new Consumer(s, work, env, name, function, attempt);
    Runnable open =
        () -> {
          if (work.isCancelled()) {
            c.done.completeExceptionally(
                new StepFailedException(Outcomes.cancelled(work), name, null));
            return;
          }
          RemoteStream stream =
              run.braid
                  .function(function)
                  .internalStreamAttempt(args.positional(), args.keywords(), o.build(), attempt);
          // like a call step's attempt, the generator hears the reason at the root of a cancel
          Runnable unhook =
              work.onCancel(r -> stream.cancel(work.rootReason() != null ? work.rootReason() : r));
          c.done.whenComplete((v, e) -> unhook.run());
          stream.subscribe(c);
        };
    CompletableFuture<Void> ahead = run.attemptStarting(name, attempt);
    if (ahead.isDone() && !ahead.isCompletedExceptionally()) {
      open.run();
    } else {
      ahead.whenCompleteAsync(
          (v, e) -> {
            if (e != null) {
              c.done.completeExceptionally(e);
            } else {
              open.run();
            }
          },
          run.loop);
    }
    return c.done;
  }

  /** Receives items on any thread and handles them on the run thread. */
  private final class Consumer implements Flow.Subscriber<JsonNode> {
    private final Step.Stream step;
    private final Scope work;
    private final Env env;
    private final String name;
    private final String function;
    private final int attempt;
    private final CompletableFuture<JsonNode> done = new CompletableFuture<>();
    private final ArrayDeque<Integer> pending = new ArrayDeque<>();
    private final List<JsonNode> items = new ArrayList<>();
    private final List<JsonNode> results = new ArrayList<>();
    private Flow.Subscription subscription;
    private int running;
    private boolean ended;
    private StepFailedException failure;

    Consumer(Step.Stream step, Scope work, Env env, String name, String function, int attempt) {
      this.attempt = attempt;
      this.step = step;
      this.work = work;
      this.env = env;
      this.name = name;
      this.function = function;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      run.loop.execute(
          () -> {
            attempt(RunEvent.Type.ATTEMPT_STARTED, null, null);
            s.request(step.buffer().value());
          });
    }

    @Override
    public void onNext(JsonNode item) {
      run.loop.execute(() -> received(item));
    }

    @Override
    public void onError(Throwable t) {
      run.loop.execute(() -> generatorEnded(t));
    }

    @Override
    public void onComplete() {
      run.loop.execute(() -> generatorEnded(null));
    }

    private void received(JsonNode item) {
      int index = items.size();
      items.add(item);
      results.add(null);
      if (step.body().isEmpty()) {
        results.set(index, item);
        subscription.request(1);
        return;
      }
      pending.add(index);
      pump();
    }

    private void pump() {
      while (failure == null
          && !work.isCancelled()
          && running < step.concurrency().value()
          && !pending.isEmpty()) {
        int index = pending.poll();
        running++;
        subscription.request(1);
        steps
            .run(
                step.body().get(),
                work,
                env.item(step.as().value(), items.get(index), name, index, -1))
            .whenCompleteAsync((v, e) -> bodyDone(index, v, e), run.loop);
      }
      maybeDone();
    }

    private void bodyDone(int index, JsonNode value, Throwable error) {
      running--;
      if (error == null) {
        results.set(index, value);
      } else if (failure == null) {
        failure = Outcomes.failure(error, null, null);
        work.cancel(CancelReason.SIBLING_FAILED);
      }
      pump();
    }

    private void generatorEnded(Throwable error) {
      ended = true;
      if (error == null) {
        attempt(RunEvent.Type.ATTEMPT_FINISHED, Status.OK, null);
      } else {
        Failure f = Failures.fromThrowable(error);
        if (f.code() == FailureCode.DEADLINE_EXCEEDED) {
          work.expireIfDue();
        }
        boolean cancelled = f.code() == FailureCode.CANCELLED;
        attempt(RunEvent.Type.ATTEMPT_FINISHED, cancelled ? Status.CANCELLED : Status.FAILED, f);
        if (failure == null && !work.isCancelled()) {
          failure = new StepFailedException(f, name, step.at());
          work.cancel(CancelReason.SIBLING_FAILED);
        }
      }
      maybeDone();
    }

    private void maybeDone() {
      if (!ended || running > 0 || done.isDone()) {
        return;
      }
      if (failure != null) {
        done.completeExceptionally(failure);
      } else if (work.isCancelled() || !pending.isEmpty()) {
        done.completeExceptionally(new StepFailedException(Outcomes.cancelled(work), name, null));
      } else {
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        results.forEach(out::add);
        done.complete(out);
      }
    }

    private void attempt(RunEvent.Type type, Status status, Failure f) {
      run.emit(
          type,
          name,
          "stream",
          function,
          Steps.languageOfRef(function),
          attempt,
          status,
          f,
          null,
          null);
    }
  }
}
