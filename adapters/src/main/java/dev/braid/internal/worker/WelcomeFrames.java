package dev.braid.internal.worker;

import dev.braid.api.BraidConfig;
import dev.braid.proto.worker.v1.Welcome;

/**
 * The {@code Welcome} a gateway sends each worker that said Hello: its limits and its shutdown
 * waits (always sent, so a worker's own fallbacks apply only to an older gateway).
 */
final class WelcomeFrames {
  private WelcomeFrames() {}

  static Welcome of(BraidConfig config) {
    return Welcome.newBuilder()
        .setMaxPayloadBytes(config.maxPayloadBytes())
        .setPingIntervalMs((int) config.pingInterval().toMillis())
        .setGraceMs((int) config.defaultGrace().toMillis())
        .setCancelGraceMs((int) config.workerCancelGrace().toMillis())
        .setLostGraceMs((int) config.workerLostGrace().toMillis())
        .setCloseWaitMs((int) config.workerCloseWait().toMillis())
        .build();
  }
}
