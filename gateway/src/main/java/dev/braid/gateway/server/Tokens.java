package dev.braid.gateway.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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
    List<String> out = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      String t = line.strip();
      if (!t.isEmpty() && !t.startsWith("#")) {
        out.add(t);
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
