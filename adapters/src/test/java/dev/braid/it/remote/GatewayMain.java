package dev.braid.it.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.braid.api.Braid;
import dev.braid.api.BraidConfig;
import dev.braid.api.RemoteCall;
import dev.braid.api.WorkerListener;
import dev.braid.model.BraidCancellationException;
import dev.braid.model.BraidFailure;
import dev.braid.model.Failure;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A gateway in its own JVM, run by {@link NetnsRemoteTest} inside the gateway's network namespace
 * (a JVM cannot move itself into one). It listens for workers on {@code HOST:PORT} and obeys
 * commands on stdin, one a line, answering on stdout:
 *
 * <pre>
 * start ID REF JSON-ARGS   -> later: DONE ID OK json | DONE ID FAIL type reason retryable nanos
 * cancel ID                -> (the call's DONE line follows)
 * workers                  -> WORKERS n   (remote workers connected)
 * </pre>
 *
 * DONE lines carry the nanoseconds from the command (or the cancel) to the outcome, for the bench.
 * Exits 2 when the listener is refused (the message on stderr).
 *
 * <p>args: host port cert|- key|- tokenFile keepAliveMs pythonPath
 */
public final class GatewayMain {
  private GatewayMain() {}

  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    Braid braid;
    try {
      braid =
          Braid.start(
              BraidConfig.builder()
                  .addPythonPath(Path.of(args[6]))
                  .pingInterval(Duration.ofMillis(250))
                  .livenessTimeout(Duration.ofSeconds(2))
                  .startTimeout(Duration.ofSeconds(60))
                  .workerListener(
                      new WorkerListener(
                          args[0],
                          Integer.parseInt(args[1]),
                          args[2].equals("-") ? null : Path.of(args[2]),
                          args[3].equals("-") ? null : Path.of(args[3]),
                          null,
                          Map.of("edge", Path.of(args[4])),
                          Duration.ofMillis(Long.parseLong(args[5]))))
                  .build());
    } catch (IllegalArgumentException e) {
      System.err.println("refused: " + e.getMessage());
      System.exit(2);
      return;
    }
    ObjectMapper json = new ObjectMapper();
    Map<String, RemoteCall> calls = new ConcurrentHashMap<>();
    Map<String, Long> cancelledAt = new ConcurrentHashMap<>();
    out.println("LISTENING " + braid.workerListenPort());
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line; (line = in.readLine()) != null; ) {
      String[] w = line.split(" ", 4);
      switch (w[0]) {
        case "start" -> {
          String id = w[1];
          long t0 = System.nanoTime();
          List<Object> callArgs = new ArrayList<>();
          json.readTree(w[3]).forEach(callArgs::add);
          RemoteCall c = braid.function(w[2]).call(callArgs.toArray());
          calls.put(id, c);
          c.whenComplete(
              (v, t) -> {
                long since = cancelledAt.getOrDefault(id, t0);
                long nanos = System.nanoTime() - since;
                out.println("DONE " + id + " " + describe(v, t) + " " + nanos);
              });
        }
        case "cancel" -> {
          cancelledAt.put(w[1], System.nanoTime());
          calls.get(w[1]).cancel(true);
        }
        case "workers" ->
            out.println(
                "WORKERS "
                    + braid.workers().stream().filter(i -> i.state().equals("REMOTE")).count());
        default -> out.println("UNKNOWN " + line);
      }
    }
    braid.close();
  }

  private static String describe(JsonNode v, Throwable t) {
    if (t == null) {
      return "OK " + v;
    }
    Throwable c = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    if (c instanceof BraidCancellationException bc) {
      return "FAIL Cancelled " + bc.reason().wireName() + " false";
    }
    if (c instanceof BraidFailure bf) {
      Failure f = bf.failure();
      return "FAIL " + f.type() + " " + f.reason() + " " + f.retryable();
    }
    return "FAIL " + c.getClass().getSimpleName() + " - false";
  }
}
