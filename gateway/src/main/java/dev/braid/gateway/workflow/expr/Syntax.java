package dev.braid.gateway.workflow.expr;

import dev.cel.common.CelOptions;
import dev.cel.extensions.CelExtensions;
import dev.cel.extensions.CelListsExtensions;
import dev.cel.extensions.CelStringExtensions;
import dev.cel.parser.CelParser;
import dev.cel.parser.CelParserFactory;
import dev.cel.parser.CelStandardMacro;

/**
 * CEL's options and parser for {@code ${{ }}}, apart from {@link Language} so that reading a file
 * does not wait for the checker and runtime to load (a class is initialized on first use).
 */
final class Syntax {
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

  /**
   * The parser alone, with the same macros and syntax: cheaper to build than {@link Language}'s
   * environment, so a file can be read while the rest of CEL is still being loaded ({@link
   * Expression#warmUp}).
   */
  static final CelParser PARSER =
      CelParserFactory.standardCelParserBuilder()
          .setOptions(OPTIONS)
          .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
          .addMacros(BraidFunctions.DEFAULT)
          .addLibraries(strings(), CelExtensions.math(OPTIONS), lists(), CelExtensions.optional())
          .build();

  /** CEL's strings extension without replace, whose result can be the square of its input. */
  static CelStringExtensions strings() {
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
  static CelListsExtensions lists() {
    return CelExtensions.lists(
        CelListsExtensions.Function.SLICE,
        CelListsExtensions.Function.FLATTEN,
        CelListsExtensions.Function.DISTINCT,
        CelListsExtensions.Function.REVERSE,
        CelListsExtensions.Function.SORT,
        CelListsExtensions.Function.SORT_BY);
  }

  private Syntax() {}
}
