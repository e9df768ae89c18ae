package dev.braid.gateway.workflow.expr;

import dev.cel.common.ast.CelExpr;
import java.util.HashSet;
import java.util.Set;

/** The free names of a CEL syntax tree: those not bound by a macro's variables. */
final class Names {
  /**
   * Names CEL itself gives a meaning: type names ({@code type(x) == string}) and the namespaces of
   * extension functions ({@code math.greatest(a, b)}). They are never variables.
   */
  private static final Set<String> BUILT_IN =
      Set.of(
          "int",
          "uint",
          "double",
          "bool",
          "string",
          "bytes",
          "list",
          "map",
          "null_type",
          "type",
          "dyn",
          "math",
          "optional",
          "lists",
          "strings",
          "google");

  private Names() {}

  static boolean isBuiltIn(String name) {
    return BUILT_IN.contains(name);
  }

  static void free(CelExpr e, Set<String> bound, Set<String> out) {
    switch (e.getKind()) {
      case IDENT:
        if (!bound.contains(e.ident().name()) && !isBuiltIn(e.ident().name())) {
          out.add(e.ident().name());
        }
        return;
      case SELECT:
        free(e.select().operand(), bound, out);
        return;
      case CALL:
        e.call().target().ifPresent(t -> free(t, bound, out));
        e.call().args().forEach(a -> free(a, bound, out));
        return;
      case LIST:
        e.list().elements().forEach(a -> free(a, bound, out));
        return;
      case MAP:
        e.map()
            .entries()
            .forEach(
                en -> {
                  free(en.key(), bound, out);
                  free(en.value(), bound, out);
                });
        return;
      case STRUCT:
        e.struct().entries().forEach(en -> free(en.value(), bound, out));
        return;
      case COMPREHENSION:
        {
          var c = e.comprehension();
          free(c.iterRange(), bound, out);
          free(c.accuInit(), bound, out);
          Set<String> inner = new HashSet<>(bound);
          inner.add(c.iterVar());
          if (!c.iterVar2().isEmpty()) {
            inner.add(c.iterVar2());
          }
          inner.add(c.accuVar());
          free(c.loopCondition(), inner, out);
          free(c.loopStep(), inner, out);
          free(c.result(), inner, out);
          return;
        }
      default:
        return;
    }
  }
}
