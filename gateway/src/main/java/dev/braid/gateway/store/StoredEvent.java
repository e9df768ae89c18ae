package dev.braid.gateway.store;

import dev.braid.gateway.engine.RunEvent;

/** One event of a stored run, numbered from 0 in the order it happened. */
public record StoredEvent(long seq, RunEvent event) {}
