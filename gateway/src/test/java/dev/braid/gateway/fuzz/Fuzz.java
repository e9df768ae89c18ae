package dev.braid.gateway.fuzz;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * A small property runner for the fuzz tests ({@code *FuzzTest}): draws inputs from a generator
 * driven by a seeded {@link SplittableRandom} and checks a property on each, as a plain JUnit test.
 * No shrinking: a failure reports the property, the try, the seed and the input.
 *
 * <p>Tries: {@value #DEFAULT_TRIES} per property unless it declares its own count; {@code
 * -Dbraid.fuzz.tries=N} on the mvn command line sets the default to N and scales the declared
 * counts by N/{@value #DEFAULT_TRIES} (at least 1). Seed: a random one per run, unless {@code
 * -Dbraid.fuzz.seed=S}; a failure prints the seed, and rerunning with it replays the same inputs.
 */
public final class Fuzz {
  public static final int DEFAULT_TRIES = 150;

  /** Inputs longer than this are cut in a failure report. */
  private static final int MAX_REPORTED_CHARS = 4_000;

  private static final long SEED = initialSeed();

  private Fuzz() {}

  /** Draws one value. */
  @FunctionalInterface
  public interface Gen<T> {
    T next(SplittableRandom r);

    default <U> Gen<U> map(Function<? super T, ? extends U> f) {
      return r -> f.apply(next(r));
    }

