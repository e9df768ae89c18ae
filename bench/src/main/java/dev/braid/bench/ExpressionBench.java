package dev.braid.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.braid.gateway.workflow.expr.Bindings;
import dev.braid.gateway.workflow.expr.Expression;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * The cost of one {@code ${{ }}} expression: parsing it (once per workflow read) and evaluating it
 * (once per use), single-threaded, in a loop after a warm-up; the median of 5 rounds. It uses only
 * {@link Expression#parse} and {@link Expression#evaluate}, so the same class measures any
 * implementation of that API (it was run against the hand-written language before CEL, compiled
 * from git, for bench/README.md's figures).
 *
 * <pre>
 * java -cp bench/target/braid-bench.jar dev.braid.bench.ExpressionBench
 * </pre>
 */
public final class ExpressionBench {
  /** Expressions both languages read the same way. */
  private static final List<String> EXPRESSIONS =
      List.of(
          "steps.profile.id",
          "steps.a.x + 1",
          "steps.a.x > 40 && input.n == 2",
          "len(steps.a.items) > 2",
          "default(steps.a.missing, 0)");

  private static final int ROUNDS = 5;

  private ExpressionBench() {}

  public static void main(String[] args) throws Exception {
    ObjectMapper json = new ObjectMapper();
    Bindings values =
        Bindings.of(
            Map.of(
                "input", json.readTree("{\"n\": 2}"),
                "steps",
                    json.readTree(
                        "{\"profile\": {\"id\": 7}, \"a\": {\"x\": 41, \"items\": [1, 2, 3]}}")));
    List<String> extra = List.of(args);
    List<String> all = new ArrayList<>(EXPRESSIONS);
    all.addAll(extra);
    System.out.printf(
        "%-42s %10s %14s %12s%n", "expression", "parse µs", "first eval µs", "evaluate µs");
    for (String source : all) {
      double parse = median(() -> Expression.parse(source), 2_000);
      // a new expression's first evaluation, where an implementation may compile it (each text
      // differs by trailing spaces, so that no cache of compiled texts serves it)
      int[] k = {0};
      double first =
          median(() -> Expression.parse(source + " ".repeat(k[0]++ % 1000)).evaluate(values), 300)
              - parse;
      Expression e = Expression.parse(source);
      JsonNode check = e.evaluate(values);
      double eval = median(() -> e.evaluate(values), 200_000);
      System.out.printf("%-42s %10.2f %14.2f %12.3f   (= %s)%n", source, parse, first, eval, check);
    }
  }

  private static double median(Runnable op, int n) {
    for (int i = 0; i < n; i++) {
      op.run(); // warm-up
    }
    List<Double> rounds = new ArrayList<>();
    for (int r = 0; r < ROUNDS; r++) {
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        op.run();
      }
      rounds.add((System.nanoTime() - t0) / 1e3 / n);
    }
    Collections.sort(rounds);
    return rounds.get(ROUNDS / 2);
  }
}
