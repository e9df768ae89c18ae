package dev.braid.gateway.server;

/**
 * A snapshot of a {@link BraidServer}'s load.
 *
 * @param runsRunning workflow runs holding a run slot now
 * @param runsPeak the most run slots ever held at once
 * @param callsRunning Invoke and InvokeStream calls holding a call slot now
 * @param callsPeak the most call slots ever held at once
 * @param queued requests waiting for a slot now, all kinds
 * @param queuedPeak the most requests ever waiting at once
 * @param shed requests refused with {@code RESOURCE_EXHAUSTED} (queue full or waited too long)
 * @param inFlight runs and calls started and not finished
 * @param runsKept runs in the registry, in progress and finished
 * @param finishedRunBytes bytes of events kept for finished runs
 * @param watchers WatchRun streams open now
 */
public record ServerStats(
    int runsRunning,
    int runsPeak,
    int callsRunning,
    int callsPeak,
    int queued,
    int queuedPeak,
    int shed,
    int inFlight,
    int runsKept,
    long finishedRunBytes,
    int watchers,
    long inflightBytes,
    long inflightBytesPeak) {}
