package dev.braid.gateway.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.braid.api.Braid;
import dev.braid.gateway.secrets.SecretSources;
import dev.braid.gateway.workflow.Diagnostic;
import dev.braid.gateway.workflow.FunctionCatalog;
import dev.braid.gateway.workflow.ParsedWorkflow;
import dev.braid.gateway.workflow.WorkerFunctionCatalog;
import dev.braid.gateway.workflow.WorkflowChecker;
import dev.braid.gateway.workflow.WorkflowLimits;
import dev.braid.gateway.workflow.WorkflowSyntaxException;
import dev.braid.gateway.workflow.expr.Expression;
import dev.braid.model.Durations;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine;

/**
 * What {@code braid check} and {@code braid run} share: reading the input and the file, checking.
 */
final class WorkflowLoader {
  private static final ObjectMapper JSON = WorkflowLimits.inputMapper();

  private WorkflowLoader() {}

  /** {@code --input}: a JSON value, or {@code @file} holding one. */
  static JsonNode readInput(CommandLine cl, String text) {
    return readJson(cl, text, "--input");
  }

  /**
   * A JSON value given on the command line as {@code what}, or {@code @file} holding one; bounded
   * like a run's input. Null when {@code text} is.
   */
  static JsonNode readJson(CommandLine cl, String text, String what) {
    if (text == null) {
      return null;
    }
    String json = text;
    String named = what;
    if (text.startsWith("@")) {
      Path p = Path.of(text.substring(1));
      named = what + " file " + p;
      try {
        if (Files.size(p) > WorkflowLimits.MAX_INPUT_CHARS * 4L) {
          // more bytes than the limit's characters can take in UTF-8: refused before it is read
          throw new CommandLine.ParameterException(
              cl,
              named + " is larger than " + WorkflowLimits.MAX_INPUT_CHARS + " characters (8 MiB)");
        }
        json = Files.readString(p);
      } catch (IOException e) {
        throw new CommandLine.ParameterException(
            cl, "cannot read " + what + " file " + p + ": " + FileErrors.why(e));
      }
    }
    try {
      return JSON.readTree(json);
    } catch (StreamConstraintsException e) {
      throw new CommandLine.ParameterException(cl, named + " " + WorkflowLimits.inputProblem(e));
    } catch (JsonProcessingException e) {
      throw new CommandLine.ParameterException(
          cl,
          named
              + " is not valid JSON ("
              + e.getOriginalMessage()
              + "); write an object, e.g. '{\"userId\": 7}'");
    }
  }

  static Duration duration(CommandLine cl, String text, String option) {
    try {
      return Durations.parse(text);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(cl, option + ": " + e.getMessage());
    }
  }

  /** The parsed file, or null after printing its syntax error. */
  static ParsedWorkflow parse(Path file, PrintWriter err) {
    // CEL's checker loads while the file is read and the workers start: a run's expressions are
    // type-checked when first evaluated (or by the check), which then does not wait for it
    Expression.warmUp();
    try {
      return ParsedWorkflow.read(file);
    } catch (WorkflowSyntaxException e) {
      err.println(e.render());
      err.flush();
      return null;
    }
  }

  /**
   * Starts, all at once, the worker of every language the workflow calls: the check then waits for
   * the slowest to start instead of for each one after the other.
   */
  static void prestart(Braid braid, ParsedWorkflow parsed) {
    Set<String> languages = new LinkedHashSet<>();
    for (var ref : parsed.workflow().functions()) {
      int colon = ref.value().indexOf(':');
      if (colon > 0) {
        languages.add(ref.value().substring(0, colon));
      }
    }
    languages.remove("java");
    if (!languages.isEmpty()) {
      braid.prestart(languages.toArray(String[]::new));
    }
  }

  /**
   * Every problem of the file, checked against the catalogs of {@code braid}'s workers (null: the
   * file alone), printed on {@code err}; a declared secret {@code secrets} cannot give is one. True
   * when there is none.
   */
  static boolean check(
      ParsedWorkflow parsed,
      JsonNode input,
      Braid braid,
      Duration catalogWait,
      PrintWriter err,
      SecretSources secrets) {
    FunctionCatalog catalog =
        braid == null || parsed.workflow().functions().isEmpty()
            ? FunctionCatalog.acceptingAll()
            : new WorkerFunctionCatalog(braid, catalogWait);
    List<Diagnostic> problems =
        new WorkflowChecker(catalog).withSecrets(secrets).check(parsed, input);
    for (Diagnostic d : problems) {
      err.println(d.render());
    }
    err.flush();
    return problems.isEmpty();
  }
}
