package dev.braid.gateway.workflow.expr;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cel.bundle.Cel;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelIssue;
import dev.cel.common.CelSource;
import dev.cel.common.CelValidationException;
import dev.cel.common.CelValidationResult;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.ast.CelExpr.ExprKind.Kind;
import dev.cel.common.types.CelKind;
import dev.cel.common.types.CelType;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One compiled expression: the text between {@code ${{} and {@code }}}, in CEL (the Common
 * Expression Language, https://cel.dev), with Braid's functions ({@link BraidFunctions}). Immutable
 * and thread-safe.
 *
 * <p>{@link #parse} parses and type-checks the text once, with every name it reads taken as a value
 * of any type, and keeps the runtime program; {@link #evaluate} runs that program as many times as
 * needed. {@link #check} checks it again against what a workflow declares (the types of the input's
 * fields), for errors that can be found before running. CEL cannot loop except over a list, has no
 * I/O and reaches nothing but the values given to it; the limits below bound what one evaluation
 * can cost.
 */
public final class Expression {
  /** The most characters an expression may have. */
  public static final int MAX_LENGTH = 4_096;

  /**
   * How deeply operators, brackets, indexes and calls may nest in one expression, counted in the
   * syntax tree: {@code 1 + 1 + 1} is 3 deep. The tree is walked recursively (checking,
   * evaluation), so this bounds the stack a hostile expression can take.
   */
  public static final int MAX_DEPTH = 64;

  /**
   * Iterations of {@code map}, {@code filter}, {@code exists}, {@code all}... in one evaluation.
   */
  public static final int MAX_ITERATIONS = 100_000;

  /** List elements and object fields one evaluation may build ({@code range}, {@code map}, ...). */
  public static final int MAX_BUILT_ELEMENTS = 200_000;

  /** Characters of text one evaluation may build ({@code +}, {@code join}, {@code format}, ...). */
  public static final int MAX_BUILT_CHARS = 1 << 20;

  private final String source;

  /** The parsed tree (macros expanded). */
  private final CelAbstractSyntaxTree ast;

  private final List<Reference> references;
  private volatile Compiled compiled;

  private Expression(String source, CelAbstractSyntaxTree ast) {
    this.source = source;
    this.ast = ast;
    this.references = Paths.of(ast, source);
  }

  /**
   * Parses {@code source}. Type errors ({@code 'x' * 2}, an unknown function) are found by {@link
   * #check}, or at the first evaluation.
   *
   * @throws ExpressionException with the offset of the first problem and a sentence
   */
  public static Expression parse(String source) {
    if (source.length() > MAX_LENGTH) {
      throw new ExpressionException(
          0,
          "the expression is " + source.length() + " characters long; the limit is " + MAX_LENGTH);
    }
    if (source.isBlank()) {
      throw new ExpressionException(0, "empty expression");
    }
    Depth.checkText(source);
    CelValidationResult parsed = Syntax.PARSER.parse(source);
    if (parsed.hasError()) {
      throw first(parsed, source, Set.of());
    }
    CelAbstractSyntaxTree ast = result(parsed);
    Depth.check(ast, source);
    return new Expression(source, ast);
  }

  /**
   * The checked tree and its program, made at the first evaluation. CEL's legacy runtime (the
   * fastest to evaluate: about 1.5 µs for a small expression) runs only checked trees, and a check
   * costs about a millisecond and 300 KB, mostly CEL rebuilding its standard declarations: too much
   * to pay for every expression of every file read, when most are plain paths evaluated once.
   */
  private record Compiled(CelAbstractSyntaxTree ast, CelRuntime.Program program) {}

  private Compiled compiled() {
    Compiled c = compiled;
    if (c == null) {
      synchronized (this) {
        c = compiled;
        if (c == null) {
          c = compile();
          compiled = c;
        }
      }
    }
    return c;
  }

  /**
   * Programs already compiled, by source text: a server reads the same workflow for each run, and a
   * file repeats expressions. Bounded; a program is immutable and thread-safe.
   */
  private static final int PROGRAMS_CACHED = 4_096;

  private static final Map<String, Compiled> PROGRAMS =
      new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Compiled> eldest) {
          return size() > PROGRAMS_CACHED;
        }
      };

  private Compiled compile() {
    synchronized (PROGRAMS) {
      Compiled c = PROGRAMS.get(source);
      if (c != null) {
        return c;
      }
    }
    Compiled c = compileUncached();
    synchronized (PROGRAMS) {
      PROGRAMS.put(source, c);
    }
    return c;
  }

  private Compiled compileUncached() {
    Set<String> free = new LinkedHashSet<>();
    Names.free(ast.getExpr(), Set.of(), free);
    Cel cel = Language.declaring(free);
    CelValidationResult checked = cel.check(ast);
    if (checked.hasError()) {
      throw first(checked, source, free);
    }
    CelAbstractSyntaxTree typed = result(checked);
    try {
      return new Compiled(typed, cel.createProgram(typed));
    } catch (CelEvaluationException e) {
      throw new ExpressionException(0, Messages.evaluation(e.getMessage()));
    }
  }

  private static final java.util.concurrent.atomic.AtomicBoolean WARMING =
      new java.util.concurrent.atomic.AtomicBoolean();

  /**
   * Loads CEL's checker and runtime on a background daemon thread, once per JVM: the first check
   * costs a few hundred milliseconds of class loading, which a CLI command can spend while its
   * workers start instead of after. Returns at once; harmless to call again.
   */
  public static void warmUp() {
    if (!WARMING.compareAndSet(false, true)) {
      return;
    }
    Thread t =
        new Thread(
            () -> {
              try {
                parse("[1, 2].map(x, x * 2).size() > 1 && 'a'.startsWith('a')")
                    .evaluate(name -> null);
              } catch (RuntimeException ignored) {
                // a warm-up: the real expressions report their own errors
              }
            },
            "braid-cel-warmup");
    t.setDaemon(true);
    t.start();
  }

  /** The text the expression was parsed from. */
  public String source() {
    return source;
  }

  /**
   * Evaluates the expression. Runs on the caller's thread and never blocks; stops with an error
   * past {@link #MAX_ITERATIONS}, {@link #MAX_BUILT_ELEMENTS} or {@link #MAX_BUILT_CHARS}.
   *
   * @throws ExpressionException if the values do not fit the operators (e.g. comparing a string
   *     with a number), or a name is not bound, with the offset of the operator or name at fault
   */
  public JsonNode evaluate(Bindings bindings) {
    Compiled c = compiled();
    try {
      return run(c, bindings, new Budget(false));
    } catch (CelEvaluationException e) {
      // again, recording each node's value, for a message that names the operand types
      Budget recorded = new Budget(true);
      try {
        run(c, bindings, recorded);
      } catch (CelEvaluationException again) {
        throw Messages.located(again, source, c.ast, recorded);
      }
      throw Messages.located(e, source, c.ast, recorded);
    }
  }

  private JsonNode run(Compiled c, Bindings bindings, Budget budget) throws CelEvaluationException {
    try {
      Object out =
          c.program.trace(
              name -> {
                JsonNode v = bindings.lookup(name);
                return v == null ? Optional.empty() : Optional.of(JsonValues.toCel(v));
              },
              budget);
      if (out instanceof dev.cel.runtime.CelUnknownSet) {
        throw unbound(bindings);
      }
      return JsonValues.toJson(out);
    } catch (Budget.Exceeded e) {
      Integer cp = c.ast.getSource().getPositionsMap().get(e.expr.id());
      throw new ExpressionException(charOffset(source, cp == null ? 0 : cp), e.getMessage());
    }
  }

  /** The error for a name the bindings do not have (CEL leaves it "unknown" and goes on). */
  private ExpressionException unbound(Bindings bindings) {
    for (Reference r : references) {
      if (bindings.lookup(r.root()) == null) {
        return new ExpressionException(r.pos(), "unknown name '" + r.root() + "'");
      }
    }
    return new ExpressionException(0, "the expression reads a name that has no value here");
  }

  /** Every name the expression reads, in source order, with its static path. */
  public List<Reference> references() {
    return references;
  }

  /**
   * The reference, if the whole expression is one path with no computed index ({@code input.x},
   * {@code steps.a[0].b}): the one case in which a value's type can be known from declarations.
   */
  public Optional<Reference> path() {
    CelExpr e = ast.getExpr();
    if (references.size() != 1 || references.get(0).dynamic()) {
      return Optional.empty();
    }
    while (e.getKind() == Kind.SELECT
        || e.getKind() == Kind.CALL && e.call().function().equals("_[_]")) {
      e = e.getKind() == Kind.SELECT ? e.select().operand() : e.call().args().get(0);
    }
    return e.getKind() == Kind.IDENT ? Optional.of(references.get(0)) : Optional.empty();
  }

  /**
   * Type-checks the expression against {@code scope}: the errors that can be found before running,
   * such as {@code 'x' && true} or {@code input.name * 2} with {@code name} declared a string.
   * Names the scope does not have are left to the caller, who reports them better.
   */
  public List<ExpressionException> check(Scope scope) {
    return check(scope, false);
  }

  /**
   * {@link #check(Scope)}, and if {@code condition}, also that the value is a boolean when its type
   * is known ({@code if: ${{ input.name.size() }}} is an error).
   */
  public List<ExpressionException> check(Scope scope, boolean condition) {
    if (!Depth.hasOperations(ast.getExpr())) {
      return List.of(); // a literal or a plain path: no operator whose types could be wrong
    }
    Set<String> free = new LinkedHashSet<>();
    Names.free(ast.getExpr(), Set.of(), free);
    CelValidationResult checked = scope.cel().check(ast);
    List<ExpressionException> out = new ArrayList<>();
    for (CelIssue issue : checked.getErrors()) {
      if (!Messages.isUndeclared(issue.getMessage(), free)) {
        out.add(issue(issue, checked.getSource(), source, free));
      }
    }
    if (condition && out.isEmpty() && !checked.hasError()) {
      CelType type = result(checked).getResultType();
      if (type.kind() != CelKind.BOOL && type.kind() != CelKind.DYN && type.kind() != CelKind.ANY) {
        out.add(
            new ExpressionException(
                source.length() - source.stripLeading().length(),
                "if: needs true or false, but the expression gives "
                    + Messages.article(type)
                    + "; compare explicitly, e.g. size(x) > 0 or x != null"));
      }
    }
    return out;
  }

  @Override
  public String toString() {
    return "${{ " + source.strip() + " }}";
  }

  /** The char index in {@code s} of the {@code codePoints}-th code point (CEL counts those). */
  static int charOffset(String s, int codePoints) {
    try {
      return s.offsetByCodePoints(0, Math.max(0, codePoints));
    } catch (IndexOutOfBoundsException past) {
      return s.length();
    }
  }

  private static CelAbstractSyntaxTree result(CelValidationResult r) {
    try {
      return r.getAst();
    } catch (CelValidationException e) {
      throw new ExpressionException(0, Messages.issue(e.getErrors().get(0).getMessage(), Set.of()));
    }
  }

  private static ExpressionException first(
      CelValidationResult r, String source, Set<String> names) {
    return issue(r.getErrors().get(0), r.getSource(), source, names);
  }

  private static ExpressionException issue(
      CelIssue issue, CelSource celSource, String source, Set<String> names) {
    int cp = celSource.getLocationOffset(issue.getSourceLocation()).orElse(0);
    int at = charOffset(source, cp);
    if (issue.getMessage().startsWith("Expression recursion limit exceeded")) {
      at = Math.max(at, Depth.chainOverflow(source));
    }
    String function = Messages.function(issue.getMessage());
    if (function != null
        && source.startsWith("(", at)
        && source.startsWith(function, at - function.length())) {
      at -= function.length(); // CEL places a call at its '(': point at the function's name
    }
    return new ExpressionException(at, Messages.issue(issue.getMessage(), names));
  }
}
