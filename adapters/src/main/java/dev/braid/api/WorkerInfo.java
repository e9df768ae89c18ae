package dev.braid.api;

/**
 * A snapshot of one worker process, as {@link Braid#workers()} reports it: for status output,
 * benchmarks and tests. Values are read without stopping the pool, so they may be stale by the time
 * they are read.
 *
 * @param id the gateway's name for the worker, e.g. {@code python-1}
 * @param language {@code python}, {@code node} or {@code java}
 * @param pid the process id, or -1 while no process runs for it
 * @param state its state in the pool, e.g. {@code READY} (for people, not a contract)
 * @param inFlight calls dispatched to it whose outcome is not in yet
 * @param abandoned calls it did not settle within grace after a cancel and still runs
 */
public record WorkerInfo(
    String id, String language, long pid, String state, int inFlight, int abandoned) {}
