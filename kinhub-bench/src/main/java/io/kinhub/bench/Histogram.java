package io.kinhub.bench;

/**
 * A latency histogram with logarithmic buckets of 2 % width (1 µs to hours), cheap enough to record
 * every request of a load run. Not thread-safe: one per worker, merged at the end.
 */
final class Histogram {
  private static final double STEP = Math.log(1.02);
  private final long[] counts = new long[1300];
  private long total;

  void recordNanos(long nanos) {
    double micros = nanos / 1000.0;
    int i = micros <= 1 ? 0 : Math.min(counts.length - 1, (int) (Math.log(micros) / STEP) + 1);
    counts[i]++;
    total++;
  }

  void merge(Histogram other) {
    for (int i = 0; i < counts.length; i++) {
      counts[i] += other.counts[i];
    }
    total += other.total;
  }

  long count() {
    return total;
  }

  /** The q-quantile (0 < q <= 1) in milliseconds, within 2 %; NaN when empty. */
  double quantileMs(double q) {
    if (total == 0) {
      return Double.NaN;
    }
    long rank = Math.max(1, (long) Math.ceil(q * total));
    long seen = 0;
    for (int i = 0; i < counts.length; i++) {
      seen += counts[i];
      if (seen >= rank) {
        double micros = i == 0 ? 1 : Math.exp((i - 0.5) * STEP);
        return micros / 1000.0;
      }
    }
    return Double.NaN;
  }
}
