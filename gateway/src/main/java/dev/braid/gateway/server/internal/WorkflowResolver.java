package dev.braid.gateway.server.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.braid.gateway.secrets.SecretSources;
import dev.braid.gateway.server.WorkflowFolder;
import dev.braid.gateway.workflow.Diagnostic;
import dev.braid.gateway.workflow.FunctionCatalog;
import dev.braid.gateway.workflow.Located;
import dev.braid.gateway.workflow.ParsedWorkflow;
import dev.braid.gateway.workflow.Workflow;
import dev.braid.gateway.workflow.WorkflowChecker;
import dev.braid.gateway.workflow.WorkflowLimits;
import dev.braid.gateway.workflow.WorkflowSyntaxException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Turns the workflow of a request — a name in the {@code --workflows} folder, or an inline
 * definition — into a checked {@link Workflow}, exactly as {@code braid run} checks a file, or
 * fails with a status whose description lists every problem as {@code file:line:col: error: ...}
 * (file names relative to the folder: a client never sees the server's paths).
 *
 * <p>Thread-safe. Blocks (file reads, worker catalogs): call it off the gRPC threads.
 */
final class WorkflowResolver {
  /** The name inline definitions go by in diagnostics. */
  static final String INLINE = "inline";

  // grpc-java clients refuse trailers over 8 KiB by default; the description travels in them
  private static final int MAX_DESCRIPTION = 4000;

  private final Path folder;
  private final Path base;
  private final WorkflowChecker checker;
  private final Permissions permissions;

  /**
   * @param folder the workflows folder, or null
   * @param catalog what functions exist
   * @param permissions which functions a workflow may call
   * @param secrets where the folder's workflows read their secrets
   */
  WorkflowResolver(
      Path folder, FunctionCatalog catalog, Permissions permissions, SecretSources secrets) {
    this.permissions = permissions;
    this.folder = folder;
    this.base = folder != null ? folder : Path.of("").toAbsolutePath();
    this.checker = new WorkflowChecker(catalog).withSecrets(secrets.hidingPaths());
  }

  /**
   * A workflow ready to run, the name it is shown by, and its text (what a durable run keeps, to
   * replay exactly what it started with).
   */
  record Resolved(Workflow workflow, String name, String text) {}

  /**
   * @param name a name in the folder, or null
   * @param definition inline YAML/JSON text, or null
   * @param input the run's input (checked against the workflow's declaration)
   * @throws StatusRuntimeException NOT_FOUND, FAILED_PRECONDITION or INVALID_ARGUMENT
   */
  Resolved resolve(String name, String definition, JsonNode input) {
    Path file;
    String display;
    String text;
    if (name != null) {
      file = namedFile(name);
      display = folder.relativize(file).toString();
      try {
        if (Files.size(file) > WorkflowLimits.MAX_FILE_BYTES) {
          throw invalid(
              List.of(
                  display
                      + ": error: larger than "
                      + WorkflowLimits.MAX_FILE_BYTES
                      + " bytes (1 MiB), the limit"));
        }
        text = Files.readString(file);
      } catch (IOException e) {
        throw Status.NOT_FOUND
            .withDescription("cannot read workflow '" + name + "': " + e.getMessage())
            .asRuntimeException();
      }
    } else {
      file = base.resolve(INLINE + ".yaml");
      display = INLINE;
      text = definition;
    }
    return check(file, display, text, name, input);
  }

  /**
   * The workflow of a stored run, to resume it: its saved text, checked as when it started (the
   * functions it calls must still be exposed and exist). It counts as the folder's workflow {@code
   * name} — reading script files from the folder — only when that file still holds exactly this
   * text; otherwise under the rules of an inline workflow.
   *
   * @throws StatusRuntimeException as {@link #resolve}
   */
  Resolved resolveStored(String name, String text, JsonNode input) {
    if (folder != null) {
      try {
        Optional<Path> f = WorkflowFolder.find(folder, name);
        if (f.isPresent() && Files.readString(f.get()).equals(text)) {
          return check(f.get(), folder.relativize(f.get()).toString(), text, name, input);
        }
      } catch (IOException | IllegalArgumentException e) {
        // not the folder's workflow (any more): resumed as an inline one
      }
    }
    Resolved r = check(base.resolve(INLINE + ".yaml"), INLINE, text, null, input);
    return new Resolved(r.workflow(), name, text);
  }

  private Resolved check(Path file, String display, String text, String name, JsonNode input) {
    ParsedWorkflow parsed;
    List<Diagnostic> problems;
    try {
      // a sub-workflow, from a named or an inline workflow alike, is one of the folder's: a client
      // names what the operator put there, never another file of the server
      parsed =
          ParsedWorkflow.parse(
              file,
              text,
              p -> scriptFileRefusal(p, name == null),
              p -> scriptFileRefusal(p, false));
      if (parsed.workflow() != null) {
        // before the checker, which would ask the workers' catalogs about these functions
        refuseUnexposed(parsed.workflow(), file.toString(), display);
        if (name == null) {
          refuseSecrets(parsed.workflow(), display);
          refuseHttp(parsed.workflow(), file.toString(), display);
        }
      }
      problems = checker.check(parsed, input);
    } catch (WorkflowSyntaxException e) {
      String where =
          e.at() == null ? display : display + ":" + e.at().line() + ":" + e.at().column();
      throw invalid(List.of(where + ": error: " + e.getMessage()));
    } catch (StackOverflowError e) {
      // a last line of defence: the limits of docs/workflows.md keep every input far from this
      throw invalid(
          List.of(display + ": error: nested too deeply to check (the thread's stack ran out)"));
    }
    if (!problems.isEmpty()) {
      String own = file.toString();
      throw invalid(
          problems.stream()
              .map(
                  d ->
                      shown(d.at().file(), own, display)
                          + ":"
                          + d.at().line()
                          + ":"
                          + d.at().column()
                          + ": error: "
                          + d.message())
              .toList());
    }
    Workflow wf = parsed.workflow();
    return new Resolved(wf, name != null ? name : wf.name().value(), text);
  }

  /**
   * How a file is named to the client: the request's own by its display name, a sub-workflow of the
   * folder relative to it (a client never sees the server's paths).
   */
  private String shown(String file, String own, String display) {
    if (file.equals(own)) {
      return display;
    }
    if (folder != null) {
      Path p = Path.of(file).toAbsolutePath().normalize();
      for (Path root : List.of(folder.toAbsolutePath().normalize(), realFolder())) {
        if (p.startsWith(root)) {
          return root.relativize(p).toString();
        }
      }
    }
    return Path.of(file).getFileName().toString();
  }

  private Path realFolder() {
    try {
      return folder.toRealPath();
    } catch (IOException e) {
      return folder.toAbsolutePath().normalize();
    }
  }

  /**
   * Only the operator's workflows (the {@code --workflows} folder) may declare secrets: a client's
   * inline definition would otherwise read any secret the server can, and send it to a function
   * that returns it, or anywhere an {@code http:} step can reach (docs/api.md "Trust model").
   * Refused before the secrets are looked up, so a client cannot even learn which are set.
   */
  private static void refuseSecrets(Workflow wf, String display) {
    if (wf.secrets().isEmpty()) {
      return;
    }
    String lines =
        String.join(
            "\n",
            wf.secrets().values().stream()
                .map(
                    s ->
                        display
                            + ":"
                            + s.at().line()
                            + ":"
                            + s.at().column()
                            + ": error: an inline workflow may not declare secrets (secret '"
                            + s.name()
                            + "'): only the workflows of the server's --workflows folder may")
                .toList());
    throw Status.PERMISSION_DENIED.withDescription(lines).asRuntimeException();
  }

  /**
   * A client's workflow reads script files only from the workflows folder, and an inline one none
   * at all: otherwise {@code file: /etc/shadow} (or a FIFO that blocks the check) would reach what
   * the operator never exposed.
   */
  private Optional<String> scriptFileRefusal(Path p, boolean inline) {
    if (inline) {
      return Optional.of(
          "an inline workflow cannot read files on the server: give the script as code:");
    }
    if (folder == null || !p.startsWith(folder.toAbsolutePath().normalize())) {
      return Optional.of("outside the workflows folder, the only place read from");
    }
    try {
      // after symlinks too
      Path real = p.toRealPath();
      if (!real.startsWith(folder.toRealPath())) {
        return Optional.of("outside the workflows folder, the only place read from");
      }
      if (!Files.isRegularFile(real)) {
        return Optional.of("not a regular file");
      }
      return Optional.empty();
    } catch (IOException e) {
      return Optional.of("no such file");
    }
  }

  private void refuseUnexposed(Workflow wf, String own, String display) {
    List<String> refused = new ArrayList<>();
    for (Located<String> f : wf.functions()) {
      permissions
          .refusal(f.value())
          .ifPresent(
              why ->
                  refused.add(
                      shown(f.at().file(), own, display)
                          + ":"
                          + f.at().line()
                          + ":"
                          + f.at().column()
                          + ": "
                          + why));
    }
    if (!refused.isEmpty()) {
      StringBuilder sb =
          new StringBuilder("the workflow calls functions this server does not expose:");
      int shown = 0;
      for (String r : refused) {
        if (sb.length() + r.length() > MAX_DESCRIPTION) {
          break;
        }
        sb.append('\n').append(r);
        shown++;
      }
      if (shown < refused.size()) {
        sb.append("\n... and ").append(refused.size() - shown).append(" more");
      }
      throw Status.PERMISSION_DENIED.withDescription(sb.toString()).asRuntimeException();
    }
  }

  /** An inline workflow's http steps reach only the hosts of --allow-http (see InlineHttp). */
  private void refuseHttp(Workflow wf, String own, String display) {
    List<InlineHttp.Refusal> refused = InlineHttp.refusals(wf, permissions.httpHosts());
    if (refused.isEmpty()) {
      return;
    }
    StringBuilder sb = new StringBuilder("the workflow makes http requests this server refuses:");
    for (InlineHttp.Refusal r : refused) {
      String line =
          (r.at().file().equals(own) ? display : r.at().file())
              + ":"
              + r.at().line()
              + ":"
              + r.at().column()
              + ": "
              + r.why();
      if (sb.length() + line.length() > MAX_DESCRIPTION) {
        sb.append("\n...");
        break;
      }
      sb.append('\n').append(line);
    }
    throw Status.PERMISSION_DENIED.withDescription(sb.toString()).asRuntimeException();
  }

  private Path namedFile(String name) {
    if (folder == null) {
      throw Status.FAILED_PRECONDITION
          .withDescription(
              "this server runs no workflows by name: it was started without --workflows;"
                  + " send the definition inline instead")
          .asRuntimeException();
    }
    Optional<Path> f;
    try {
      f = WorkflowFolder.find(folder, name);
    } catch (IllegalArgumentException e) {
      throw Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException();
    }
    if (f.isEmpty()) {
      List<String> known = WorkflowFolder.list(folder);
      String listing =
          known.isEmpty()
              ? " (the folder holds none)"
              : " (it has: "
                  + String.join(", ", known.subList(0, Math.min(20, known.size())))
                  + (known.size() > 20 ? ", ..." : "")
                  + ")";
      throw Status.NOT_FOUND
          .withDescription("no workflow '" + name + "' in the server's workflows folder" + listing)
          .asRuntimeException();
    }
    return f.get();
  }

  private static StatusRuntimeException invalid(List<String> lines) {
    StringBuilder sb = new StringBuilder("invalid workflow:");
    int shown = 0;
    for (String l : lines) {
      if (sb.length() + l.length() > MAX_DESCRIPTION) {
        break;
      }
      sb.append('\n').append(l);
      shown++;
    }
    if (shown < lines.size()) {
      sb.append("\n... and ").append(lines.size() - shown).append(" more problems");
    }
    return Status.INVALID_ARGUMENT.withDescription(sb.toString()).asRuntimeException();
  }
}
