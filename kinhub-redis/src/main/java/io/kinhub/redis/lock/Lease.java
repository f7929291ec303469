package io.kinhub.redis.lock;

import java.time.Duration;

/**
 * A held lock: the right to act alone on one named resource until the lease ends. Close it when the
 * work is done (try-with-resources); closing releases the lock in Redis if this holder still owns
 * it and stops its watchdog.
 *
 * <p>A lease can end without the holder's help: its time to live runs out (the process paused, the
 * network was slow, the watchdog could not renew), or Redis lost the key. {@link #isHeld()} answers
 * conservatively from this process's own clock, but no lock service can stop a holder that is
 * paused between checking and acting. Writes that must never come from a stale holder carry a
 * fencing token ({@link FencedLease#fence()}) that the storage checks.
 */
public interface Lease extends AutoCloseable {

  /** The lock's name, as given when acquiring. */
  String name();

  /** This holder's random owner token; only the owner may extend or release. */
  String token();

  /**
   * True while this process may still believe it holds the lock: not released, not lost, and the
   * time to live (counted from before the acquire or last renewal was sent, minus an allowance for
   * clock drift) has not run out. False is final.
   */
  boolean isHeld();

  /** How long the lease is known to last from now, or zero once it no longer holds. */
  Duration remaining();

  /**
   * Throws {@link LockLostException} unless {@link #isHeld()}; call it right before a side effect
   * that must not happen without the lock.
   */
  default void ensureHeld() {
    if (!isHeld()) {
      throw new LockLostException(name());
    }
  }

  /**
   * Resets the time to live to the one the lease was taken with, if this holder still owns the
   * lock. False means the lock is lost (and the lease is marked so); a Redis failure surfaces as
   * {@link io.kinhub.redis.RedisUnavailableException} and leaves the lease as it was.
   */
  boolean extend();

  /**
   * Releases the lock if this holder still owns it, stops the watchdog and frees waiters in this
   * process. Returns true when the lock was still this holder's. Calling it again returns false.
   */
  boolean release();

  /**
   * Releases without waiting for Redis's answer (a Redis failure is swallowed: the key expires by
   * itself), stops the watchdog and lets the next caller of this process in. Use {@link #release()}
   * to learn whether the lock was still this holder's.
   */
  @Override
  void close();
}
