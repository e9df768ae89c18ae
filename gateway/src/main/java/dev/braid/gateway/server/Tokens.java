package dev.braid.gateway.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads the bearer tokens {@code braid serve} accepts: from a file or an environment variable. */
public final class Tokens {
  /** The environment variable holding tokens, separated by commas or whitespace. */
  public static final String ENV = "BRAID_TOKENS";

  private Tokens() {}

  /**
   * One token a line; blank lines and lines starting with {@code #} are skipped, surrounding
   * whitespace is trimmed.
   *
   * @throws IOException if the file cannot be read
   * @throws IllegalArgumentException if it holds no token
   */
  public static List<String> fromFile(Path file) throws IOException {
    return List.copyOf(scopedFromFile(file).keySet());
  }

  /**
   * The tokens of a token file with their scopes: a line is {@code TOKEN} (the {@linkplain
   * TokenScope#DEFAULTS default scopes}) or {@code TOKEN SCOPE[,SCOPE...]} (exactly those; scopes
   * separated by commas or whitespace). Blank lines and lines starting with {@code #} are skipped.
   *
   * @throws IOException if the file cannot be read
   * @throws IllegalArgumentException naming the line of an unknown scope or a token given twice, or
   *     if the file holds no token
   */
  public static Map<String, Set<TokenScope>> scopedFromFile(Path file) throws IOException {
    Map<String, Set<TokenScope>> out = new LinkedHashMap<>();
    int n = 0;
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      n++;
      String t = line.strip();
      if (t.isEmpty() || t.startsWith("#")) {
        continue;
      }
      String[] parts = t.split("[,\\s]+");
      Set<TokenScope> scopes =
          parts.length == 1 ? TokenScope.DEFAULTS : EnumSet.noneOf(TokenScope.class);
      for (int i = 1; i < parts.length; i++) {
        try {
          scopes.add(TokenScope.parse(parts[i]));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(file + ":" + n + ": " + e.getMessage());
        }
      }
      // the line number, never the token: the message may end up in a log
      if (out.put(parts[0], Set.copyOf(scopes)) != null) {
        throw new IllegalArgumentException(file + ":" + n + ": this token was given before");
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("token file " + file + " holds no token");
    }
    return out;
  }

  /** Tokens separated by commas or whitespace; empty for null or blank text. */
  public static List<String> parse(String text) {
    List<String> out = new ArrayList<>();
    if (text != null) {
      for (String t : text.split("[,\\s]+")) {
        if (!t.isEmpty()) {
          out.add(t);
        }
      }
    }
    return out;
  }
}
