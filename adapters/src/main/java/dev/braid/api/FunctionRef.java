package dev.braid.api;

import java.util.Locale;
import java.util.Set;

/**
 * A function reference: {@code python:pkg.module:func}, {@code node:path/file.mjs#export}, {@code
 * java:pkg.Class#method}. The part after the language is passed to that language's worker as is.
 *
 * @param language {@code python}, {@code node} or {@code java}
 * @param local the language-local reference, e.g. {@code pkg.module:func}
 */
public record FunctionRef(String language, String local) {
  private static final Set<String> LANGUAGES = Set.of("python", "node", "java");

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
    String lang = ref.substring(0, colon).toLowerCase(Locale.ROOT);
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
    return new FunctionRef(lang, local);
  }

  @Override
  public String toString() {
    return language + ":" + local;
  }
}
