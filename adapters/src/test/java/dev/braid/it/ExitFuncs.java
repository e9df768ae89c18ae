package dev.braid.it;

import dev.braid.api.CallContext;
import java.nio.file.Files;
import java.nio.file.Path;

/** Java functions that try to end the JVM they run in, for JavaWorkerProcessTest. */
public final class ExitFuncs {
  private ExitFuncs() {}

  public static long pid() {
    return ProcessHandle.current().pid();
  }

  public static String echo(String s) {
    return s;
  }

  public static void exit(int code) {
    System.exit(code);
  }

  public static void halt(int code) {
    Runtime.getRuntime().halt(code);
  }

  /** Marks {@code folder/started}, then sleeps until cancelled; marks the reason. */
  public static String sleepMarked(String folder, CallContext ctx) throws Exception {
    Files.writeString(Path.of(folder, "started"), "");
    try {
      Thread.sleep(30_000);
      return "slept";
    } catch (InterruptedException e) {
      Files.writeString(Path.of(folder, "cancelled"), ctx.cancelReason().wireName());
      throw e;
    }
  }
}
