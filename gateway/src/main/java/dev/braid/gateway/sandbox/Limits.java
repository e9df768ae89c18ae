package dev.braid.gateway.sandbox;

import java.time.Duration;
import java.util.Objects;

/**
 * The resource limits of one script run. Immutable; build from {@link #DEFAULTS} with the {@code
 * with...} methods.
 *
 * @param wallTimeout wall-clock time from the moment the script is handed to the sandbox; enforced
 *     by the gateway ({@link Verdict#WALL_TIME_LIMIT})
 * @param cpuTime CPU time of the whole sandbox (RLIMIT_CPU per process, rounded up to whole
 *     seconds, and the cgroup's accounting for the tree where available; {@link
 *     Verdict#TIME_LIMIT})
 * @param memoryMb memory of the whole sandbox where cgroups are available (including files in
 *     {@code /tmp}), else the address space per process (Python) or the V8 heap (JavaScript)
 * @param maxOutputBytes stdout and stderr together, and separately the result line; past either the
 *     gateway kills the sandbox ({@link Verdict#OUTPUT_LIMIT})
 * @param maxProcesses processes and threads (RLIMIT_NPROC and the cgroup's pids.max)
 * @param maxFileSizeBytes the largest file the script may write (RLIMIT_FSIZE)
 * @param tmpfsMb the size of the sandbox's private {@code /tmp}
 */
public record Limits(
    Duration wallTimeout,
    Duration cpuTime,
    int memoryMb,
    long maxOutputBytes,
    int maxProcesses,
    long maxFileSizeBytes,
    int tmpfsMb) {

  /** 10 s wall, 5 s CPU, 256 MiB, 1 MiB output, 64 processes, 16 MiB files, 64 MiB /tmp. */
  public static final Limits DEFAULTS =
      new Limits(Duration.ofSeconds(10), Duration.ofSeconds(5), 256, 1 << 20, 64, 16 << 20, 64);

  public Limits {
    Objects.requireNonNull(wallTimeout, "wallTimeout");
    Objects.requireNonNull(cpuTime, "cpuTime");
    if (wallTimeout.isNegative() || wallTimeout.isZero()) {
      throw new IllegalArgumentException("wallTimeout <= 0: " + wallTimeout);
    }
    if (cpuTime.isNegative() || cpuTime.isZero()) {
      throw new IllegalArgumentException("cpuTime <= 0: " + cpuTime);
    }
    if (memoryMb < 32) {
      throw new IllegalArgumentException("memoryMb < 32: " + memoryMb);
    }
    if (maxOutputBytes < 1) {
      throw new IllegalArgumentException("maxOutputBytes < 1: " + maxOutputBytes);
    }
    if (maxProcesses < 1) {
      throw new IllegalArgumentException("maxProcesses < 1: " + maxProcesses);
    }
    if (maxFileSizeBytes < 1) {
      throw new IllegalArgumentException("maxFileSizeBytes < 1: " + maxFileSizeBytes);
    }
    if (tmpfsMb < 1) {
      throw new IllegalArgumentException("tmpfsMb < 1: " + tmpfsMb);
    }
  }

  public Limits withWallTimeout(Duration d) {
    return new Limits(
        d, cpuTime, memoryMb, maxOutputBytes, maxProcesses, maxFileSizeBytes, tmpfsMb);
  }

  public Limits withCpuTime(Duration d) {
    return new Limits(
        wallTimeout, d, memoryMb, maxOutputBytes, maxProcesses, maxFileSizeBytes, tmpfsMb);
  }

  public Limits withMemoryMb(int mb) {
    return new Limits(
        wallTimeout, cpuTime, mb, maxOutputBytes, maxProcesses, maxFileSizeBytes, tmpfsMb);
  }

  public Limits withMaxOutputBytes(long n) {
    return new Limits(wallTimeout, cpuTime, memoryMb, n, maxProcesses, maxFileSizeBytes, tmpfsMb);
  }

  public Limits withMaxProcesses(int n) {
    return new Limits(wallTimeout, cpuTime, memoryMb, maxOutputBytes, n, maxFileSizeBytes, tmpfsMb);
  }

  public Limits withMaxFileSizeBytes(long n) {
    return new Limits(wallTimeout, cpuTime, memoryMb, maxOutputBytes, maxProcesses, n, tmpfsMb);
  }

  public Limits withTmpfsMb(int mb) {
    return new Limits(
        wallTimeout, cpuTime, memoryMb, maxOutputBytes, maxProcesses, maxFileSizeBytes, mb);
  }
}
