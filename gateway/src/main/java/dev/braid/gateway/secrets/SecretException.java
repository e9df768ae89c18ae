package dev.braid.gateway.secrets;

/** A declared secret that cannot be read; the message names it, never its value. */
public final class SecretException extends Exception {
  private static final long serialVersionUID = 1L;

  public SecretException(String message) {
    super(message);
  }
}
