package dev.braid.gateway.workflow.expr;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.ast.CelExpr;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@link Expression#MAX_DEPTH} limit on a parsed tree. CEL's parser bounds its own recursion,
 * but a chain of left-associative operators ({@code 1 + 1 + ...}) is parsed by a loop and gives a
 * tree as deep as it is long, which checking and evaluation then walk recursively.
 */
final class Depth {
  private Depth() {}

  /**
   * Refuses text nested too deeply before CEL's parser sees it: that parser (ANTLR) recurses a
   * dozen frames for each bracket or {@code ?:} before CEL's own recursion limit applies, so two
   * thousand {@code [} would overflow the stack. Counts brackets, and each {@code ?} of a
   * conditional (they nest to the right), outside string literals.
   */
  static void checkText(String source) {
    int brackets = 0;
    int conditionals = 0;
    for (int i = 0; i < source.length(); i++) {
      char c = source.charAt(i);
      if (c == '\'' || c == '"') {
        i = endOfString(source, i);
        continue;
      }
      if (c == '(' || c == '[' || c == '{') {
        brackets++;
      } else if (c == ')' || c == ']' || c == '}') {
        brackets = Math.max(0, brackets - 1);
      } else if (c == '?' && i > 0 && source.charAt(i - 1) != '.' && source.charAt(i - 1) != '[') {
        conditionals++;
      }
      if (brackets + conditionals > Expression.MAX_DEPTH) {
        throw new ExpressionException(
            i, "the expression is nested more than " + Expression.MAX_DEPTH + " levels deep");
      }
    }
  }

  /**
   * Where a long operator chain that CEL's parser refused ({@code 1 + 1 + ...}, which it parses by
   * recursion, past its own limit) goes too deep: the operator at which the operators of one
   * bracket level, with the brackets around them, reach {@link Expression#MAX_DEPTH}. CEL reports
   * such an expression at its start; this is the column the depth limit names elsewhere.
   */
  static int chainOverflow(String source) {
    int brackets = 0;
    int[] operators = new int[Expression.MAX_DEPTH + 2];
    for (int i = 0; i < source.length(); i++) {
      char c = source.charAt(i);
      if (c == '\'' || c == '"') {
        i = endOfString(source, i);
      } else if (c == '(' || c == '[' || c == '{') {
        brackets = Math.min(brackets + 1, operators.length - 1);
        operators[brackets] = 0;
      } else if (c == ')' || c == ']' || c == '}') {
        brackets = Math.max(0, brackets - 1);
      } else if ("+-*/%<>=!".indexOf(c) >= 0) {
        int start = i;
        if (i + 1 < source.length() && source.charAt(i + 1) == '=') {
          i++; // == != <= >=
        } else if (c == '=' || c == '!') {
          continue; // '!' alone is unary; a lone '=' is a syntax error
        }
        if (++operators[brackets] + brackets >= Expression.MAX_DEPTH) {
          return start;
        }
      }
    }
    return 0;
  }

  /** The index of the last character of the string literal opened at {@code start}. */
  private static int endOfString(String s, int start) {
    char q = s.charAt(start);
    boolean triple = s.startsWith(String.valueOf(q).repeat(3), start);
    int i = start + (triple ? 3 : 1);
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c == '\\') {
        i += 2;
        continue;
      }
      if (c == q && (!triple || s.startsWith(String.valueOf(q).repeat(3), i))) {
        return i + (triple ? 2 : 0);
      }
      i++;
    }
    return s.length();
  }

  static void check(CelAbstractSyntaxTree ast, String source) {
    CelExpr deep = tooDeep(ast.getExpr(), 1);
    if (deep != null) {
      Integer cp = ast.getSource().getPositionsMap().get(deep.id());
      throw new ExpressionException(
          Expression.charOffset(source, cp == null ? 0 : cp),
          "the expression is nested more than " + Expression.MAX_DEPTH + " levels deep");
    }
  }

  /**
   * The first node at the limit that has children (the operator that goes too deep), or null;
   * recursion stops at the limit.
   */
  private static CelExpr tooDeep(CelExpr e, int depth) {
    List<CelExpr> children = children(e);
    if (depth >= Expression.MAX_DEPTH) {
      return children.isEmpty() ? null : e;
    }
    for (CelExpr child : children) {
      CelExpr d = tooDeep(child, depth + 1);
      if (d != null) {
        return d;
      }
    }
    return null;
  }

  /** Whether the tree has an operator, call, macro or literal list or object. */
  static boolean hasOperations(CelExpr e) {
    return switch (e.getKind()) {
      case CALL, COMPREHENSION, LIST, MAP, STRUCT -> true;
      case SELECT -> hasOperations(e.select().operand());
      default -> false;
    };
  }

  private static List<CelExpr> children(CelExpr e) {
    List<CelExpr> out = new ArrayList<>();
    switch (e.getKind()) {
      case SELECT -> out.add(e.select().operand());
      case CALL -> {
        e.call().target().ifPresent(out::add);
        out.addAll(e.call().args());
      }
      case LIST -> out.addAll(e.list().elements());
      case MAP ->
          e.map()
              .entries()
              .forEach(
                  en -> {
                    out.add(en.key());
                    out.add(en.value());
                  });
      case STRUCT -> e.struct().entries().forEach(en -> out.add(en.value()));
      case COMPREHENSION -> {
        var c = e.comprehension();
        out.add(c.iterRange());
        out.add(c.loopStep());
      }
      default -> {}
    }
    return out;
  }
}
