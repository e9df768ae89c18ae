package dev.braid.gateway.store.internal;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The store's files hold every run's inputs and results: its folder is created {@code 0700} and its
 * files {@code 0600} where the file system knows POSIX permissions.
 */
final class FilePermissions {
  private static final boolean POSIX =
      FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

  private FilePermissions() {}

  static FileAttribute<?>[] ownerOnly() {
    return POSIX
        ? new FileAttribute<?>[] {
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))
        }
        : new FileAttribute<?>[0];
  }

  /** Creates {@code dir} (and its parents) owner-only when missing. */
  static void createDirectories(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    if (POSIX) {
      Files.createDirectories(
          dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } else {
      Files.createDirectories(dir);
    }
  }

  /** Creates an empty owner-only {@code file} unless it exists. */
  static void createFile(Path file) throws IOException {
    try {
      Files.createFile(file, ownerOnly());
    } catch (FileAlreadyExistsException ignored) {
      // an existing store keeps its permissions
    }
  }
}
