package dev.braid.gateway.secrets;

import dev.braid.gateway.workflow.Diagnostic;
import dev.braid.gateway.workflow.Location;
import dev.braid.gateway.workflow.Secret;
import dev.braid.gateway.workflow.Workflow;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where the values of a workflow's {@code secrets:} come from: an environment (the process's, or a
 * test's map) and an optional secrets folder of one file per secret, as Kubernetes and Docker mount
 * them ({@code --secrets-dir}). A name listed without a source is read from the folder's file
 * {@code NAME} when there is one, else from {@code BRAID_SECRET_NAME}; {@code {env: VAR}} and
 * {@code {file: PATH}} name the source (a relative path from the workflow's folder). A file's value
 * loses one trailing newline ({@code echo token > file} writes one). Immutable and thread-safe;
 * files are read at each call, so a rotated secret is picked up by the next run.
 */
public final class SecretSources {
  /** The longest secret value read, in bytes: it travels with every call of the run. */
  public static final int MAX_VALUE_BYTES = 64 * 1024;

  /** No environment, no folder: every declared secret is missing. */
  public static final SecretSources NONE = new SecretSources(Map.of(), null, false);

  private final Map<String, String> env;
  private final Path dir;
  private final boolean hidePaths;

  private SecretSources(Map<String, String> env, Path dir, boolean hidePaths) {
    this.env = Map.copyOf(env);
    this.dir = dir;
    this.hidePaths = hidePaths;
  }

  /**
   * These sources, with messages that name no path nor variable of the server's: for {@code braid
   * serve}, whose clients see the messages but must not learn its files (docs/api.md "Trust
   * model"). The operator finds the details in the server's own {@code braid check}.
   */
  public SecretSources hidingPaths() {
    return new SecretSources(env, dir, true);
  }

  /**
   * @param env the environment to read {@code BRAID_SECRET_*} and {@code env:} variables from
   * @param dir the secrets folder, or null for none
   */
  public static SecretSources of(Map<String, String> env, Path dir) {
    return new SecretSources(env, dir == null ? null : dir.toAbsolutePath().normalize(), false);
  }

  /** The process's environment and {@code dir} (null: none). */
  public static SecretSources system(Path dir) {
    return of(System.getenv(), dir);
  }

  /** The secrets folder, or null. */
  public Path dir() {
    return dir;
  }

  /**
   * A problem for each secret of {@code wf} and of the workflows it calls that cannot be read, at
   * its name; and for a name two of them read from different sources.
   */
  public List<Diagnostic> check(Workflow wf) {
    List<Diagnostic> out = new ArrayList<>();
    Map<String, String> seen = new LinkedHashMap<>();
    Map<String, Location> firstAt = new LinkedHashMap<>();
    for (Workflow w : withCallees(wf)) {
      for (Secret s : w.secrets().values()) {
        try {
          String v = value(w, s);
          String before = seen.putIfAbsent(s.name(), v);
          firstAt.putIfAbsent(s.name(), s.at());
          if (before != null && !before.equals(v)) {
            out.add(new Diagnostic(s.at(), differs(s, firstAt.get(s.name()))));
          }
        } catch (SecretException e) {
          out.add(new Diagnostic(s.at(), e.getMessage()));
        }
      }
    }
    return out;
  }

  /**
   * The value of every secret {@code wf} and the workflows it calls ({@code workflow:} steps)
   * declare, by name, in order. One run has one {@code secrets} map: a callee reads the names it
   * declares (the checker refuses others), so a name must mean one value in the whole run.
   *
   * @throws SecretException naming the first secret that cannot be read (never its value)
   */
  public Map<String, String> resolve(Workflow wf) throws SecretException {
    Map<String, String> out = new LinkedHashMap<>();
    Map<String, Location> firstAt = new LinkedHashMap<>();
    for (Workflow w : withCallees(wf)) {
      for (Secret s : w.secrets().values()) {
        String v = value(w, s);
        String before = out.putIfAbsent(s.name(), v);
        firstAt.putIfAbsent(s.name(), s.at());
        if (before != null && !before.equals(v)) {
          throw new SecretException(differs(s, firstAt.get(s.name())));
        }
      }
    }
    return out;
  }

  /** Where the first secret of {@code wf} or of a workflow it calls is declared, if any. */
  public static Optional<Location> firstDeclared(Workflow wf) {
    return withCallees(wf).stream()
        .flatMap(w -> w.secrets().values().stream())
        .map(Secret::at)
        .findFirst();
  }

  private static List<Workflow> withCallees(Workflow wf) {
    List<Workflow> all = new ArrayList<>(List.of(wf));
    all.addAll(wf.subWorkflows());
    return all;
  }

  private static String differs(Secret s, Location first) {
    return "secret '"
        + s.name()
        + "' has another value here than where "
        + Path.of(first.file()).getFileName()
        + ":"
        + first.line()
        + " declares it: one run has one value per secret name";
  }

  private String value(Workflow wf, Secret s) throws SecretException {
    if (!hidePaths) {
      return read(wf, s);
    }
    try {
      return read(wf, s);
    } catch (SecretException e) {
      throw new SecretException(
          "secret '"
              + s.name()
              + "' cannot be read on the server (run braid check on the server for the details)");
    }
  }

  private String read(Workflow wf, Secret s) throws SecretException {
    if (s.env().isPresent()) {
      String var = s.env().get().value();
      String v = env.get(var);
      if (v == null) {
        throw new SecretException(
            "secret '" + s.name() + "' is not set: environment variable " + var + " is not set");
      }
      return bounded(s, v);
    }
    if (s.file().isPresent()) {
      return file(s, wf.folder().resolve(s.file().get().value()));
    }
    if (dir != null && Files.isRegularFile(dir.resolve(s.name()))) {
      return file(s, dir.resolve(s.name()));
    }
    String v = env.get(s.defaultEnv());
    if (v == null) {
      throw new SecretException(
          "secret '"
              + s.name()
              + "' is not set: export "
              + s.defaultEnv()
              + (dir == null
                  ? ", or give --secrets-dir DIR with a file " + s.name() + " in it"
                  : " or add the file " + dir.resolve(s.name())));
    }
    return bounded(s, v);
  }

  private static String file(Secret s, Path path) throws SecretException {
    byte[] bytes;
    try (InputStream in = Files.newInputStream(path)) {
      // bounded: a path such as /dev/zero never ends
      bytes = in.readNBytes(MAX_VALUE_BYTES + 2);
    } catch (NoSuchFileException e) {
      throw new SecretException("secret '" + s.name() + "' is not set: there is no file " + path);
    } catch (IOException e) {
      throw new SecretException(
          "secret '"
              + s.name()
              + "' cannot be read from "
              + path
              + ": "
              + (Files.isDirectory(path) ? "it is a folder" : e.getMessage()));
    }
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw new SecretException("secret '" + s.name() + "' in " + path + " is not UTF-8 text");
    }
    if (text.endsWith("\r\n")) {
      text = text.substring(0, text.length() - 2);
    } else if (text.endsWith("\n")) {
      text = text.substring(0, text.length() - 1);
    }
    return bounded(s, text);
  }

  private static String bounded(Secret s, String v) throws SecretException {
    if (v.getBytes(StandardCharsets.UTF_8).length > MAX_VALUE_BYTES) {
      throw new SecretException(
          "secret '"
              + s.name()
              + "' is longer than "
              + MAX_VALUE_BYTES
              + " bytes (64 KiB), the limit");
    }
    if (v.isEmpty()) {
      throw new SecretException("secret '" + s.name() + "' is empty");
    }
    return v;
  }
}
