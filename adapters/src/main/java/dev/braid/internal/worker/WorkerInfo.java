package dev.braid.internal.worker;

/** A snapshot of one worker, for status output and tests. */
public record WorkerInfo(
    String id, String language, long pid, String state, int inFlight, int abandoned) {}
