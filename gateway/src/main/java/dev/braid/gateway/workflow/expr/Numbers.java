package dev.braid.gateway.workflow.expr;

import dev.cel.runtime.CelEvaluationException;
import java.util.List;
import java.util.Map;

/** Equality and order of CEL values in which 1 and 1.0 are the same number, as in JSON. */
final class Numbers {
  private Numbers() {}

  static boolean same(Object a, Object b) {
    if (a instanceof Long x && b instanceof Double y) {
      return x.doubleValue() == y;
    }
    if (a instanceof Double x && b instanceof Long y) {
      return x == y.doubleValue();
    }
    if (a instanceof List<?> x && b instanceof List<?> y) {
      if (x.size() != y.size()) {
        return false;
      }
      for (int i = 0; i < x.size(); i++) {
        if (!same(x.get(i), y.get(i))) {
          return false;
        }
      }
      return true;
    }
    if (a instanceof Map<?, ?> x && b instanceof Map<?, ?> y) {
      if (x.size() != y.size()) {
        return false;
      }
      for (Map.Entry<?, ?> e : x.entrySet()) {
        if (!y.containsKey(e.getKey()) || !same(e.getValue(), y.get(e.getKey()))) {
          return false;
        }
      }
      return true;
    }
    return a.equals(b);
  }

  /** Compares two numbers (int or double) or two strings; anything else is an error. */
  static int compare(Object a, Object b, String function) throws CelEvaluationException {
    if (a instanceof String x && b instanceof String y) {
      return x.compareTo(y);
    }
    if (a instanceof Long x && b instanceof Long y) {
      return Long.compare(x, y);
    }
    if ((a instanceof Long || a instanceof Double) && (b instanceof Long || b instanceof Double)) {
      return Double.compare(((Number) a).doubleValue(), ((Number) b).doubleValue());
    }
    throw BraidFunctions.error(
        function
            + "() cannot compare "
            + BraidFunctions.typeName(a)
            + " with "
            + BraidFunctions.typeName(b));
  }
}
