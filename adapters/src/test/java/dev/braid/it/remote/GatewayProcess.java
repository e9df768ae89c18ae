package dev.braid.it.remote;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** A {@link GatewayMain} process (inside a namespace), driven through its stdin and stdout. */
final class GatewayProcess implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(60);

  private final Process process;
  private final Writer stdin;
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final Path log;

  GatewayProcess(List<String> prefix, Path dir, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(prefix);
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Dbraid.home=" + StandaloneWorker.HOME);
    cmd.add("-cp");
    cmd.add(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
    cmd.add(GatewayMain.class.getName());
    cmd.addAll(List.of(args));
    log = Files.createTempFile(dir, "gateway-", ".log");
    process = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
    stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) {
                  lines.add(l);
                }
              } catch (IOException e) {
                // the process ended
              }
            },
            "gateway-stdout");
    reader.setDaemon(true);
    reader.start();
  }

  void send(String command) throws IOException {
    stdin.write(command + "\n");
    stdin.flush();
  }

  /** The first line starting with {@code prefix}, waiting up to {@link #WAIT}. */
  String awaitLine(String prefix) {
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(20))
        .alias("a line starting with '" + prefix + "'; stderr:\n" + stderr())
        .until(() -> lines.stream().anyMatch(l -> l.startsWith(prefix)));
    return lines.stream().filter(l -> l.startsWith(prefix)).findFirst().orElseThrow();
  }

  /** The number of remote workers connected. */
  long workers() throws IOException {
    int before = (int) lines.stream().filter(l -> l.startsWith("WORKERS ")).count();
    send("workers");
    await()
        .atMost(WAIT)
        .until(() -> lines.stream().filter(l -> l.startsWith("WORKERS ")).count() > before);
    List<String> w = lines.stream().filter(l -> l.startsWith("WORKERS ")).toList();
    return Long.parseLong(w.get(w.size() - 1).substring("WORKERS ".length()));
  }

  String stderr() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "<" + e + ">";
    }
  }

  int awaitExit(long seconds) throws InterruptedException {
    return process.waitFor(seconds, TimeUnit.SECONDS) ? process.exitValue() : -1;
  }

  @Override
  public void close() throws InterruptedException {
    try {
      stdin.close(); // end of commands: the gateway closes its Braid and exits
    } catch (IOException e) {
      // already gone
    }
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
