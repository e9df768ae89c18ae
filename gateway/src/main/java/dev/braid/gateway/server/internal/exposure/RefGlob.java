package dev.braid.gateway.server.internal.exposure;

import java.util.regex.Pattern;

/**
 * A glob pattern of function references: {@code *} any run of characters but {@code /}, {@code **}
 * any run at all, {@code ?} one character but {@code /}; everything else literal. Hand-written
 * because {@code java.nio.file.PathMatcher} globs treat {@code {}}, {@code []} and the platform's
 * separators as syntax and match paths, not reference strings.
 */
public final class RefGlob {
  private static final int MAX_LENGTH = 1000;
  private final Pattern regex;

  private RefGlob(Pattern regex) {
    this.regex = regex;
  }

  /**
   * @throws IllegalArgumentException for an empty or overlong pattern, or one without a language
   */
  public static RefGlob compile(String glob) {
    if (glob.isEmpty() || glob.length() > MAX_LENGTH) {
      throw new IllegalArgumentException(
          "a pattern must be 1 to " + MAX_LENGTH + " characters long");
    }
    if (!glob.equals("**") && !glob.matches("(python|node|java|\\*)(@[a-z0-9_*-]+)?:.*")) {
      throw new IllegalArgumentException(
          "pattern '"
              + glob
              + "' must start with python:, node:, java: or *:, or name a pool as"
              + " python@POOL: (or be **)");
    }
    StringBuilder re = new StringBuilder();
    for (int i = 0; i < glob.length(); i++) {
      char c = glob.charAt(i);
      if (c == '*') {
        if (i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
          re.append(".*");
          i++;
        } else {
          re.append("[^/]*");
        }
      } else if (c == '?') {
        re.append("[^/]");
      } else {
        re.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return new RefGlob(Pattern.compile(re.toString(), Pattern.DOTALL));
  }

  public boolean matches(String reference) {
    return regex.matcher(reference).matches();
  }
}
