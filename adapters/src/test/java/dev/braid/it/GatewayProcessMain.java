package dev.braid.it;

import dev.braid.api.Braid;
import dev.braid.api.BraidConfig;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A gateway in its own JVM, for the test that kills the JVM: starts a worker, prints {@code WORKER
 * <pid>}, starts a long call, then waits to be killed.
 */
public final class GatewayProcessMain {
  private GatewayProcessMain() {}

  public static void main(String[] args) throws Exception {
    Braid braid = Braid.start(BraidConfig.builder().addPythonPath(Path.of(args[0])).build());
    long pid = braid.function("python:itfuncs:pid").call().get(60, TimeUnit.SECONDS).asLong();
    braid.function("python:itfuncs:sleep_marked").call(args[1], 600);
    System.out.println("WORKER " + pid);
    System.out.flush();
    Thread.sleep(600_000);
  }
}
