package dev.braid.internal.javaworker.source;

/**
 * A class exists as a {@code .java} source on the Java classpath but cannot be used: it does not
 * compile, or no compiler is available. The message is for the user (javac's diagnostics as {@code
 * File.java:LINE:COL: message}).
 *
 * <p>A {@link ClassNotFoundException}, so it passes through {@code ClassLoader.loadClass} and
 * {@code Class.forName} unchanged; callers that only know "missing class" still get a sensible
 * exception, and {@link JavaMethod} reports its message instead of "not on the classpath".
 */
public final class JavaSourceException extends ClassNotFoundException {
  private static final long serialVersionUID = 1L;

  JavaSourceException(String message) {
    super(message);
  }

  JavaSourceException(String message, Throwable cause) {
    super(message, cause);
  }
}
