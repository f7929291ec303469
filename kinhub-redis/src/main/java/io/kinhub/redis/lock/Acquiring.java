package io.kinhub.redis.lock;

import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * The try-until loop shared by the lock services: local gate first, then attempts with jittered
 * backoff.
 */
final class Acquiring {
  private static final long FIRST_BACKOFF = 2_000_000;
  private static final long MAX_BACKOFF = 100_000_000;

  /**
   * One attempt: a lease (which must run {@code onEnd} when it ends), or null with a hint how long
   * to wait.
   */
  interface Attempt<L> {
    L run(Runnable onEnd, long[] retryHintNanos);
  }

  private Acquiring() {}

  static void checkName(String name) {
    if (name == null
        || name.isEmpty()
        || name.length() > 200
        || name.indexOf('{') >= 0
        || name.indexOf('}') >= 0) {
      throw new IllegalArgumentException("a lock name is 1 to 200 characters without braces");
    }
  }

  static <L> Optional<L> acquire(
      Gates gates, String name, LockOptions options, Attempt<L> attempt) {
    checkName(name);
    long deadline = System.nanoTime() + options.maxWait().toNanos();
    Runnable leave;
    try {
      leave = gates.pass(name, options.maxWait().toNanos());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
    if (leave == null) {
      return Optional.empty();
    }
    boolean handedOver = false;
    try {
      long backoff = FIRST_BACKOFF;
      long[] hint = new long[1];
      while (true) {
        hint[0] = 0;
        L lease = attempt.run(leave, hint);
        if (lease != null) {
          handedOver = true;
          return Optional.of(lease);
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return Optional.empty();
        }
        long jittered = backoff / 2 + ThreadLocalRandom.current().nextLong(backoff / 2 + 1);
        long sleep = Math.min(left, hint[0] > 0 ? Math.min(jittered, hint[0]) : jittered);
        LockSupport.parkNanos(sleep);
        if (Thread.currentThread().isInterrupted()) {
          return Optional.empty();
        }
        backoff = Math.min(backoff * 2, MAX_BACKOFF);
      }
    } finally {
      if (!handedOver) {
        leave.run();
      }
    }
  }
}
