package dev.braid.gateway.workflow.internal;

import dev.braid.gateway.workflow.Diagnostic;
import dev.braid.gateway.workflow.Located;
import dev.braid.gateway.workflow.Location;
import dev.braid.gateway.workflow.expr.Spelling;
import dev.braid.model.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Reads typed settings out of mappings, reporting every problem as a diagnostic and carrying on: a
 * bad value is reported and treated as absent.
 */
final class Fields {
  final List<Diagnostic> problems;

  Fields(List<Diagnostic> problems) {
    this.problems = problems;
  }

  void error(Location at, String message) {
    problems.add(new Diagnostic(at, message));
  }

  /** {@code node} as a mapping, or null after reporting what it is instead. */
  SourceNode.MapNode mapping(SourceNode node, String what, String example) {
    if (node instanceof SourceNode.MapNode m) {
      return m;
    }
    error(node.at(), what + " must be a mapping, not " + node.kind() + example);
    return null;
  }

  /** Reports keys of {@code node} that are not in {@code allowed}, with a "did you mean". */
  void onlyKeys(SourceNode.MapNode node, Collection<String> allowed, String where) {
    for (SourceNode.Entry e : node.entries()) {
      if (!allowed.contains(e.key())) {
        error(
            e.keyAt(),
            "unknown key '"
                + e.key()
                + "' in "
                + where
                + Spelling.closest(e.key(), allowed)
                    .map(s -> "; did you mean '" + s + "'?")
                    .orElse(" (expected one of: " + String.join(", ", allowed) + ")"));
      }
    }
  }

  Optional<Located<String>> string(SourceNode.MapNode m, String key) {
    SourceNode n = m.get(key);
    if (n == null) {
      return Optional.empty();
    }
    if (n instanceof SourceNode.ScalarNode s && s.value().isTextual()) {
      return Optional.of(new Located<>(s.value().textValue(), s.at()));
    }
    error(n.at(), key + " must be a string, not " + n.kind());
    return Optional.empty();
  }

  /** A duration greater than zero, written as in {@link Durations}. */
  Optional<Located<Duration>> duration(SourceNode.MapNode m, String key) {
    SourceNode n = m.get(key);
    if (n == null) {
      return Optional.empty();
    }
    return duration(n, key);
  }

  /** {@code n} as a duration greater than zero; {@code key} names it in messages. */
  Optional<Located<Duration>> duration(SourceNode n, String key) {
    if (!(n instanceof SourceNode.ScalarNode s) || s.value().isNull()) {
      error(n.at(), key + " must be a duration such as 250ms, 2s or 1m, not " + n.kind());
      return Optional.empty();
    }
    String text = s.value().isTextual() ? s.value().textValue() : s.value().asText();
    Duration d;
    try {
      d = Durations.parse(text);
    } catch (IllegalArgumentException e) {
      error(n.at(), key + ": " + e.getMessage());
      return Optional.empty();
    }
    if (d.isZero()) {
      error(n.at(), key + " must be longer than 0");
      return Optional.empty();
    }
    return Optional.of(new Located<>(d, n.at()));
  }

  /** A whole number of at least {@code min}. */
  Optional<Located<Integer>> count(SourceNode.MapNode m, String key, int min) {
    SourceNode n = m.get(key);
    if (n == null) {
      return Optional.empty();
    }
    if (!(n instanceof SourceNode.ScalarNode s) || !s.value().isIntegralNumber()) {
      error(n.at(), key + " must be a whole number, not " + describe(n));
      return Optional.empty();
    }
    if (!s.value().canConvertToInt() || s.value().intValue() < min) {
      error(n.at(), key + " must be at least " + min + ", got " + s.value().asText());
      return Optional.empty();
    }
    return Optional.of(new Located<>(s.value().intValue(), n.at()));
  }

  /** A number of at least {@code min}. */
  Optional<Located<Double>> number(SourceNode.MapNode m, String key, double min) {
    SourceNode n = m.get(key);
    if (n == null) {
      return Optional.empty();
    }
    if (!(n instanceof SourceNode.ScalarNode s) || !s.value().isNumber()) {
      error(n.at(), key + " must be a number, not " + describe(n));
      return Optional.empty();
    }
    double v = s.value().doubleValue();
    if (!(v >= min) || Double.isInfinite(v)) {
      error(n.at(), key + " must be at least " + fmt(min) + ", got " + s.value().asText());
      return Optional.empty();
    }
    return Optional.of(new Located<>(v, n.at()));
  }

  /** One of the enum's constants, written in lower case; {@code allowed} limits the choice. */
  <E extends Enum<E>> Optional<Located<E>> choice(
      SourceNode.MapNode m, String key, Class<E> type, List<E> allowed) {
    SourceNode n = m.get(key);
    if (n == null) {
      return Optional.empty();
    }
    return choice(n, key, type, allowed);
  }

  <E extends Enum<E>> Optional<Located<E>> choice(
      SourceNode n, String key, Class<E> type, List<E> allowed) {
    List<String> words = allowed.stream().map(e -> e.name().toLowerCase(Locale.ROOT)).toList();
    if (n instanceof SourceNode.ScalarNode s && s.value().isTextual()) {
      String w = s.value().textValue();
      int i = words.indexOf(w);
      if (i >= 0) {
        return Optional.of(new Located<>(allowed.get(i), n.at()));
      }
      error(
          n.at(),
          key
              + " must be one of "
              + String.join(", ", words)
              + ", not '"
              + w
              + "'"
              + Spelling.suggest(w, words));
      return Optional.empty();
    }
    error(n.at(), key + " must be one of " + String.join(", ", words) + ", not " + describe(n));
    return Optional.empty();
  }

  static <E extends Enum<E>> List<E> all(Class<E> type) {
    return Arrays.asList(type.getEnumConstants());
  }

  /** A list of strings; a single string counts as a list of one. */
  List<Located<String>> strings(SourceNode.MapNode m, String key) {
    SourceNode n = m.get(key);
    List<Located<String>> out = new ArrayList<>();
    if (n == null) {
      return out;
    }
    List<SourceNode> items = n instanceof SourceNode.ListNode l ? l.items() : List.of(n);
    for (SourceNode i : items) {
      if (i instanceof SourceNode.ScalarNode s && s.value().isTextual()) {
        out.add(new Located<>(s.value().textValue(), s.at()));
      } else {
        error(i.at(), key + " must list strings, not " + describe(i));
      }
    }
    return out;
  }

  static String describe(SourceNode n) {
    if (n instanceof SourceNode.ScalarNode s && !s.value().isNull()) {
      return n.kind() + " (" + s.value().asText() + ")";
    }
    return n.kind();
  }

  private static String fmt(double d) {
    return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
  }
}
