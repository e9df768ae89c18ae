package dev.braid.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;

/**
 * Latency percentiles computed from every recorded sample (nanoseconds), HdrHistogram-style but
 * exact: the samples are sorted and read by nearest rank. Figures are in microseconds.
 */
record Latency(
    int count,
    double minUs,
    double p50Us,
    double p90Us,
    double p99Us,
    double p999Us,
    double maxUs,
    double meanUs) {

  static Latency of(long[] nanos) {
    if (nanos.length == 0) {
      throw new IllegalArgumentException("no samples");
    }
    long[] s = nanos.clone();
    Arrays.sort(s);
    double sum = 0;
    for (long v : s) {
      sum += v;
    }
    return new Latency(
        s.length,
        us(s[0]),
        us(rank(s, 50)),
        us(rank(s, 90)),
        us(rank(s, 99)),
        us(rank(s, 99.9)),
        us(s[s.length - 1]),
        sum / s.length / 1e3);
  }

  /** Nearest-rank percentile of sorted samples. */
  private static long rank(long[] sorted, double percentile) {
    int i = (int) Math.ceil(percentile / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }

  private static double us(long nanos) {
    return nanos / 1e3;
  }

  ObjectNode toJson(ObjectMapper json) {
    return json.createObjectNode()
        .put("count", count)
        .put("min_us", minUs)
        .put("p50_us", p50Us)
        .put("p90_us", p90Us)
        .put("p99_us", p99Us)
        .put("p999_us", p999Us)
        .put("max_us", maxUs)
        .put("mean_us", meanUs);
  }
}
