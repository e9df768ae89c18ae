package dev.braid.gateway.workflow.internal;

import dev.braid.gateway.workflow.Located;
import dev.braid.gateway.workflow.ParsedWorkflow;
import dev.braid.gateway.workflow.WorkflowLimits;
import dev.braid.gateway.workflow.WorkflowSyntaxException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Reads the callees of {@code workflow:} steps while a file is parsed: each distinct file once per
 * top-level parse (a file called from many places is one model), a cycle between files refused with
 * its chain ({@code a.yaml -> b.yaml -> a.yaml}), the nesting and the number of files bounded
 * ({@link WorkflowLimits}), and every path first put to the caller's policy ({@code braid serve}
 * keeps a client's workflow inside the workflows folder).
 *
 * <p>Not thread-safe: one instance tree per parse, on the parsing thread.
 */
public final class CalleeLoader {
  /** Reads and parses a callee, whose own callees {@code inner} loads. */
  @FunctionalInterface
  public interface Reader {
    ParsedWorkflow read(Path file, CalleeLoader inner) throws WorkflowSyntaxException;
  }

  static final List<String> EXTENSIONS = List.of(".yaml", ".yml", ".json");
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]*");

  private final Function<Path, Optional<String>> policy;
  private final Reader reader;
  private final Map<Path, ParsedWorkflow> cache;
  private final List<Path> chain;

  private CalleeLoader(
      Function<Path, Optional<String>> policy,
      Reader reader,
      Map<Path, ParsedWorkflow> cache,
      List<Path> chain) {
    this.policy = policy;
    this.reader = reader;
    this.cache = cache;
    this.chain = chain;
  }

  /**
   * The loader for the callees of {@code file}, the file being parsed.
   *
   * @param policy gets each callee's normalized absolute path and answers why it may not be read,
   *     or empty
   */
  public static CalleeLoader root(
      Path file, Function<Path, Optional<String>> policy, Reader reader) {
    return new CalleeLoader(policy, reader, new HashMap<>(), List.of(real(file)));
  }

  /** The folder callees of the file being parsed resolve from. */
  private Path folder() {
    Path parent = chain.get(chain.size() - 1).getParent();
    return parent == null ? Path.of("").toAbsolutePath() : parent;
  }

  /** The callee {@code ref} names, or empty after reporting why not at {@code ref}'s place. */
  Optional<ParsedWorkflow> load(Located<String> ref, Fields f) {
    String text = ref.value();
    Path p;
    if (!text.contains("/")
        && !text.contains("\\")
        && NAME.matcher(text).matches()
        && EXTENSIONS.stream().noneMatch(text::endsWith)) {
      // a name: the file of that name next to the caller, as braid serve --workflows names them
      Optional<Path> named =
          EXTENSIONS.stream()
              .map(ext -> folder().resolve(text + ext).normalize())
              .filter(Files::exists)
              .findFirst();
      if (named.isEmpty()) {
        f.error(
            ref.at(),
            "no workflow '"
                + text
                + "': no "
                + text
                + ".yaml, .yml or .json next to this file (or write a path, e.g. "
                + text
                + ".yaml)");
        return Optional.empty();
      }
      p = named.get();
    } else {
      p = folder().resolve(text).normalize();
    }
    Optional<String> refused = policy.apply(p);
    if (refused.isPresent()) {
      f.error(ref.at(), "workflow '" + text + "': " + refused.get());
      return Optional.empty();
    }
    Path r;
    try {
      r = p.toRealPath();
    } catch (IOException e) {
      f.error(ref.at(), "workflow '" + text + "': no such file next to this one");
      return Optional.empty();
    }
    int seen = chain.indexOf(r);
    if (seen >= 0) {
      List<String> names = new ArrayList<>();
      chain.subList(seen, chain.size()).forEach(c -> names.add(c.getFileName().toString()));
      names.add(r.getFileName().toString());
      f.error(
          ref.at(),
          "workflow cycle: "
              + String.join(" -> ", names)
              + " (a workflow cannot call itself, directly or through others)");
      return Optional.empty();
    }
    if (chain.size() > WorkflowLimits.MAX_SUBWORKFLOW_DEPTH) {
      f.error(
          ref.at(),
          "sub-workflows are nested more than "
              + WorkflowLimits.MAX_SUBWORKFLOW_DEPTH
              + " deep here ("
              + String.join(" -> ", chain.stream().map(c -> c.getFileName().toString()).toList())
              + " -> ...)");
      return Optional.empty();
    }
    ParsedWorkflow cached = cache.get(r);
    if (cached != null) {
      return Optional.of(cached);
    }
    if (cache.size() >= WorkflowLimits.MAX_SUBWORKFLOW_FILES) {
      f.error(
          ref.at(),
          "more than "
              + WorkflowLimits.MAX_SUBWORKFLOW_FILES
              + " workflow files are reached through workflow: steps");
      return Optional.empty();
    }
    List<Path> deeper = new ArrayList<>(chain);
    deeper.add(r);
    try {
      ParsedWorkflow parsed = reader.read(r, new CalleeLoader(policy, reader, cache, deeper));
      cache.put(r, parsed);
      return Optional.of(parsed);
    } catch (WorkflowSyntaxException e) {
      f.error(
          ref.at(),
          "workflow '"
              + text
              + "' cannot be read: "
              + (e.at() == null
                  ? ""
                  : r.getFileName() + ":" + e.at().line() + ":" + e.at().column() + ": ")
              + e.getMessage());
      return Optional.empty();
    }
  }

  private static Path real(Path file) {
    Path abs = file.toAbsolutePath().normalize();
    try {
      return abs.toRealPath();
    } catch (IOException e) {
      return abs;
    }
  }
}
