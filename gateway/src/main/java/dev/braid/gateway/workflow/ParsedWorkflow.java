package dev.braid.gateway.workflow;

import dev.braid.gateway.workflow.internal.CalleeLoader;
import dev.braid.gateway.workflow.internal.ModelBuilder;
import dev.braid.gateway.workflow.internal.SourceNode;
import dev.braid.gateway.workflow.internal.SourceReader;
import dev.braid.gateway.workflow.internal.SourceText;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * A workflow file read and built into the model, with the problems of shape found on the way
 * (unknown keys, bad durations, bad expressions, ...). The model is complete only when {@link
 * #problems()} is empty; otherwise it holds what could be built, for the further checks of {@link
 * WorkflowChecker}.
 */
public final class ParsedWorkflow {
  private final Workflow workflow;
  private final List<Diagnostic> problems;
  private final Set<String> broken;
  private final String text;

  private ParsedWorkflow(
      Workflow workflow, List<Diagnostic> problems, Set<String> broken, String text) {
    this.workflow = workflow;
    this.text = text;
    this.problems = Collections.unmodifiableList(problems);
    this.broken = Set.copyOf(broken);
  }

  /**
   * Reads {@code file}: YAML, or strict JSON if its name ends in {@code .json}.
   *
   * @throws WorkflowSyntaxException if it cannot be read or is not YAML/JSON at all
   */
  public static ParsedWorkflow read(Path file) throws WorkflowSyntaxException {
    return parse(file, text(file), p -> Optional.empty(), p -> Optional.empty());
  }

  /** The text of {@code file}, read under the size limit. */
  private static String text(Path file) throws WorkflowSyntaxException {
    String text;
    try (InputStream in = Files.newInputStream(file)) {
      // bounded: the file may be huge, or endless (a FIFO, /dev/zero)
      byte[] bytes = in.readNBytes(WorkflowLimits.MAX_FILE_BYTES + 1);
      if (bytes.length > WorkflowLimits.MAX_FILE_BYTES) {
        throw new WorkflowSyntaxException(
            null,
            file
                + " is larger than "
                + WorkflowLimits.MAX_FILE_BYTES
                + " bytes (1 MiB), the limit");
      }
      text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
    } catch (NoSuchFileException e) {
      throw new WorkflowSyntaxException(null, "no such file: " + file);
    } catch (CharacterCodingException e) {
      throw new WorkflowSyntaxException(null, file + " is not UTF-8 text");
    } catch (IOException e) {
      throw new WorkflowSyntaxException(
          null, "cannot read " + file + ": " + (Files.isDirectory(file) ? "it is a folder" : e));
    }
    return text;
  }

  /**
   * Parses {@code text} as the content of {@code file} (which need not exist; it names the file in
   * locations and is where modules are resolved from).
   */
  public static ParsedWorkflow parse(Path file, String text) throws WorkflowSyntaxException {
    return parse(file, text, p -> Optional.empty());
  }

  /**
   * As {@link #parse(Path, String)}, with a rule for the files {@code script: {file: ...}} names:
   * {@code scriptFiles} gets the normalized absolute path and answers why it may not be read (a
   * located error, nothing read), or empty. {@code braid serve} uses it to keep a client's workflow
   * from reading the server's files.
   */
  public static ParsedWorkflow parse(
      Path file, String text, Function<Path, Optional<String>> scriptFiles)
      throws WorkflowSyntaxException {
    return parse(file, text, scriptFiles, p -> Optional.empty());
  }

  /**
   * As {@link #parse(Path, String, Function)}, with a rule for the files {@code workflow:} steps
   * name: {@code workflowFiles} gets each callee's normalized absolute path and answers why it may
   * not be read (a located error), or empty. A callee is read with that rule for its own script
   * files and callees too.
   */
  public static ParsedWorkflow parse(
      Path file,
      String text,
      Function<Path, Optional<String>> scriptFiles,
      Function<Path, Optional<String>> workflowFiles)
      throws WorkflowSyntaxException {
    CalleeLoader.Reader reader =
        new CalleeLoader.Reader() {
          @Override
          public ParsedWorkflow read(Path f, CalleeLoader inner) throws WorkflowSyntaxException {
            return parse(f, text(f), workflowFiles, inner);
          }
        };
    return parse(file, text, scriptFiles, CalleeLoader.root(file, workflowFiles, reader));
  }

  private static ParsedWorkflow parse(
      Path file, String text, Function<Path, Optional<String>> scriptFiles, CalleeLoader callees)
      throws WorkflowSyntaxException {
    boolean json = file.getFileName().toString().endsWith(".json");
    SourceText src = new SourceText(file.toString(), text, !json);
    List<Diagnostic> problems = new ArrayList<>();
    SourceNode root = SourceReader.read(src, json, problems);
    ModelBuilder b = ModelBuilder.build(file, src, root, problems, scriptFiles, callees);
    return new ParsedWorkflow(b.workflow(), problems, b.broken(), text);
  }

  /** The model: complete when {@link #problems()} is empty. */
  public Workflow workflow() {
    return workflow;
  }

  /**
   * The text the model was built from: what a durable run stores, so that a resumed run replays
   * exactly the definition it started with even if the file changed since.
   */
  public String text() {
    return text;
  }

  /** Problems of shape, in the order found (not sorted). */
  public List<Diagnostic> problems() {
    return problems;
  }

  /** Ids of steps left out of the model because their kind could not be told. */
  Set<String> broken() {
    return broken;
  }
}
