package dev.braid.gateway.console.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The page's files, read from the jar once: nothing comes from a CDN or from disk at run time, and
 * a request can name only one of these (no path is ever resolved against a folder).
 */
final class Assets {
  /** One file and its media type. */
  record Asset(byte[] bytes, String type) {}

  private static final String ROOT = "/dev/braid/gateway/console/assets/";
  private static final Map<String, Asset> BY_PATH =
      Map.of(
          "/", load("index.html", "text/html; charset=utf-8"),
          "/assets/console.css", load("console.css", "text/css; charset=utf-8"),
          "/assets/console.js", load("console.js", "text/javascript; charset=utf-8"));

  private Assets() {}

  /** The asset served at {@code path}, or null. */
  static Asset at(String path) {
    return BY_PATH.get(path);
  }

  private static Asset load(String name, String type) {
    try (InputStream in = Assets.class.getResourceAsStream(ROOT + name)) {
      if (in == null) {
        throw new IllegalStateException("console asset missing from the jar: " + ROOT + name);
      }
      return new Asset(in.readAllBytes(), type);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
