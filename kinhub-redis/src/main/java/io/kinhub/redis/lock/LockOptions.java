package io.kinhub.redis.lock;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * How to take a lock.
 *
 * @param ttl how long the lock lasts unless extended; with a watchdog, how long it outlives a
 *     holder that died
 * @param maxWait how long {@code tryAcquire} keeps trying while another holder has it; zero tries
 *     once
 * @param watchdog whether to renew the lease every {@code ttl / 3} until it is released or a
 *     renewal is refused
 * @param onLost called once, on the watchdog's thread, when the watchdog learns the lock is lost
 *     (refused, or Redis unreachable until the lease ran out); keep it short: set a flag, interrupt
 *     the worker
 */
public record LockOptions(
    Duration ttl, Duration maxWait, boolean watchdog, Consumer<Lease> onLost) {
  /**
   * Shortest time to live: the watchdog renews every third of it and a Redis round trip must fit.
   */
  public static final Duration MIN_TTL = Duration.ofMillis(30);

  public LockOptions {
    Objects.requireNonNull(ttl, "ttl");
    Objects.requireNonNull(maxWait, "maxWait");
    Objects.requireNonNull(onLost, "onLost");
    if (ttl.compareTo(MIN_TTL) < 0) {
      throw new IllegalArgumentException(
          "ttl must be at least " + MIN_TTL.toMillis() + " ms but was " + ttl);
    }
    if (maxWait.isNegative()) {
      throw new IllegalArgumentException("maxWait must not be negative but was " + maxWait);
    }
  }

  /**
   * A single attempt, no watchdog: the lock ends after {@code ttl} unless extended or released
   * earlier.
   */
  public static LockOptions ttl(Duration ttl) {
    return new LockOptions(ttl, Duration.ZERO, false, lease -> {});
  }

  /** Keeps trying for up to {@code wait} (with backoff) while the lock is taken. */
  public LockOptions waitingUpTo(Duration wait) {
    return new LockOptions(ttl, wait, watchdog, onLost);
  }

  /** Renews the lease in the background while held; {@code onLost} hears when it could not. */
  public LockOptions watched(Consumer<Lease> onLost) {
    return new LockOptions(ttl, maxWait, true, onLost);
  }
}
