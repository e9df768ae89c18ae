package dev.braid.model;

/**
 * A monotonic clock in nanoseconds. Production code uses {@link #system()}; tests inject a fake so
 * that deadline arithmetic can be checked without sleeping.
 */
@FunctionalInterface
public interface Ticker {
  long nanoTime();

  static Ticker system() {
    return System::nanoTime;
  }
}
