package dev.braid.gateway.server;

import java.time.Duration;
import java.util.Objects;

/**
 * The most an {@code ExecuteScript} request may ask for; a request above any ceiling is refused
 * with {@code INVALID_ARGUMENT} naming the ceiling and its {@code braid serve} option. A request
 * that leaves a limit unset gets the sandbox's default, or the ceiling when that is lower.
 *
 * @param wallTimeout the longest wall-clock timeout ({@code --max-script-timeout})
 * @param cpuTime the most CPU time ({@code --max-script-cpu})
 * @param memoryMb the most memory, in MiB ({@code --max-script-memory})
 * @param outputBytes the most stdout + stderr, and separately the largest result, in bytes ({@code
 *     --max-script-output})
 */
public record ScriptCeilings(
    Duration wallTimeout, Duration cpuTime, int memoryMb, long outputBytes) {

  /** 60 s wall, 30 s CPU, 1024 MiB, 4 MiB output. */
  public static final ScriptCeilings DEFAULTS =
      new ScriptCeilings(Duration.ofSeconds(60), Duration.ofSeconds(30), 1024, 4L << 20);

  public ScriptCeilings {
    Objects.requireNonNull(wallTimeout, "wallTimeout");
    Objects.requireNonNull(cpuTime, "cpuTime");
    if (wallTimeout.isNegative() || wallTimeout.isZero()) {
      throw new IllegalArgumentException("--max-script-timeout must be positive: " + wallTimeout);
    }
    if (cpuTime.isNegative() || cpuTime.isZero()) {
      throw new IllegalArgumentException("--max-script-cpu must be positive: " + cpuTime);
    }
    // the sandbox needs 32 MiB to start an interpreter at all
    if (memoryMb < 32) {
      throw new IllegalArgumentException(
          "--max-script-memory must be at least 32 (MiB): " + memoryMb);
    }
    if (outputBytes < 1024) {
      throw new IllegalArgumentException(
          "--max-script-output must be at least 1024 (bytes): " + outputBytes);
    }
  }
}
