package dev.braid.gateway.store;

import com.fasterxml.jackson.databind.JsonNode;
import dev.braid.model.Failure;
import java.time.Instant;

/**
 * A run as the store keeps it.
 *
 * @param workflow the workflow's name (its file name under a folder, or what the client gave)
 * @param definitionSha the SHA-256 (hex) of the definition text it runs
 * @param owner the gateway that owns it now (null once finished)
 * @param ownerEpoch bumped by every claim: writes of an older epoch are refused (fencing)
 * @param deadline the run's absolute deadline, or null
 * @param finished null while running
 * @param result the result of a run that succeeded, else null
 * @param failure the failure of a run that failed or was cancelled, else null
 * @param cancelRequested a cancel asked for while no gateway ran it (honoured on resume)
 */
public record StoredRun(
    String runId,
    String workflow,
    String definitionSha,
    JsonNode input,
    RunStatus status,
    String owner,
    long ownerEpoch,
    Instant created,
    Instant deadline,
    Instant finished,
    JsonNode result,
    Failure failure,
    boolean cancelRequested) {}
