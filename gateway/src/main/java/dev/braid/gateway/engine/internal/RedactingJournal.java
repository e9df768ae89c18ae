package dev.braid.gateway.engine.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.braid.gateway.engine.RunEvent;
import dev.braid.gateway.engine.RunJournal;
import dev.braid.gateway.engine.StepOutcome;
import dev.braid.gateway.secrets.Redactor;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A journal that stores what {@code redactor} masks: a run's secrets never reach the store, so
 * {@code braid show}, the server's stored events and a resumed run see {@code ***} in their place
 * (a step result holding a secret is fed back masked on resume; docs/workflows.md "secrets"). Same
 * threading as the journal it wraps.
 */
public final class RedactingJournal implements RunJournal {
  private final RunJournal journal;
  private final Redactor redactor;

  public RedactingJournal(RunJournal journal, Redactor redactor) {
    this.journal = journal;
    this.redactor = redactor;
  }

  @Override
  public String runId() {
    return journal.runId();
  }

  @Override
  public Optional<StepOutcome> recorded(String path) {
    return journal.recorded(path);
  }

  @Override
  public int lastAttempt(String path) {
    return journal.lastAttempt(path);
  }

  @Override
  public CompletableFuture<Void> attemptStarting(String path, int attempt) {
    return journal.attemptStarting(path, attempt);
  }

  @Override
  public void settled(String path, StepOutcome outcome) {
    journal.settled(path, redactor.redact(outcome));
  }

  @Override
  public long instant(String key, long fresh) {
    return journal.instant(key, fresh);
  }

  @Override
  public CompletableFuture<JsonNode> nextSignal(String name, String path) {
    return journal.nextSignal(name, path);
  }

  @Override
  public void event(RunEvent event) {
    journal.event(redactor.redact(event));
  }

  @Override
  public CompletableFuture<Void> finished(StepOutcome outcome, boolean cancelled) {
    return journal.finished(redactor.redact(outcome), cancelled);
  }
}
