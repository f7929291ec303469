package io.kinhub.redis.lock;

/**
 * A lease with a fencing token: a number issued atomically with the lock, larger than that of every
 * earlier holder of the same lock. Pass it with every write made under the lock and let the storage
 * refuse a write whose fence is lower than one it has already seen (for example {@code UPDATE ...
 * WHERE fence <= :fence}). A holder that was paused past its expiry then cannot overwrite the work
 * of the holder that followed.
 */
public interface FencedLease extends Lease {

  /**
   * This holder's fencing token; strictly larger than every earlier holder's of the same lock name.
   */
  long fence();
}
