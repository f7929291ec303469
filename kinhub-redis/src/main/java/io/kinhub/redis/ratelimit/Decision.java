package io.kinhub.redis.ratelimit;

import java.time.Duration;
import java.util.List;

/**
 * The outcome of one rate-limit decision.
 *
 * @param allowed whether every bucket had the tokens (and all were charged)
 * @param retryAfter when refused: how long until the request would fit; {@link #NEVER} when it
 *     never can
 * @param buckets per bucket, in the order asked: tokens left and time until full again
 */
public record Decision(boolean allowed, Duration retryAfter, List<BucketState> buckets) {
  /** A request larger than a bucket's capacity. */
  public static final Duration NEVER = Duration.ofDays(365);

  /** One bucket's state after the decision. */
  public record BucketState(Bucket bucket, long remaining, Duration untilFull) {}

  /** {@code Retry-After} in whole seconds, rounded up, at least 1 when refused. */
  public long retryAfterSeconds() {
    if (allowed) {
      return 0;
    }
    long micros = retryAfter.toNanos() / 1000;
    return Math.max(1, (micros + 999_999) / 1_000_000);
  }
}
