package dev.braid.internal.call;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.braid.internal.worker.SlotProvider;
import dev.braid.model.Clock;
import java.time.Duration;

/**
 * What every call to one language shares: its worker pool, the clock (deadlines and timers), JSON
 * and the limits.
 */
public record CallRuntime(
    String language,
    SlotProvider pool,
    Clock clock,
    ObjectMapper json,
    Duration defaultGrace,
    int maxPayloadBytes) {}
