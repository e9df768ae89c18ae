package dev.braid.gateway.workflow.expr;

import dev.cel.common.types.CelType;
import dev.cel.common.types.ListType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.types.StructType;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The root names an expression may read at one place of a workflow, with what is known of their
 * types before running, for {@link Expression#check}. Immutable; {@link #with} gives a new scope.
 *
 * <p>This is the one list of root names: the workflow checker builds a scope with {@code input}
 * (its fields typed from the workflow's {@code input:}), {@code steps}, {@code secrets} when the
 * workflow declares some, the loop variables and {@code error} where they are defined; a new kind
 * of name (a loop index) is one more {@link #with} call there.
 */
public final class Scope {
  /** What is known of a value's type before running. */
  public enum Type {
    ANY(SimpleType.DYN),
    STRING(SimpleType.STRING),
    INTEGER(SimpleType.INT),
    // a JSON number may be whole (an int in CEL) or not (a double): only known when running
    NUMBER(SimpleType.DYN),
    BOOLEAN(SimpleType.BOOL),
    OBJECT(MapType.create(SimpleType.STRING, SimpleType.DYN)),
    // secrets: every value is text, so secrets.X + 1 is refused before running
    STRING_MAP(MapType.create(SimpleType.STRING, SimpleType.STRING)),
    LIST(ListType.create(SimpleType.DYN));

    final CelType cel;

    Type(CelType cel) {
      this.cel = cel;
    }
  }

  /** The name of the CEL type of {@code input} when its fields are declared. */
  static final String INPUT_TYPE = "braid.Input";

  private final Map<String, CelType> names;

  private Scope(Map<String, CelType> names) {
    this.names = Collections.unmodifiableMap(names);
  }

  /** A scope with no names. */
  public static Scope empty() {
    return new Scope(new LinkedHashMap<>());
  }

  /** This scope with one more name (which hides an outer one of the same name). */
  public Scope with(String name, Type type) {
    Map<String, CelType> m = new LinkedHashMap<>(names);
    m.put(name, type.cel);
    return new Scope(m);
  }

  /** This scope with a name whose value is an object with these fields (and no others). */
  public Scope withObject(String name, Map<String, Type> fields) {
    Map<String, CelType> types = new LinkedHashMap<>();
    fields.forEach((k, v) -> types.put(k, v.cel));
    CelType t =
        StructType.create(
            INPUT_TYPE,
            com.google.common.collect.ImmutableSet.copyOf(types.keySet()),
            f -> Optional.ofNullable(types.get(f)));
    Map<String, CelType> m = new LinkedHashMap<>(names);
    m.put(name, t);
    return new Scope(m);
  }

  /** The names, in the order added. */
  public java.util.Set<String> names() {
    return names.keySet();
  }

  private volatile dev.cel.bundle.Cel cel;

  /** The CEL environment declaring these names (built once per scope). */
  dev.cel.bundle.Cel cel() {
    dev.cel.bundle.Cel c = cel;
    if (c == null) {
      c = Language.declaring(names);
      cel = c;
    }
    return c;
  }
}
