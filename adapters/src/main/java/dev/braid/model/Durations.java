package dev.braid.model;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses durations the way they are written everywhere in Braid, CLI and files alike: {@code
 * 250ms}, {@code 2s}, {@code 1.5s}, {@code 1m}, {@code 1h} (also {@code us}).
 */
public final class Durations {
  private static final Pattern FORMAT = Pattern.compile("(\\d+(?:\\.\\d+)?)(us|ms|s|m|h)");

  private Durations() {}

  /**
   * @throws IllegalArgumentException with a sentence naming the bad text and the accepted forms
   */
  public static Duration parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("missing duration");
    }
    Matcher m = FORMAT.matcher(text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "invalid duration '"
              + text
              + "': write a number and a unit, e.g. 250ms, 2s, 1.5s, 1m, 1h");
    }
    double n = Double.parseDouble(m.group(1));
    double nanosPerUnit =
        switch (m.group(2)) {
          case "us" -> 1e3;
          case "ms" -> 1e6;
          case "s" -> 1e9;
          case "m" -> 60e9;
          default -> 3600e9;
        };
    double nanos = n * nanosPerUnit;
    if (nanos > Long.MAX_VALUE) {
      throw new IllegalArgumentException("duration '" + text + "' is too large");
    }
    return Duration.ofNanos(Math.round(nanos));
  }

  /** Formats a duration compactly, e.g. {@code 1.5s}, {@code 250ms}. */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms % 1000 == 0 && ms >= 1000) {
      return (ms / 1000) + "s";
    }
    if (ms >= 1000) {
      return (ms / 1000.0) + "s";
    }
    return ms + "ms";
  }

  /** {@code d} in nanoseconds, saturated at {@code Long.MAX_VALUE} instead of overflowing. */
  public static long saturatedNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
  }
}
