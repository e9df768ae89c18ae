package dev.braid.gateway.cli;

import dev.braid.gateway.secrets.SecretSources;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Where the values of a workflow's {@code secrets:} come from: {@code BRAID_SECRET_<NAME>} in the
 * environment, explicit {@code env:}/{@code file:} sources in the file, and {@code --secrets-dir}
 * (docs/workflows.md "secrets").
 */
final class SecretOptions {
  @Option(
      names = "--secrets-dir",
      paramLabel = "DIR",
      description =
          "folder with one file per secret (as Kubernetes mounts them); a file NAME there wins"
              + " over BRAID_SECRET_NAME")
  Path secretsDir;

  SecretSources sources() {
    return SecretSources.system(secretsDir);
  }
}
