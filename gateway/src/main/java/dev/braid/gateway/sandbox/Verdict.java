package dev.braid.gateway.sandbox;

/** How a sandboxed script ended (after isolate/Judge0; DESIGN §6). */
public enum Verdict {
  /** The script finished; its result is in {@link ExecResult#result()}. */
  OK,
  /** The script raised (or exited with a non-zero status); see {@link ExecResult#error()}. */
  RUNTIME_ERROR,
  /** The script used more CPU time than {@link Limits#cpuTime()}. */
  TIME_LIMIT,
  /** The script ran past {@link Limits#wallTimeout()}; the gateway killed it. */
  WALL_TIME_LIMIT,
  /** The script needed more memory than {@link Limits#memoryMb()}. */
  MEMORY_LIMIT,
  /** The script wrote more than {@link Limits#maxOutputBytes()}; the gateway killed it. */
  OUTPUT_LIMIT,
  /** Killed by a signal for another reason (a segfault, or a cancel by the caller). */
  KILLED,
  /** The sandbox or its runner failed; nothing is known about the script. */
  INTERNAL;

  public boolean isOk() {
    return this == OK;
  }
}
