package dev.braid.gateway.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The terminal progress is drawn on: stderr's. Java can tell whether stdin and stdout are a
 * terminal ({@code System.console()}), but not stderr, and not a terminal's size. {@code braid run
 * f.yaml > out.json} redirects stdout while a person still watches stderr, so this looks at the
 * file stderr is ({@code /proc/self/fd/2}, Linux) and asks {@code stty} for its size — there is no
 * library for this short of a native terminal library (JLine), which would be a large dependency
 * for two facts.
 */
public final class Terminal {
  private static final Logger log = LoggerFactory.getLogger(Terminal.class);

  /** Rows and columns. */
  public record Size(int rows, int columns) {}

  private Terminal() {}

  /** The terminal device stderr writes to ({@code /dev/pts/3}), if it is one. */
  public static Optional<Path> stderrDevice() {
    return device(Path.of("/proc/self/fd/2"));
  }

  static Optional<Path> device(Path fd) {
    try {
      Path target = Files.readSymbolicLink(fd);
      String t = target.toString();
      if (t.startsWith("/dev/pts/") || t.startsWith("/dev/tty") || t.equals("/dev/console")) {
        return Optional.of(target);
      }
    } catch (IOException | UnsupportedOperationException | SecurityException notLinux) {
      // not a terminal we can see
    }
    return Optional.empty();
  }

  /** The size of the terminal {@code device}, by {@code stty size}; empty if it cannot tell. */
  public static Optional<Size> size(Path device) {
    try {
      Process p =
          new ProcessBuilder("stty", "size")
              .redirectInput(device.toFile())
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      byte[] out = p.getInputStream().readNBytes(64);
      if (!p.waitFor(2, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return Optional.empty();
      }
      return parse(new String(out, StandardCharsets.US_ASCII));
    } catch (IOException e) {
      log.debug("stty size failed", e);
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /** {@code "48 160\n"} as 48 rows, 160 columns; empty for anything else or a zero size. */
  static Optional<Size> parse(String stty) {
    String[] parts = stty.strip().split("\\s+");
    if (parts.length != 2) {
      return Optional.empty();
    }
    try {
      int rows = Integer.parseInt(parts[0]);
      int cols = Integer.parseInt(parts[1]);
      return rows > 0 && cols > 0 ? Optional.of(new Size(rows, cols)) : Optional.empty();
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /**
   * Calls {@code onResize} on each SIGWINCH (the terminal was resized). {@code sun.misc.Signal}
   * (module jdk.unsupported) is the only way a JVM sees that signal.
   */
  @SuppressWarnings("sunapi")
  public static void onResize(Runnable onResize) {
    try {
      sun.misc.Signal.handle(new sun.misc.Signal("WINCH"), s -> onResize.run());
    } catch (IllegalArgumentException | UnsupportedOperationException unknownSignal) {
      log.debug("SIGWINCH cannot be watched here: the view keeps its size");
    }
  }
}
