package dev.braid.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The gateway JVM is frozen (SIGSTOP, as a long stop-the-world GC pause freezes it) for longer than
 * the liveness timeout while a healthy worker runs a call: the worker must not be blamed for the
 * gateway's own stall.
 */
class GatewayStallTest extends WorkerTestBase {

  @Test
  void gatewayFrozenLongerThanTheLivenessTimeoutKillsNoHealthyWorker() throws Exception {
    String cp =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process gateway =
        new ProcessBuilder(
                List.of(
                    java.toString(),
                    "-cp",
                    cp,
                    "-Dbraid.home=" + System.getProperty("braid.home", ""),
                    GatewayStallMain.class.getName(),
                    FUNCS.toString(),
                    "6"))
            .redirectErrorStream(true)
            .start();
    try {
      List<String> lines = new ArrayList<>();
      CompletableFuture<Void> worker = new CompletableFuture<>();
      CompletableFuture<Void> done =
          CompletableFuture.runAsync(
              () -> {
                try (BufferedReader r =
                    new BufferedReader(
                        new InputStreamReader(gateway.getInputStream(), StandardCharsets.UTF_8))) {
                  String line;
                  while ((line = r.readLine()) != null) {
                    synchronized (lines) {
                      lines.add(line);
                    }
                    if (line.startsWith("WORKER ")) {
                      worker.complete(null);
                    }
                  }
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
      worker.get(60, TimeUnit.SECONDS);
      // a 1 s liveness timeout, frozen for 3 s while the worker sleeps in its 6 s call
      signal("STOP", gateway.pid());
      Thread.sleep(3_000);
      signal("CONT", gateway.pid());

      assertThat(gateway.waitFor(60, TimeUnit.SECONDS)).isTrue();
      done.get(10, TimeUnit.SECONDS);
      String out;
      synchronized (lines) {
        out = String.join("\n", lines);
      }
      long before = number(out, "WORKER ");
      assertThat(out).contains("RESULT ok");
      assertThat(number(out, "AFTER ")).as(out).isEqualTo(before);
      assertThat(number(out, "RESTARTS ")).as(out).isZero();
      // the stall was seen as the gateway's own, which shows the test really froze it
      assertThat(number(out, "STALLS ")).as(out).isPositive();
    } finally {
      gateway.destroyForcibly();
      gateway.waitFor(30, TimeUnit.SECONDS);
    }
  }

  private static void signal(String sig, long pid) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).inheritIO().start();
    assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(kill.exitValue()).isZero();
  }

  private static long number(String out, String key) {
    int i = out.indexOf(key);
    assertThat(i).as("'" + key + "' in:\n" + out).isNotNegative();
    int start = i + key.length();
    int end = start;
    while (end < out.length() && Character.isDigit(out.charAt(end))) {
      end++;
    }
    return Long.parseLong(out.substring(start, end));
  }
}
