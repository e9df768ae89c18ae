package dev.braid.gateway.workflow;

import java.util.Locale;

/** Randomization of retry backoff: {@code full} waits a random time up to the interval. */
public enum Jitter {
  FULL,
  NONE;

  public String word() {
    return name().toLowerCase(Locale.ROOT);
  }
}
