package dev.braid.gateway.workflow;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.braid.gateway.workflow.expr.Expression;

/**
 * The limits every workflow file, expression and run input is read under, so that no input can take
 * unbounded time, memory or stack (the launcher runs the JVM with {@code -Xss512k}). Each is far
 * above what a hand-written workflow needs; past one, reading stops with a located error naming the
 * limit. docs/workflows.md ("Limits") lists them with their messages.
 */
public final class WorkflowLimits {
  /** A workflow file or inline definition: at most this many bytes (and so characters). */
  public static final int MAX_FILE_BYTES = 1 << 20;

  /** Mappings and lists inside one another in a workflow file. */
  public static final int MAX_NESTING = 64;

  /** YAML aliases ({@code *name}) in one file. */
  public static final int MAX_ALIASES = 1_000;

  /**
   * Values (mappings, lists and scalars) in the file once every alias is expanded: what bounds a
   * "billion laughs" alias bomb, whose few hundred bytes expand to billions of values.
   */
  public static final int MAX_EXPANDED_VALUES = 100_000;

  /** A run's input ({@code --input}, {@code input_json}): at most this many characters of JSON. */
  public static final int MAX_INPUT_CHARS = 8 << 20;

  /** Arrays and objects inside one another in a run's input (or any JSON a request carries). */
  public static final int MAX_INPUT_NESTING = 100;

  /** The characters of one expression, between {@code ${{} and {@code }}}. */
  public static final int MAX_EXPRESSION_CHARS = Expression.MAX_LENGTH;

  /** Operators, brackets and calls inside one another in one expression. */
  public static final int MAX_EXPRESSION_DEPTH = Expression.MAX_DEPTH;

  /** Iterations of CEL's macros ({@code map}, {@code filter}, ...) in one evaluation. */
  public static final int MAX_EXPRESSION_ITERATIONS = Expression.MAX_ITERATIONS;

  /** List elements and object fields one evaluation of an expression may build. */
  public static final int MAX_EXPRESSION_ELEMENTS = Expression.MAX_BUILT_ELEMENTS;

  /** Characters of text one evaluation of an expression may build. */
  public static final int MAX_EXPRESSION_TEXT = Expression.MAX_BUILT_CHARS;

  private WorkflowLimits() {}

  /**
   * Jackson's constraints for a run's input and for the JSON of API requests: {@link
   * #MAX_INPUT_NESTING} and {@link #MAX_INPUT_CHARS}.
   */
  public static StreamReadConstraints inputConstraints() {
    return StreamReadConstraints.builder()
        .maxNestingDepth(MAX_INPUT_NESTING)
        .maxDocumentLength(MAX_INPUT_CHARS)
        .build();
  }

  /**
   * What a JSON text broke of {@link #inputConstraints()}, in words ("is nested more than 100
   * levels deep"), for a message that starts with the text's name.
   */
  public static String inputProblem(StreamConstraintsException e) {
    String m = String.valueOf(e.getOriginalMessage());
    if (m.contains("nesting depth")) {
      return "is nested more than " + MAX_INPUT_NESTING + " levels deep (arrays and objects)";
    }
    if (m.contains("document length")) {
      return "is longer than " + MAX_INPUT_CHARS + " characters (8 MiB)";
    }
    int cut = m.indexOf(" (");
    return "is over a limit: " + (cut > 0 ? m.substring(0, cut) : m);
  }

  /** An {@link ObjectMapper} that reads JSON under {@link #inputConstraints()}. */
  public static ObjectMapper inputMapper() {
    JsonFactory f = JsonFactory.builder().streamReadConstraints(inputConstraints()).build();
    return new ObjectMapper(f);
  }
}
