package dev.braid.it;

import dev.braid.api.Braid;
import dev.braid.api.BraidConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A gateway in its own JVM, for the test that freezes the whole JVM (as a long GC pause does):
 * prints {@code WORKER <pid>}, makes a call that takes {@code args[1]} seconds, then prints the
 * call's result or failure, the worker's pid after it, and the pool's restarts.
 */
public final class GatewayStallMain {
  private GatewayStallMain() {}

  public static void main(String[] args) throws Exception {
    Braid braid =
        Braid.start(
            BraidConfig.builder()
                .addPythonPath(Path.of(args[0]))
                .pingInterval(Duration.ofMillis(200))
                .livenessTimeout(Duration.ofSeconds(1))
                .build());
    long pid = braid.function("python:itfuncs:pid").call().get(60, TimeUnit.SECONDS).asLong();
    var call = braid.function("python:itfuncs:sleep_then").call(Double.parseDouble(args[1]), "ok");
    System.out.println("WORKER " + pid);
    System.out.flush();
    String outcome;
    try {
      outcome = "RESULT " + call.get(60, TimeUnit.SECONDS).asText();
    } catch (ExecutionException e) {
      outcome = "FAILED " + e.getCause();
    }
    long after = braid.function("python:itfuncs:pid").call().get(60, TimeUnit.SECONDS).asLong();
    System.out.println(outcome);
    System.out.println(
        "AFTER "
            + after
            + " RESTARTS "
            + braid.workerRestarts()
            + " STALLS "
            + braid.gatewayStalls());
    System.out.flush();
    braid.close();
  }
}
