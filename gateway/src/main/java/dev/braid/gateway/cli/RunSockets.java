package dev.braid.gateway.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;

/**
 * Where the braid running one run of a server store (PostgreSQL) takes its signals: a {@link
 * SignalSocket} per run in the user's runtime folder ({@code $XDG_RUNTIME_DIR/braid}, else {@code
 * /tmp/braid-USER}, mode 0700 and owned by the user, else none), named by a hash of the store's
 * location and the run id. A SQLite store has one holder and one socket next to its file instead.
 */
final class RunSockets {
  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rwx------");

  private RunSockets() {}

  /**
   * The socket of run {@code runId} of the store at {@code location} (as given to {@code --store}),
   * or null when there is no safe folder for it. Creates the folder when missing.
   */
  static Path forRun(String location, String runId) {
    Path dir = runtimeDir();
    if (dir == null) {
      return null;
    }
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      byte[] h = sha.digest((location.trim() + "\n" + runId).getBytes(StandardCharsets.UTF_8));
      Path p = dir.resolve(HexFormat.of().formatHex(h, 0, 16) + ".sock");
      return p.toString().length() > SignalSocket.MAX_PATH ? null : p;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Path runtimeDir() {
    String xdg = System.getenv("XDG_RUNTIME_DIR");
    String user = System.getProperty("user.name", "user").replaceAll("[^A-Za-z0-9._-]", "_");
    Path dir =
        xdg != null && !xdg.isBlank()
            ? Path.of(xdg, "braid")
            : Path.of(System.getProperty("java.io.tmpdir"), "braid-" + user);
    try {
      if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
      }
      // in a shared /tmp another user may have made it first: use it only if it is ours alone
      UserPrincipal me =
          FileSystems.getDefault()
              .getUserPrincipalLookupService()
              .lookupPrincipalByName(System.getProperty("user.name"));
      boolean safe =
          Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)
              && Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS).equals(me)
              && Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS).equals(OWNER_ONLY);
      return safe ? dir : null;
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return null;
    }
  }
}
