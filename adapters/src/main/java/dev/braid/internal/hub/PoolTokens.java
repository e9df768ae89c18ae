package dev.braid.internal.hub;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The bearer token of each remote worker pool, kept only as SHA-256 digests and compared in
 * constant time: the same digest length whatever was sent, so a wrong token (or an unknown pool)
 * reveals nothing about the right one through timing. Immutable and thread-safe.
 */
public final class PoolTokens {
  /** Longer token files are refused: a token is a line, not a document. */
  static final int MAX_TOKEN_FILE_BYTES = 4096;

  /** Shorter tokens are refused: a guessable token is no authentication across a network. */
  static final int MIN_TOKEN_CHARS = 16;

  private static final byte[] NO_POOL = new byte[32];

  private final Map<String, byte[]> digests;

  private PoolTokens(Map<String, byte[]> digests) {
    this.digests = Map.copyOf(digests);
  }

  /**
   * Reads each pool's token file: its first non-blank line, trimmed.
   *
   * @throws IllegalArgumentException naming the file (never the token) when it is unreadable,
   *     empty, too large or holds too short a token
   */
  public static PoolTokens fromFiles(Map<String, Path> files) {
    Map<String, byte[]> out = new HashMap<>();
    files.forEach((pool, file) -> out.put(pool, sha256(readToken(pool, file))));
    return new PoolTokens(out);
  }

  /** For tests: tokens given directly. */
  public static PoolTokens of(Map<String, String> tokens) {
    Map<String, byte[]> out = new HashMap<>();
    tokens.forEach((pool, token) -> out.put(pool, sha256(token)));
    return new PoolTokens(out);
  }

  public Set<String> pools() {
    return digests.keySet();
  }

  /** Whether {@code token} is {@code pool}'s token; constant time in the token. */
  public boolean matches(String pool, String token) {
    byte[] expected = digests.getOrDefault(pool, NO_POOL);
    // always digest and compare, even for an unknown pool, so both cases take the same time
    boolean same = MessageDigest.isEqual(expected, sha256(token));
    return same && expected != NO_POOL;
  }

  private static String readToken(String pool, Path file) {
    try {
      if (Files.size(file) > MAX_TOKEN_FILE_BYTES) {
        throw new IllegalArgumentException(
            "token file of pool "
                + pool
                + " ("
                + file
                + ") is over "
                + MAX_TOKEN_FILE_BYTES
                + " bytes");
      }
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        String t = line.strip();
        if (!t.isEmpty() && !t.startsWith("#")) {
          if (t.length() < MIN_TOKEN_CHARS) {
            throw new IllegalArgumentException(
                "the token of pool "
                    + pool
                    + " ("
                    + file
                    + ") is shorter than "
                    + MIN_TOKEN_CHARS
                    + " characters");
          }
          return t;
        }
      }
      throw new IllegalArgumentException("token file of pool " + pool + " (" + file + ") is empty");
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot read the token file of pool " + pool + " (" + file + "): " + e.getMessage(), e);
    }
  }

  private static byte[] sha256(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
