package dev.braid.gateway.workflow.expr;

import com.google.common.collect.ImmutableList;
import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelOptions;
import dev.cel.common.types.CelType;
import dev.cel.common.types.CelTypeProvider;
import dev.cel.common.types.SimpleType;
import dev.cel.common.types.StructType;
import dev.cel.extensions.CelExtensions;
import dev.cel.extensions.CelListsExtensions;
import dev.cel.extensions.CelStringExtensions;
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
  static final CelOptions OPTIONS =
      CelOptions.current()
          .maxExpressionCodePointSize(Expression.MAX_LENGTH)
          // CEL's own bound on its parser's recursion, above Expression.MAX_DEPTH so that Depth,
          // which names the operator that goes too deep, is what refuses a deep expression
          .maxParseRecursionDepth(4 * Expression.MAX_DEPTH)
          .comprehensionMaxIterations(Expression.MAX_ITERATIONS)
          // 1 < 1.5 and 1 == 1.0, as in JSON, where 1 and 1.0 are the same number
          .enableHeterogeneousNumericComparisons(true)
          .enableOptionalSyntax(true)
          .enableTimestampEpoch(true)
          .build();

  /** The environment with no names declared; {@link #declaring} adds them. */
  private static final Cel BASE =
      CelFactory.standardCelBuilder()
          .setOptions(OPTIONS)
          .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
          .addMacros(BraidFunctions.DEFAULT)
          .addCompilerLibraries(
              strings(), CelExtensions.math(OPTIONS), lists(), CelExtensions.optional())
          .addRuntimeLibraries(
              strings(), CelExtensions.math(OPTIONS), lists(), CelExtensions.optional())
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

  /** CEL's strings extension without replace, whose result can be the square of its input. */
  private static CelStringExtensions strings() {
    return CelExtensions.strings(
        CelStringExtensions.Function.CHAR_AT,
        CelStringExtensions.Function.INDEX_OF,
        CelStringExtensions.Function.LAST_INDEX_OF,
        CelStringExtensions.Function.LOWER_ASCII,
        CelStringExtensions.Function.UPPER_ASCII,
        CelStringExtensions.Function.QUOTE,
        CelStringExtensions.Function.REVERSE,
        CelStringExtensions.Function.SPLIT,
        CelStringExtensions.Function.SUBSTRING,
        CelStringExtensions.Function.TRIM);
  }

  /** CEL's lists extension without range (Braid's {@code range} is bounded). */
  private static CelListsExtensions lists() {
    return CelExtensions.lists(
        CelListsExtensions.Function.SLICE,
        CelListsExtensions.Function.FLATTEN,
        CelListsExtensions.Function.DISTINCT,
        CelListsExtensions.Function.REVERSE,
        CelListsExtensions.Function.SORT,
        CelListsExtensions.Function.SORT_BY);
  }

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
