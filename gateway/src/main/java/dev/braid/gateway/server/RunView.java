package dev.braid.gateway.server;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A read-only view of a server's runs for the web console: a page of runs and one run's steps, from
 * the server's memory and, with a store, from the store. What it shows is what the gRPC API shows
 * (GetRun, WatchRun): values the engine redacted (secrets) stay redacted here.
 *
 * <p>Thread-safe. Methods may block on the store (bounded reads); call them off latency-sensitive
 * threads. {@link #cancel} goes through the CancelRun RPC's own code path.
 */
public interface RunView {
  /** The largest page {@link #runs} returns. */
  int MAX_PAGE = 200;

  /** The most events {@link #run} reads to build a run's steps; beyond it the steps are partial. */
  int MAX_EVENTS = 10_000;

  /**
   * Which runs to list.
   *
   * @param status "running", "succeeded", "failed", "cancelled", or null for all
   * @param workflow the workflow's exact name, or null for all
   * @param idPrefix the start of a run id, or null
   * @param limit how many, 1..{@link #MAX_PAGE}
   */
  record Filter(String status, String workflow, String idPrefix, int limit) {
    public Filter {
      if (limit < 1 || limit > MAX_PAGE) {
        throw new IllegalArgumentException("limit not in 1.." + MAX_PAGE + ": " + limit);
      }
      if (status != null
          && !List.of("running", "succeeded", "failed", "cancelled").contains(status)) {
        throw new IllegalArgumentException(
            "status is not running, succeeded, failed or cancelled: " + status);
      }
    }
  }

  /** Why a run failed or was cancelled: the API's {@code Failure}, without its stack. */
  record Failure(String code, String type, String message, String language, String reason) {}

  /**
   * One run as the list shows it.
   *
   * @param finished null while it runs
   * @param failure null unless failed or cancelled
   */
  record Run(
      String id,
      String workflow,
      String status,
      Instant started,
      Instant finished,
      boolean cancelRequested,
      String failedStep,
      Failure failure) {}

  /**
   * One step instance of a run, as its events tell it.
   *
   * @param status "running", "ok", "failed", "cancelled" or "skipped"
   * @param startMs since the run started
   * @param durationMs null while it runs
   */
  record StepRow(
      String step,
      String kind,
      String function,
      String language,
      String status,
      int attempts,
      double startMs,
      Double durationMs,
      Failure failure) {}

  /**
   * One run with its steps.
   *
   * @param partial the steps leave out events (over {@link #MAX_EVENTS}, or no longer kept)
   */
  record Detail(Run run, List<StepRow> steps, boolean partial) {}

  /** The newest runs first that match {@code filter}, at most {@code filter.limit()}. */
  List<Run> runs(Filter filter);

  /** The run and its steps; empty when neither memory nor the store has it. */
  Optional<Detail> run(String id);

  /**
   * Cancels a run as the CancelRun RPC does (a run no gateway runs now is marked, and cancelled
   * when it resumes). Completes with the run afterwards, empty when unknown; completes on the
   * server's threads.
   */
  CompletableFuture<Optional<Run>> cancel(String id);

  /** A view without runs: a console started without a server (tests). */
  RunView NONE =
      new RunView() {
        @Override
        public List<Run> runs(Filter filter) {
          return List.of();
        }

        @Override
        public Optional<Detail> run(String id) {
          return Optional.empty();
        }

        @Override
        public CompletableFuture<Optional<Run>> cancel(String id) {
          return CompletableFuture.completedFuture(Optional.empty());
        }
      };
}
