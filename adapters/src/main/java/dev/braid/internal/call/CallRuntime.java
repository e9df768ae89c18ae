package dev.braid.internal.call;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.braid.internal.worker.SlotProvider;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;

/** What every call to one language shares: its worker pool, the timer, JSON and the limits. */
public record CallRuntime(
    String language,
    SlotProvider pool,
    ScheduledExecutorService timer,
    ObjectMapper json,
    Duration defaultGrace,
    int maxPayloadBytes) {}
