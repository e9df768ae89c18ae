package dev.braid.gateway.workflow.expr;

import dev.cel.runtime.CelEvaluationException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Locale;

/**
 * {@code 'text %s'.format([args])}: the formatting clauses of cel-go's strings extension ({@code %s
 * %d %f %.Nf %e %x %X %o %b %%}). Written by hand because CEL-Java 0.14 has no {@code format}, and
 * {@link String#format} would accept widths ({@code %999999999s}) that build strings of any size;
 * here precision is at most 30 and there are no widths, so the result is bounded by the arguments.
 */
final class Format {
  private static final int MAX_PRECISION = 30;

  private Format() {}

  static Object format(String pattern, List<?> args) throws CelEvaluationException {
    StringBuilder out = new StringBuilder();
    int next = 0;
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      if (c != '%') {
        out.append(c);
        continue;
      }
      if (++i >= pattern.length()) {
        throw BraidFunctions.error("format(): the pattern ends with a lone %");
      }
      c = pattern.charAt(i);
      if (c == '%') {
        out.append('%');
        continue;
      }
      int precision = -1;
      if (c == '.') {
        int start = ++i;
        while (i < pattern.length() && Character.isDigit(pattern.charAt(i)) && i - start < 3) {
          i++;
        }
        if (i == start || i >= pattern.length()) {
          throw BraidFunctions.error("format(): write a precision as %.2f");
        }
        precision = Math.min(Integer.parseInt(pattern.substring(start, i)), MAX_PRECISION);
        c = pattern.charAt(i);
      }
      if (next >= args.size()) {
        throw BraidFunctions.error(
            "format(): the pattern has more clauses than the " + args.size() + " arguments");
      }
      out.append(clause(c, precision, args.get(next++)));
      if (out.length() > Expression.MAX_BUILT_CHARS) {
        throw BraidFunctions.error(
            "format() would make more than " + Expression.MAX_BUILT_CHARS + " characters");
      }
    }
    return out.toString();
  }

  private static String clause(char c, int precision, Object arg) throws CelEvaluationException {
    switch (c) {
      case 's':
        return arg instanceof String s ? s : JsonValues.toJson(arg).toString();
      case 'd':
        if (arg instanceof Long n) {
          return n.toString();
        }
        break;
      case 'f':
        if (arg instanceof Long || arg instanceof Double) {
          double d = ((Number) arg).doubleValue();
          if (Double.isNaN(d) || Double.isInfinite(d)) {
            return Double.toString(d);
          }
          return BigDecimal.valueOf(d)
              .setScale(precision < 0 ? 6 : precision, RoundingMode.HALF_EVEN)
              .toPlainString();
        }
        break;
      case 'e':
        if (arg instanceof Long || arg instanceof Double) {
          return String.format(
              Locale.ROOT,
              "%." + (precision < 0 ? 6 : precision) + "e",
              ((Number) arg).doubleValue());
        }
        break;
      case 'x':
      case 'X':
      case 'o':
      case 'b':
        if (arg instanceof Long n) {
          String s =
              switch (c) {
                case 'o' -> Long.toOctalString(n);
                case 'b' -> Long.toBinaryString(n);
                default -> Long.toHexString(n);
              };
          return c == 'X' ? s.toUpperCase(Locale.ROOT) : s;
        }
        if (arg instanceof String s && (c == 'x' || c == 'X')) {
          StringBuilder hex = new StringBuilder();
          for (byte b : s.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            hex.append(String.format(Locale.ROOT, c == 'x' ? "%02x" : "%02X", b));
          }
          return hex.toString();
        }
        break;
      default:
        throw BraidFunctions.error(
            "format(): unknown clause %" + c + " (use %s %d %f %.2f %e %x %X %o %b %%)");
    }
    throw BraidFunctions.error(
        "format(): %" + c + " cannot format " + BraidFunctions.typeName(arg));
  }
}
