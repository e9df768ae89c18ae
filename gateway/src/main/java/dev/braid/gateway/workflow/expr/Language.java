package dev.braid.gateway.workflow.expr;

import com.google.common.collect.ImmutableList;
import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.types.CelType;
import dev.cel.common.types.CelTypeProvider;
import dev.cel.common.types.SimpleType;
import dev.cel.common.types.StructType;
import dev.cel.extensions.CelExtensions;
import dev.cel.parser.CelStandardMacro;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The CEL environment of {@code ${{ }}}: CEL's standard library and macros, the strings, math,
 * lists and optional extensions (less what can build values of unbounded size), and {@link
 * BraidFunctions}. Thread-safe: {@link Cel} instances are immutable.
 */
final class Language {

  /** The environment with no names declared; {@link #declaring} adds them. */
  private static final Cel BASE =
      CelFactory.standardCelBuilder()
          .setOptions(Syntax.OPTIONS)
          .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
          .addMacros(BraidFunctions.DEFAULT)
          .addCompilerLibraries(
              Syntax.strings(),
              CelExtensions.math(Syntax.OPTIONS),
              Syntax.lists(),
              CelExtensions.optional())
          .addRuntimeLibraries(
              Syntax.strings(),
              CelExtensions.math(Syntax.OPTIONS),
              Syntax.lists(),
              CelExtensions.optional())
          .addFunctionDeclarations(BraidFunctions.declarations())
          .addFunctionBindings(BraidFunctions.bindings())
          .build();

  /** Environments already built, by the names they declare (a workflow uses a handful). */
  private static final int CACHE_SIZE = 256;

  private static final Map<Set<String>, Cel> CACHE =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Set<String>, Cel> eldest) {
          return size() > CACHE_SIZE;
        }
      };

  private Language() {}

  /** The environment in which each of {@code names} is a variable of any type. */
  static Cel declaring(Set<String> names) {
    Set<String> key = Set.copyOf(new TreeSet<>(names));
    synchronized (CACHE) {
      Cel cel = CACHE.get(key);
      if (cel == null) {
        var b = BASE.toCelBuilder();
        key.forEach(n -> b.addVar(n, SimpleType.DYN));
        cel = b.build();
        CACHE.put(key, cel);
      }
      return cel;
    }
  }

  /** The environment with each name declared with its type (for the check of a workflow). */
  static Cel declaring(Map<String, CelType> names) {
    var b = BASE.toCelBuilder();
    names.forEach(b::addVar);
    List<CelType> structs = names.values().stream().filter(t -> t instanceof StructType).toList();
    if (!structs.isEmpty()) {
      b.setTypeProvider(new Structs(ImmutableList.copyOf(structs)));
    }
    return b.build();
  }

  /** Declares the object types of a scope ({@link Scope#withObject}) to the type checker. */
  @com.google.errorprone.annotations.Immutable
  private record Structs(ImmutableList<CelType> types) implements CelTypeProvider {
    @Override
    public Optional<CelType> findType(String typeName) {
      return types.stream().filter(t -> t.name().equals(typeName)).findFirst();
    }
  }
}
