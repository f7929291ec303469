package io.kinhub.redis.jobs;

import java.time.Duration;

/**
 * How a queue's workers behave.
 *
 * @param concurrency jobs one node runs at once for this queue
 * @param maxAttempts attempts before a job goes to the dead-letter stream (default 10)
 * @param baseBackoff delay before the second attempt; doubles per attempt, with ±50 % jitter
 * @param maxBackoff cap of the retry delay
 * @param visibilityTimeout a job held this long by a consumer that stopped renewing it is reclaimed
 *     (default 30 s)
 * @param block longest a read waits for new jobs ({@code XREADGROUP BLOCK}); bounded by design
 * @param streamCap approximate cap of the stream and dead-letter lengths
 * @param acknowledgedCap most acknowledged entries left in the stream for a later trim while an
 *     older job still runs; beyond it, acknowledged entries are deleted one by one (default 10,000)
 */
public record QueueSettings(
    int concurrency,
    int maxAttempts,
    Duration baseBackoff,
    Duration maxBackoff,
    Duration visibilityTimeout,
    Duration block,
    long streamCap,
    long acknowledgedCap) {

  public static QueueSettings defaults() {
    return new QueueSettings(
        16,
        10,
        Duration.ofSeconds(1),
        Duration.ofMinutes(10),
        Duration.ofSeconds(30),
        Duration.ofSeconds(2),
        1_000_000,
        10_000);
  }

  public QueueSettings {
    if (concurrency < 1 || maxAttempts < 1) {
      throw new IllegalArgumentException(
          "concurrency and maxAttempts must be at least 1 but were "
              + concurrency
              + " and "
              + maxAttempts);
    }
    if (block.isZero() || block.isNegative() || block.compareTo(Duration.ofSeconds(30)) > 0) {
      throw new IllegalArgumentException("block must be between 1 ms and 30 s but was " + block);
    }
    if (acknowledgedCap < 0) {
      throw new IllegalArgumentException(
          "acknowledgedCap must not be negative but was " + acknowledgedCap);
    }
  }

  public QueueSettings withConcurrency(int n) {
    return new QueueSettings(
        n,
        maxAttempts,
        baseBackoff,
        maxBackoff,
        visibilityTimeout,
        block,
        streamCap,
        acknowledgedCap);
  }

  public QueueSettings withRetries(int attempts, Duration base, Duration max) {
    return new QueueSettings(
        concurrency, attempts, base, max, visibilityTimeout, block, streamCap, acknowledgedCap);
  }

  public QueueSettings withVisibilityTimeout(Duration timeout) {
    return new QueueSettings(
        concurrency,
        maxAttempts,
        baseBackoff,
        maxBackoff,
        timeout,
        block,
        streamCap,
        acknowledgedCap);
  }

  public QueueSettings withAcknowledgedCap(long cap) {
    return new QueueSettings(
        concurrency,
        maxAttempts,
        baseBackoff,
        maxBackoff,
        visibilityTimeout,
        block,
        streamCap,
        cap);
  }

  /** Delay before attempt {@code nextAttempt}: exponential, capped, with jitter in [0.5, 1.5). */
  Duration backoff(int nextAttempt, double jitter) {
    double base = (double) baseBackoff.toMillis() * Math.pow(2, Math.max(0, nextAttempt - 2));
    double capped = Math.min(base, (double) maxBackoff.toMillis());
    return Duration.ofMillis(Math.max(1, Math.round(capped * (0.5 + jitter))));
  }
}
