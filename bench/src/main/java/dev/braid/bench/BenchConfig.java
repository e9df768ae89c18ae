package dev.braid.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

/**
 * What one bench run needs to know: where things are, and how long to measure.
 *
 * @param home the Braid checkout (holds {@code .venv} and {@code python-worker/})
 * @param python the interpreter for the baseline servers and process-per-call (the venv's, so every
 *     Python figure comes from the same interpreter as Braid's worker)
 * @param benchPython {@code bench/python/}: the helper scripts and the bench functions
 * @param outDir where results, logs and the profile go
 * @param quick shorter phases, for a smoke test of the harness (figures not comparable)
 * @param profile also run one throughput phase with the worker under cProfile
 * @param only the sections to run ({@code --only a,b}), or empty for all of them
 */
record BenchConfig(
    Path home,
    Path python,
    Path benchPython,
    Path outDir,
    boolean quick,
    boolean profile,
    Set<String> only) {

  static BenchConfig parse(String[] args) {
    Path home = Path.of("").toAbsolutePath();
    Path out = null;
    boolean quick = false;
    boolean profile = false;
    Set<String> only = Set.of();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--home" -> home = Path.of(args[++i]).toAbsolutePath().normalize();
        case "--out" -> out = Path.of(args[++i]).toAbsolutePath().normalize();
        case "--quick" -> quick = true;
        case "--profile" -> profile = true;
        case "--only" -> only = Set.of(args[++i].split(","));
        default -> throw new IllegalArgumentException("unknown argument: " + args[i]);
      }
    }
    Path python = home.resolve(".venv/bin/python");
    if (!Files.isExecutable(python)) {
      throw new IllegalArgumentException("no Python venv at " + python + " (run ./braid once)");
    }
    if (out == null) {
      out = home.resolve("bench/out");
    }
    return new BenchConfig(home, python, home.resolve("bench/python"), out, quick, profile, only);
  }

  /** Whether section {@code name} runs: all do unless {@code --only} names some. */
  boolean runs(String name) {
    return only.isEmpty() || only.contains(name);
  }

  /** A measurement phase: full length, or a fifth of it with {@code --quick}. */
  Duration phase(Duration full) {
    return quick ? full.dividedBy(5) : full;
  }

  /** How often a throughput sweep is repeated (the best run counts). */
  int rounds() {
    return quick ? 1 : 2;
  }

  /** A sample count: full, or a tenth of it with {@code --quick}. */
  int samples(int full) {
    return quick ? Math.max(10, full / 10) : full;
  }
}
