package dev.braid.it;

/** A class whose loading ends the JVM: the gateway must never initialize it. */
public final class ExitOnLoad {
  static {
    Runtime.getRuntime().halt(42);
  }

  private ExitOnLoad() {}

  public static int f() {
    return 1;
  }
}