    /** A list of {@code min..max} values (size uniform). */
    default Gen<List<T>> list(int min, int max) {
      return r -> {
        int n = r.nextInt(min, max + 1);
        List<T> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          out.add(next(r));
        }
        return out;
      };
    }
  }

  /** The property: returns normally, or throws (an assertion failure or anything else). */
  @FunctionalInterface
  public interface Property<T> {
    void check(T value) throws Exception;
  }

  /** A generator with a relative weight, for {@link #frequency}. */
  public record Weighted<T>(int weight, Gen<? extends T> gen) {}

  private static long initialSeed() {
    String s = System.getProperty("braid.fuzz.seed");
    return s == null || s.isBlank() ? ThreadLocalRandom.current().nextLong() : Long.parseLong(s);
  }

  /** The seed of this run. */
  public static long seed() {
    return SEED;
  }

  /** How many tries a property declaring {@code declared} tries runs, given the overrides. */
  public static int tries(int declared) {
    String s = System.getProperty("braid.fuzz.tries");
    if (s == null || s.isBlank()) {
      return declared;
    }
    long n = Long.parseLong(s.trim());
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, n * declared / DEFAULT_TRIES));
  }

  /** Checks {@code property} on {@value #DEFAULT_TRIES} (see {@link #tries}) drawn values. */
  public static <T> void forAll(String name, Gen<T> gen, Property<? super T> property) {
    forAll(name, DEFAULT_TRIES, gen, property);
  }

  /** Checks {@code property} on {@code declaredTries} (see {@link #tries}) drawn values. */
  public static <T> void forAll(
      String name, int declaredTries, Gen<T> gen, Property<? super T> property) {
    int tries = tries(declaredTries);
    // One stream per property, so that adding a property does not change another's inputs.
    SplittableRandom root = new SplittableRandom(SEED ^ (0x9E3779B97F4A7C15L * name.hashCode()));
    for (int i = 1; i <= tries; i++) {
      SplittableRandom r = root.split();
      T value = gen.next(r);
      try {
        property.check(value);
      } catch (Throwable t) {
        throw new AssertionError(
            String.format(
                "%s failed on try %d of %d; seed %d (rerun with -Dbraid.fuzz.seed=%d)%ninput: %s",
                name, i, tries, SEED, SEED, describe(value)),
            t);
      }
    }
    System.out.printf("%s: %d tries passed (seed %d)%n", name, tries, SEED);
  }

  /** A readable, bounded rendering of an input: strings quoted and escaped, records by field. */
  public static String describe(Object value) {
    if (value instanceof String s) {
      StringBuilder sb = new StringBuilder("\"");
      int n = Math.min(s.length(), MAX_REPORTED_CHARS);
      for (int i = 0; i < n; i++) {
        char c = s.charAt(i);
        switch (c) {
          case '"' -> sb.append("\\\"");
          case '\\' -> sb.append("\\\\");
          case '\n' -> sb.append("\\n");
          case '\t' -> sb.append("\\t");
          default -> {
            if (c < ' ' || c > '~') {
              sb.append(String.format("\\u%04x", (int) c));
            } else {
              sb.append(c);
            }
          }
        }
      }
      sb.append('"');
      if (s.length() > n) {
        sb.append(" ... (").append(s.length()).append(" chars in all)");
      }
      return sb.toString();
    }
    if (value instanceof Record rec) {
      StringBuilder sb = new StringBuilder(rec.getClass().getSimpleName()).append('[');
      RecordComponent[] parts = rec.getClass().getRecordComponents();
      for (int i = 0; i < parts.length; i++) {
        Object part;
        try {
          var accessor = parts[i].getAccessor();
          accessor.setAccessible(true);
          part = accessor.invoke(rec);
        } catch (ReflectiveOperationException | RuntimeException e) {
          part = "<" + e + ">";
        }
        sb.append(i == 0 ? "" : ", ").append(parts[i].getName()).append('=').append(describe(part));
      }
      return sb.append(']').toString();
    }
    if (value instanceof List<?> list) {
      List<String> parts = new ArrayList<>();
      for (Object o : list) {
        parts.add(describe(o));
      }
      return parts.toString();
    }
    return String.valueOf(value);
  }

  // ---- generators -------------------------------------------------------------------------

  /** One of {@code values}, uniformly. */
  public static <T> Gen<T> of(List<? extends T> values) {
    List<? extends T> copy = List.copyOf(values);
    return r -> copy.get(r.nextInt(copy.size()));
  }

  @SafeVarargs
  public static <T> Gen<T> of(T... values) {
    List<T> all = new ArrayList<>(values.length);
    for (T v : values) {
      all.add(v);
    }
    return of(all);
  }

  /** The result of one of {@code gens}, chosen uniformly. */
  @SafeVarargs
  public static <T> Gen<T> oneOf(Gen<? extends T>... gens) {
    List<Gen<? extends T>> all = new ArrayList<>(gens.length);
    for (Gen<? extends T> g : gens) {
      all.add(g);
    }
    return r -> all.get(r.nextInt(all.size())).next(r);
  }

  /** The result of one of the generators, chosen in proportion to its weight. */
  @SafeVarargs
  public static <T> Gen<T> frequency(Weighted<T>... options) {
    List<Weighted<T>> all = new ArrayList<>(options.length);
    for (Weighted<T> w : options) {
      all.add(w);
    }
    int total = all.stream().mapToInt(Weighted::weight).sum();
    return r -> {
      int pick = r.nextInt(total);
      for (Weighted<T> w : all) {
        pick -= w.weight();
        if (pick < 0) {
          return w.gen().next(r);
        }
      }
      throw new IllegalStateException("unreachable");
    };
  }

  public static <T> Weighted<T> weight(int weight, Gen<? extends T> gen) {
    return new Weighted<>(weight, gen);
  }

  /** An int in {@code min..max} (inclusive); the bounds themselves now and then. */
  public static Gen<Integer> ints(int min, int max) {
    return r -> {
      int edge = r.nextInt(20);
      if (edge == 0) {
        return min;
      }
      if (edge == 1) {
        return max;
      }
      return (int) r.nextLong(min, (long) max + 1);
    };
  }

  /** Any int; 0, ±1, MIN_VALUE and MAX_VALUE now and then. */
  public static Gen<Integer> anyInt() {
    Gen<Integer> edges = of(0, 1, -1, Integer.MIN_VALUE, Integer.MAX_VALUE);
    return r -> r.nextInt(10) == 0 ? edges.next(r) : r.nextInt();
  }

  /** Any long; 0, ±1, MIN_VALUE and MAX_VALUE now and then, small values often. */
  public static Gen<Long> anyLong() {
    Gen<Long> edges = of(0L, 1L, -1L, Long.MIN_VALUE, Long.MAX_VALUE);
    return r ->
        switch (r.nextInt(10)) {
          case 0 -> edges.next(r);
          case 1, 2 -> r.nextLong(-1_000_000L, 1_000_001L);
          default -> r.nextLong();
        };
  }

  public static Gen<Boolean> booleans() {
    return SplittableRandom::nextBoolean;
  }

  /** A double in {@code [0, 1]}; 0 and 1 now and then. */
  public static Gen<Double> unitDoubles() {
    return r ->
        switch (r.nextInt(20)) {
          case 0 -> 0.0;
          case 1 -> 1.0;
          default -> r.nextDouble();
        };
  }

  /** A string of {@code 0..maxLength} chars in {@code from..to} (inclusive). */
  public static Gen<String> strings(int maxLength, char from, char to) {
    return strings(maxLength, r -> (char) r.nextInt(from, to + 1));
  }

  /**
   * A string of {@code 0..maxLength} chars of any kind: printable ASCII, control characters, other
   * BMP characters (lone surrogates included) and whole supplementary code points.
   */
  public static Gen<String> anyStrings(int maxLength) {
    return r -> {
      int n = r.nextInt(maxLength + 1);
      StringBuilder sb = new StringBuilder(n);
      while (sb.length() < n) {
        switch (r.nextInt(8)) {
          case 0 -> sb.append((char) r.nextInt(0, 0x20));
          case 1 -> sb.append((char) r.nextInt(0x80, 0x10000));
          case 2 -> {
            if (sb.length() + 2 <= n) {
              sb.appendCodePoint(r.nextInt(0x10000, 0x110000));
            }
          }
          default -> sb.append((char) r.nextInt(' ', '~' + 1));
        }
      }
      return sb.toString();
    };
  }

  private static Gen<String> strings(int maxLength, Gen<Character> chars) {
    return r -> {
      int n = r.nextInt(maxLength + 1);
      StringBuilder sb = new StringBuilder(n);
      for (int i = 0; i < n; i++) {
        sb.append(chars.next(r));
      }
      return sb.toString();
    };
  }
}
