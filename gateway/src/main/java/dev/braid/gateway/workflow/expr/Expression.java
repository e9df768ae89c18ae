package dev.braid.gateway.workflow.expr;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One parsed expression: the text between {@code ${{} and {@code }}}. Immutable and thread-safe.
 *
 * <p>The language is small on purpose, so that a workflow's dependency graph can be read off its
 * expressions and so that nothing in a workflow file runs code in the gateway: literals (numbers,
 * strings in single or double quotes, {@code true}, {@code false}, {@code null}), names ({@code
 * input}, {@code steps}, loop variables, {@code error}), field and index access ({@code
 * steps.orders[0].id}, {@code input["user-id"]}), list literals, the operators {@code || && == != <
 * <= > >= + - * / % !} and the functions {@code len(x)}, {@code default(x, fallback)} and {@code
 * contains(list_or_string, x)}.
 */
public final class Expression {
  /** The most characters an expression may have. */
  public static final int MAX_LENGTH = 4_096;

  /**
   * How deeply operators, brackets, indexes and calls may nest in one expression, counted in the
   * syntax tree: {@code 1 + 1 + 1} is 3 deep. The tree is walked recursively (references,
   * evaluation), so this bounds the stack a hostile expression can take.
   */
  public static final int MAX_DEPTH = 64;

  private final String source;
  private final Expr ast;
  private final List<Reference> references;

  private Expression(String source, Expr ast) {
    this.source = source;
    this.ast = ast;
    List<Reference> refs = new ArrayList<>();
    collect(ast, refs);
    this.references = Collections.unmodifiableList(refs);
  }

  /**
   * Parses {@code source}.
   *
   * @throws ExpressionException with the offset of the first problem and a sentence
   */
  public static Expression parse(String source) {
    return new Expression(source, ExpressionParser.parse(source));
  }

  /** The text the expression was parsed from. */
  public String source() {
    return source;
  }

  public Expr ast() {
    return ast;
  }

  /**
   * Evaluates the expression. Runs on the caller's thread and never blocks.
   *
   * @throws ExpressionException if the values do not fit the operators (e.g. comparing a string
   *     with a number), with the offset of the operator or name at fault
   */
  public JsonNode evaluate(Bindings bindings) {
    return new Evaluator(bindings).eval(ast);
  }

  /** Every name the expression reads, in source order, with its static path. */
  public List<Reference> references() {
    return references;
  }

  @Override
  public String toString() {
    return "${{ " + source.strip() + " }}";
  }

  private static void collect(Expr e, List<Reference> out) {
    if (e instanceof Expr.Literal) {
      return;
    }
    if (e instanceof Expr.Member || e instanceof Expr.Index || e instanceof Expr.Name) {
      if (pathOf(e, out)) {
        return;
      }
    }
    if (e instanceof Expr.Unary u) {
      collect(u.operand(), out);
    } else if (e instanceof Expr.Binary b) {
      collect(b.left(), out);
      collect(b.right(), out);
    } else if (e instanceof Expr.Call c) {
      c.args().forEach(a -> collect(a, out));
    } else if (e instanceof Expr.ListOf l) {
      l.items().forEach(a -> collect(a, out));
    }
  }

  /**
   * Adds the reference a chain of field and index accesses makes, plus the references inside its
   * computed indexes. Returns false if the chain does not start at a name (e.g. {@code [1,2][0]}),
   * leaving the caller to walk it as an ordinary expression.
   */
  private static boolean pathOf(Expr e, List<Reference> out) {
    List<Expr> chain = new ArrayList<>();
    Expr cur = e;
    while (cur instanceof Expr.Member || cur instanceof Expr.Index) {
      chain.add(cur);
      cur = cur instanceof Expr.Member m ? m.target() : ((Expr.Index) cur).target();
    }
    if (!(cur instanceof Expr.Name root)) {
      for (Expr link : chain) {
        if (link instanceof Expr.Index ix) {
          collect(ix.index(), out);
        }
      }
      collect(cur, out);
      return true;
    }
    Collections.reverse(chain);
    List<Object> path = new ArrayList<>();
    List<Integer> positions = new ArrayList<>();
    boolean dynamic = false;
    List<Expr> computed = new ArrayList<>();
    for (Expr link : chain) {
      if (link instanceof Expr.Member m) {
        if (!dynamic) {
          path.add(m.name());
          positions.add(m.pos());
        }
        continue;
      }
      Expr.Index ix = (Expr.Index) link;
      Object key = staticKey(ix.index());
      if (key != null && !dynamic) {
        path.add(key);
        positions.add(ix.index().pos());
      } else {
        dynamic = true;
        computed.add(ix.index());
      }
    }
    out.add(new Reference(root.name(), path, dynamic, root.pos(), positions));
    computed.forEach(c -> collect(c, out));
    return true;
  }

  private static Object staticKey(Expr index) {
    if (index instanceof Expr.Literal l) {
      if (l.value().isTextual()) {
        return l.value().textValue();
      }
      if (l.value().isIntegralNumber() && l.value().canConvertToInt()) {
        return l.value().intValue();
      }
    }
    return null;
  }
}
