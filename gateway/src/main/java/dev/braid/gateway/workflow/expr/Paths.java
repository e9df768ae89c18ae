package dev.braid.gateway.workflow.expr;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.ast.CelConstant;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.ast.CelExpr.ExprKind.Kind;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the {@link Reference}s off a CEL syntax tree: each chain of field and index accesses that
 * starts at a free name ({@code steps.orders[0].id}), with the part of its path that is known
 * before running. Names bound by a macro ({@code x} in {@code list.map(x, x * 2)}) are not
 * references. {@code default(a.b.c, f)} reads the path {@code a.b.c} although its macro turned it
 * into a list of keys.
 */
final class Paths {
  private final String source;
  private final Map<Long, Integer> positions;
  private final List<Reference> out = new ArrayList<>();

  private Paths(CelAbstractSyntaxTree ast, String source) {
    this.source = source;
    this.positions = ast.getSource().getPositionsMap();
  }

  static List<Reference> of(CelAbstractSyntaxTree ast, String source) {
    Paths p = new Paths(ast, source);
    p.walk(ast.getExpr(), Set.of());
    p.out.sort(Comparator.comparingInt(Reference::pos));
    return Collections.unmodifiableList(p.out);
  }

  /** The offset in the source (in chars) of a node. */
  int pos(CelExpr e) {
    Integer cp = positions.get(e.id());
    return cp == null ? 0 : Expression.charOffset(source, cp);
  }

  private void walk(CelExpr e, Set<String> bound) {
    switch (e.getKind()) {
      case CONSTANT:
      case NOT_SET:
        return;
      case IDENT:
      case SELECT:
        path(e, List.of(), bound);
        return;
      case CALL:
        {
          var call = e.call();
          if (call.function().equals(BraidFunctions.DEFAULT_PATH)
              && call.args().size() == 3
              && call.args().get(1).getKind() == Kind.LIST) {
            path(call.args().get(0), call.args().get(1).list().elements(), bound);
            walk(call.args().get(2), bound);
            return;
          }
          if (isLink(e)) {
            path(e, List.of(), bound);
            return;
          }
          call.target().ifPresent(t -> walk(t, bound));
          call.args().forEach(a -> walk(a, bound));
          return;
        }
      case LIST:
        e.list().elements().forEach(a -> walk(a, bound));
        return;
      case MAP:
        e.map()
            .entries()
            .forEach(
                en -> {
                  walk(en.key(), bound);
                  walk(en.value(), bound);
                });
        return;
      case STRUCT:
        e.struct().entries().forEach(en -> walk(en.value(), bound));
        return;
      case COMPREHENSION:
        {
          var c = e.comprehension();
          walk(c.iterRange(), bound);
          walk(c.accuInit(), bound);
          Set<String> inner = new HashSet<>(bound);
          inner.add(c.iterVar());
          if (!c.iterVar2().isEmpty()) {
            inner.add(c.iterVar2());
          }
          inner.add(c.accuVar());
          walk(c.loopCondition(), inner);
          walk(c.loopStep(), inner);
          walk(c.result(), inner);
          return;
        }
      default:
        return;
    }
  }

  /** {@code x[i]}, {@code x[?i]} or {@code x.?f}: one step of a path, written as a call. */
  private static boolean isLink(CelExpr e) {
    if (e.getKind() != Kind.CALL || e.call().target().isPresent() || e.call().args().size() != 2) {
      return false;
    }
    String f = e.call().function();
    return f.equals("_[_]") || f.equals("_[?_]") || f.equals("_?._");
  }

  private void path(CelExpr outer, List<CelExpr> extraKeys, Set<String> bound) {
    List<CelExpr> links = new ArrayList<>();
    CelExpr cur = outer;
    while (true) {
      if (cur.getKind() == Kind.SELECT) {
        links.add(cur);
        cur = cur.select().operand();
      } else if (isLink(cur)) {
        links.add(cur);
        cur = cur.call().args().get(0);
      } else {
        break;
      }
    }
    Collections.reverse(links);
    if (cur.getKind() != Kind.IDENT
        || bound.contains(cur.ident().name())
        || Names.isBuiltIn(cur.ident().name())) {
      if (cur.getKind() != Kind.IDENT) {
        walk(cur, bound);
      }
      for (CelExpr link : links) {
        if (link.getKind() == Kind.CALL) {
          walk(link.call().args().get(1), bound);
        }
      }
      extraKeys.forEach(k -> walk(k, bound));
      return;
    }
    List<Object> path = new ArrayList<>();
    List<Integer> pathPos = new ArrayList<>();
    List<CelExpr> computed = new ArrayList<>();
    int rootPos = pos(cur);
    int last = rootPos + cur.ident().name().length();
    boolean dynamic = false;
    for (CelExpr link : links) {
      if (link.getKind() == Kind.SELECT) {
        if (!dynamic) {
          path.add(link.select().field());
          last = fieldPos(link.select().field(), pos(link));
          pathPos.add(last);
        }
        continue;
      }
      CelExpr key = link.call().args().get(1);
      if (link.call().function().equals("_?._")) {
        if (!dynamic && key.getKind() == Kind.CONSTANT) {
          path.add(key.constant().stringValue());
          last = fieldPos(key.constant().stringValue(), pos(link));
          pathPos.add(last);
        }
        continue;
      }
      Object k = dynamic ? null : staticKey(key);
      if (k == null) {
        dynamic = true;
        computed.add(key);
      } else {
        path.add(k);
        last = pos(key);
        pathPos.add(last);
      }
    }
    for (CelExpr key : extraKeys) {
      Object k = dynamic ? null : staticKey(key);
      if (k == null) {
        dynamic = true;
        computed.add(key);
      } else {
        // a key default() made from a field name has no place of its own: find the name
        last = k instanceof String s ? fieldPos(s, last) : pos(key);
        path.add(k);
        pathPos.add(last);
      }
    }
    out.add(new Reference(cur.ident().name(), path, dynamic, rootPos, pathPos));
    computed.forEach(c -> walk(c, bound));
  }

  /**
   * Where the field name {@code name} is written after {@code from} (its '.' or the path so far).
   */
  private int fieldPos(String name, int from) {
    int at = source.indexOf(name, Math.max(0, from));
    return at < 0 ? from : at;
  }

  private static Object staticKey(CelExpr key) {
    if (key.getKind() != Kind.CONSTANT) {
      return null;
    }
    CelConstant c = key.constant();
    return switch (c.getKind()) {
      case STRING_VALUE -> c.stringValue();
      case INT64_VALUE ->
          c.int64Value() >= 0 && c.int64Value() <= Integer.MAX_VALUE ? (int) c.int64Value() : null;
      default -> null;
    };
  }
}
