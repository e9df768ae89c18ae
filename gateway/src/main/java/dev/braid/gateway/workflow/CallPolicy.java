package dev.braid.gateway.workflow;

import java.time.Duration;
import java.util.Optional;

/**
 * The timeouts and resilience settings of one call (DESIGN §3.4, §3.9): the run's {@code defaults},
 * or the effective settings of a {@code call} or {@code stream} step (its own keys over the
 * defaults, key by key).
 *
 * @param at where the settings were written (the step, or the {@code defaults} key)
 * @param timeout one attempt, from start to settle
 * @param totalTimeout all attempts including backoff waits
 * @param queueTimeout waiting for a worker slot or a concurrency permit
 * @param heartbeatTimeout the longest silence allowed between heartbeats
 * @param retry absent: one attempt
 * @param circuitBreaker absent: no breaker
 */
public record CallPolicy(
    Location at,
    Optional<Located<Duration>> timeout,
    Optional<Located<Duration>> totalTimeout,
    Optional<Located<Duration>> queueTimeout,
    Optional<Located<Duration>> heartbeatTimeout,
    Optional<RetryPolicy> retry,
    Optional<CircuitBreaker> circuitBreaker) {}
