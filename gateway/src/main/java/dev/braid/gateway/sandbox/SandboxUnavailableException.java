package dev.braid.gateway.sandbox;

/**
 * Untrusted execution is refused: the machine lacks what the sandbox needs (bubblewrap,
 * util-linux). The message names the package to install.
 */
public final class SandboxUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public SandboxUnavailableException(String message) {
    super(message);
  }
}
