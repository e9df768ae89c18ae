package dev.braid.gateway.report;

import dev.braid.gateway.engine.RunListener;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Shows the progress of a {@code braid run} on stderr: a live, redrawn table of steps on a
 * terminal, or plain lines (one per meaningful event) for logs.
 *
 * <p>{@link #onEvent} is called on the engine's run thread and never blocks on the terminal for
 * long: the plain view writes one line per event; the live view only updates its state under a
 * lock, and a daemon timer thread redraws at most ten times a second. {@link #close()} stops the
 * timer and draws the last frame if the run did not finish; it is idempotent and may be called from
 * any thread. Nothing else should be written to the same stream while a live view is open, since
 * its redraws move the cursor over the lines it drew.
 */
public abstract sealed class ProgressView implements RunListener, AutoCloseable
    permits PlainProgressView, LiveProgressView {

  ProgressView() {}

  /**
   * A view writing to {@code err}.
   *
   * @param live whether {@code err} is a terminal: true for the redrawn table (ANSI cursor
   *     movement, colors unless {@code NO_COLOR} is set, as many lines as stderr's terminal has
   *     rows, cut to its width — both followed when it is resized; without a terminal to ask, 20
   *     lines of {@code COLUMNS} or 100 characters), false for plain lines
   */
  public static ProgressView create(PrintWriter err, boolean live) {
    return create(err, live, Map.of());
  }

  /**
   * A view that shows each step's {@code description:} beside it.
   *
   * @param descriptions step ids of the workflow model ({@code profile}, {@code prices.do}) to
   *     their descriptions; the instances of a loop body ({@code prices.do[3]}) share their body's
   */
  public static ProgressView create(
      PrintWriter err, boolean live, Map<String, String> descriptions) {
    Objects.requireNonNull(err, "err");
    Map<String, String> described = Map.copyOf(descriptions);
    if (!live) {
      return new PlainProgressView(err, described);
    }
    Optional<Path> tty = Terminal.stderrDevice();
    Optional<Terminal.Size> size = tty.flatMap(Terminal::size);
    LiveProgressView view =
        new LiveProgressView(
            err,
            System::nanoTime,
            size.map(s -> LiveProgressView.stepLinesFor(s.rows()))
                .orElse(LiveProgressView.DEFAULT_MAX_STEP_LINES),
            size.map(s -> Math.max(20, s.columns())).orElseGet(ProgressView::terminalWidth),
            System.getenv("NO_COLOR") == null,
            described);
    tty.ifPresent(device -> Terminal.onResize(() -> Terminal.size(device).ifPresent(view::resize)));
    view.startTimer();
    return view;
  }

  private static int terminalWidth() {
    String columns = System.getenv("COLUMNS");
    if (columns != null) {
      try {
        int n = Integer.parseInt(columns.trim());
        if (n >= 20) {
          return n;
        }
      } catch (NumberFormatException ignored) {
        // fall through to the default
      }
    }
    return 100;
  }

  /** Stops redrawing and flushes; idempotent. */
  @Override
  public abstract void close();
}
