package io.kinhub.redis.lock;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every lease shares: its state, its validity on the local monotonic clock, and its watchdog.
 */
abstract class AbstractLease implements Lease {
  private static final Logger log = LoggerFactory.getLogger(AbstractLease.class);
  private static final int HELD = 0;
  private static final int RELEASED = 1;
  private static final int LOST = 2;

  private final String name;
  private final String token;
  private final LockOptions options;
  private final Runnable onEnd;
  private final AtomicInteger state = new AtomicInteger(HELD);
  private final AtomicBoolean renewing = new AtomicBoolean();
  private volatile long validUntil;
  private volatile ScheduledFuture<?> watch;
  private volatile Runnable unwatch;

  /**
   * @param sentAt when the acquiring request was sent ({@link System#nanoTime()}): validity counts
   *     from there
   * @param onEnd run exactly once when the lease ends (released or lost): reopens the local gate
   */
  AbstractLease(String name, String token, LockOptions options, long sentAt, Runnable onEnd) {
    this.name = name;
    this.token = token;
    this.options = options;
    this.onEnd = onEnd;
    this.validUntil = sentAt + validityNanos(options.ttl());
  }

  /**
   * The time to live less an allowance for the two clocks (this process's and Redis's) running at
   * slightly different rates: 1% of the time to live plus 2 ms, as the Redlock description
   * suggests.
   */
  static long validityNanos(Duration ttl) {
    long ttlNanos = ttl.toNanos();
    return ttlNanos - ttlNanos / 100 - 2_000_000;
  }

  /** Asks the lock service to reset the time to live; true if this holder still owned the lock. */
  abstract boolean extendNow();

  /** {@link #extendNow()} without blocking the watchdog's thread. */
  abstract CompletionStage<Boolean> extendAsync();

  /** Asks the lock service to delete the lock if this holder owns it; true if it did. */
  abstract boolean releaseNow();

  /** {@link #releaseNow()} without waiting for the answer; failures are only logged. */
  abstract void releaseInBackground();

  final LockOptions options() {
    return options;
  }

  @Override
  public final String name() {
    return name;
  }

  @Override
  public final String token() {
    return token;
  }

  @Override
  public final boolean isHeld() {
    return state.get() == HELD && System.nanoTime() - validUntil < 0;
  }

  @Override
  public final Duration remaining() {
    long left = validUntil - System.nanoTime();
    return state.get() == HELD && left > 0 ? Duration.ofNanos(left) : Duration.ZERO;
  }

  @Override
  public final boolean extend() {
    if (state.get() != HELD) {
      return false;
    }
    long sent = System.nanoTime();
    if (extendNow()) {
      validUntil = sent + validityNanos(options.ttl());
      return true;
    }
    markLost();
    return false;
  }

  @Override
  public final boolean release() {
    if (!state.compareAndSet(HELD, RELEASED)) {
      return false;
    }
    try {
      return releaseNow();
    } finally {
      end();
    }
  }

  /**
   * Sends the release and returns without waiting for Redis's answer. The release is dispatched
   * before the local gate reopens, so the next caller of this process, whose acquire goes over the
   * same connection, reaches Redis after it; until Redis has run it, the lock is merely held a
   * little longer, which is safe.
   */
  @Override
  public final void close() {
    if (!state.compareAndSet(HELD, RELEASED)) {
      return;
    }
    try {
      releaseInBackground();
    } catch (RuntimeException e) {
      log.debug("releasing lock '{}' failed; it expires by itself: {}", name, e.toString());
    } finally {
      end();
    }
  }

  /** Starts renewing every third of the time to live. */
  final void watch(ScheduledExecutorService timer, Runnable onUnwatch) {
    long period = options.ttl().toNanos() / 3;
    this.unwatch = onUnwatch;
    watch = timer.scheduleWithFixedDelay(this::renew, period, period, TimeUnit.NANOSECONDS);
  }

  private void renew() {
    if (state.get() != HELD) {
      return;
    }
    if (!renewing.compareAndSet(false, true)) {
      // the previous renewal has not answered yet; give up once the lease has run out without it
      if (System.nanoTime() - validUntil >= 0) {
        markLost();
      }
      return;
    }
    long sent = System.nanoTime();
    CompletionStage<Boolean> reply;
    try {
      reply = extendAsync();
    } catch (RuntimeException e) {
      renewing.set(false);
      failedRenewal(e);
      return;
    }
    reply.whenComplete(
        (extended, error) -> {
          renewing.set(false);
          if (error != null) {
            failedRenewal(error);
          } else if (extended) {
            validUntil = sent + validityNanos(options.ttl());
          } else {
            markLost();
          }
        });
  }

  private void failedRenewal(Throwable error) {
    if (System.nanoTime() - validUntil >= 0) {
      log.warn("lock '{}' lost: renewals failed until it ran out ({})", name, error.toString());
      markLost();
    }
  }

  private void markLost() {
    if (!state.compareAndSet(HELD, LOST)) {
      return;
    }
    end();
    try {
      options.onLost().accept(this);
    } catch (RuntimeException e) {
      log.warn("onLost of lock '{}' threw {}", name, e.toString());
    }
  }

  private void end() {
    ScheduledFuture<?> w = watch;
    if (w != null) {
      w.cancel(false);
      Runnable u = unwatch;
      if (u != null) {
        u.run();
      }
    }
    onEnd.run();
  }
}
