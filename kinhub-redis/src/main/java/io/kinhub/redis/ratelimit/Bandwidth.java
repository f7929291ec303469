package io.kinhub.redis.ratelimit;

import java.time.Duration;

/**
 * A token bucket's shape: it holds at most {@code capacity} tokens and refills continuously at
 * {@code capacity} tokens per {@code period} ("10 per minute" = capacity 10, one token every 6 s).
 */
public record Bandwidth(long capacity, Duration period) {
  public Bandwidth {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1 but was " + capacity);
    }
    if (period.toMillis() < 1) {
      throw new IllegalArgumentException("period must be at least 1 ms but was " + period);
    }
  }

  public static Bandwidth of(long capacity, Duration period) {
    return new Bandwidth(capacity, period);
  }

  /** Microseconds between two tokens. */
  double intervalMicros() {
    return period.toNanos() / 1000.0 / capacity;
  }

  /** Seconds in the period, for {@code RateLimit-Policy}'s {@code w}. */
  public long windowSeconds() {
    return Math.max(1, period.toSeconds());
  }
}
