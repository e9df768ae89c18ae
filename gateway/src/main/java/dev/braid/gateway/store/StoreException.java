package dev.braid.gateway.store;

/**
 * The store could not be opened or used: a message a user can act on (the path or URL, what went
 * wrong, e.g. "held by another gateway (pid 4121)"), never a bare SQL error.
 */
public final class StoreException extends RuntimeException {
  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }

  public StoreException(String message) {
    super(message);
  }
}
