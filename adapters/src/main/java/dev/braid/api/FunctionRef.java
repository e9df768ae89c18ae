package dev.braid.api;

import java.util.Locale;
import java.util.Set;

/**
 * A function reference: {@code python:pkg.module:func}, {@code node:path/file.mjs#export}, {@code
 * java:pkg.Class#method}; with a pool, {@code python@gpu:pkg.module:func} is served by the
 * standalone workers of pool {@code gpu} that dialed the gateway ({@link WorkerListener}) instead
 * of the gateway's own worker processes. The part after the language (and pool) is passed to that
 * language's worker as is.
 *
 * @param language {@code python}, {@code node} or {@code java}
 * @param local the language-local reference, e.g. {@code pkg.module:func}
 * @param pool the remote worker pool, or null for the gateway's own workers
 */
public record FunctionRef(String language, String local, String pool) {
  private static final Set<String> LANGUAGES = Set.of("python", "node", "java");

  /** A reference to the gateway's own workers of {@code language}. */
  public FunctionRef(String language, String local) {
    this(language, local, null);
  }

  /**
   * @throws IllegalArgumentException with a sentence that names the bad reference and the form
   */
  public static FunctionRef parse(String ref) {
    int colon = ref == null ? -1 : ref.indexOf(':');
    if (colon <= 0 || colon == ref.length() - 1) {
      throw new IllegalArgumentException(
          "invalid function reference '"
              + ref
              + "': write language:reference, e.g. python:pkg.module:func,"
              + " node:file.mjs#export or java:pkg.Class#method");
    }
    String head = ref.substring(0, colon);
    String pool = null;
    int at = head.indexOf('@');
    if (at >= 0) {
      pool = head.substring(at + 1);
      head = head.substring(0, at);
      if (!WorkerListener.POOL_NAME.matcher(pool).matches()) {
        throw new IllegalArgumentException(
            "invalid pool name '"
                + pool
                + "' in '"
                + ref
                + "': write language@pool:reference with a pool of lower-case letters, digits,"
                + " '-' and '_', e.g. python@gpu:pkg.module:func");
      }
    }
    String lang = head.toLowerCase(Locale.ROOT);
    if (!LANGUAGES.contains(lang)) {
      throw new IllegalArgumentException(
          "unknown language '" + lang + "' in '" + ref + "': expected python, node or java");
    }
    String local = ref.substring(colon + 1);
    if (lang.equals("python") && !local.matches("[A-Za-z_][\\w.]*:[A-Za-z_][\\w.]*")) {
      throw new IllegalArgumentException(
          "invalid Python function reference '"
              + ref
              + "': write python:module:function, e.g. python:shop.users:get_profile");
    }
    return new FunctionRef(lang, local, pool);
  }

  /** Whether a remote worker pool serves this function. */
  public boolean remote() {
    return pool != null;
  }

  @Override
  public String toString() {
    return language + (pool == null ? "" : "@" + pool) + ":" + local;
  }
}
