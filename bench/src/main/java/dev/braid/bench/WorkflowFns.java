package dev.braid.bench;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The trivial Java function of the workflow bench ({@code java:dev.braid.bench.WorkflowFns#step}):
 * it runs in the gateway's own JVM, so a workflow of it shows the engine's cost with (almost) no
 * call cost under it. Public, because Braid calls public methods of public classes only.
 */
public final class WorkflowFns {
  private WorkflowFns() {}

  /** Returns its argument. */
  public static JsonNode step(JsonNode x) {
    return x;
  }
}
