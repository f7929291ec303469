package io.kinhub.redis.lock;

/**
 * The lock is no longer held: released, expired, or taken over; the holder must stop acting on it.
 */
public final class LockLostException extends RuntimeException {
  public LockLostException(String name) {
    super("lock '" + name + "' is no longer held");
  }
}
