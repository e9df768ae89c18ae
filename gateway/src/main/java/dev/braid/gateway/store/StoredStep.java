package dev.braid.gateway.store;

import dev.braid.gateway.engine.StepOutcome;
import java.time.Instant;

/**
 * A step instance of a stored run: its last started attempt and, once settled, its outcome.
 *
 * @param path the stable step path ({@code items[17].charge})
 * @param outcome null while in flight
 * @param recordedAt when the outcome was recorded, or null
 */
public record StoredStep(String path, int attempt, StepOutcome outcome, Instant recordedAt) {}
