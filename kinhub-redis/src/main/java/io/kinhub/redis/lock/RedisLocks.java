package io.kinhub.redis.lock;

import io.kinhub.redis.RedisUnavailableException;
import io.kinhub.redis.connection.RedisConnections;
import io.kinhub.redis.script.LuaScript;
import io.kinhub.redis.script.Scripts;
import io.lettuce.core.ScriptOutputType;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Named locks on one Redis (or one Redis master with replicas), each acquisition issuing a fencing
 * token.
 *
 * <p>Acquiring is one Lua script: {@code SET NX PX} of a random owner token and, only if that
 * succeeded, the next fence of the lock's counter, so no two holders ever get the same fence and a
 * later holder always gets a larger one. Extending and releasing are compare-and-act scripts that
 * touch the key only while it still holds the caller's token. Keys are {@code
 * <prefix>lock:{<name>}} and {@code <prefix>lock:{<name>}:fence}, which share a Redis Cluster hash
 * tag.
 *
 * <p>With replicas, an acquisition waits for one of them to have the lock and the counter ({@link
 * RedisConnections#awaitReplication}, as configured in the connection's settings) before it
 * returns.
 *
 * <p>Callers in this process that want the same lock queue locally (fairly) and only one of them
 * asks Redis at a time. Locks are not reentrant: a thread that asks again for a lock it holds waits
 * like anyone else.
 *
 * <p>A lock expires even while its holder still works, if the holder does not renew it in time (a
 * paused process, a slow network, a failover that lost the key). Use {@link FencedLease#fence()} to
 * make such a stale holder harmless where it writes.
 */
public final class RedisLocks implements AutoCloseable {
  private static final LuaScript ACQUIRE =
      LuaScript.fromResource(RedisLocks.class, "/io/kinhub/redis/lua/lock_acquire.lua");
  static final LuaScript RELEASE =
      LuaScript.fromResource(RedisLocks.class, "/io/kinhub/redis/lua/lock_release.lua");
  static final LuaScript EXTEND =
      LuaScript.fromResource(RedisLocks.class, "/io/kinhub/redis/lua/lock_extend.lua");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final RedisConnections redis;
  private final Scripts scripts;
  private final Gates gates = new Gates();
  private final ScheduledExecutorService watchdog =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().daemon().name("kinhub-lock-watchdog").factory());
  private final AtomicInteger watched = new AtomicInteger();

  public RedisLocks(RedisConnections redis) {
    this.redis = redis;
    this.scripts = new Scripts(redis);
  }

  /**
   * Takes the lock {@code name}, trying for up to {@code options.maxWait()}. Empty when another
   * holder kept it that long (or the waiting thread was interrupted, whose flag is then set again).
   *
   * @throws RedisUnavailableException when Redis cannot answer; the caller does not hold the lock
   */
  public Optional<FencedLease> tryAcquire(String name, LockOptions options) {
    String lockKey = redis.key("lock:{" + name + "}");
    String fenceKey = lockKey + ":fence";
    String ttl = Long.toString(options.ttl().toMillis());
    return Acquiring.acquire(
        gates,
        name,
        options,
        (onEnd, hint) -> {
          String token = newToken();
          long sent = System.nanoTime();
          List<Object> reply;
          try {
            reply =
                scripts.run(
                    ACQUIRE, ScriptOutputType.MULTI, List.of(lockKey, fenceKey), token, ttl);
          } catch (RedisUnavailableException e) {
            // the script may have run even though its answer was lost: free the lock if it is ours
            scripts.runAsync(RELEASE, ScriptOutputType.INTEGER, List.of(lockKey), token);
            throw e;
          }
          long fence = Long.parseLong(String.valueOf(reply.get(0)));
          if (fence == 0) {
            hint[0] = ((Number) reply.get(1)).longValue() * 1_000_000;
            return null;
          }
          try {
            // the lock and its fence counter reach a replica before the holder acts, so a failover
            // right after
            // does not hand the lock out again (returns at once when the master has no replica)
            redis.awaitReplication(lockKey, fenceKey);
          } catch (RedisUnavailableException e) {
            scripts.runAsync(RELEASE, ScriptOutputType.INTEGER, List.of(lockKey), token);
            throw e;
          }
          Lease lease = new Held(name, token, options, sent, onEnd, lockKey, fence);
          if (options.watchdog()) {
            watched.incrementAndGet();
            ((Held) lease).watch(watchdog, watched::decrementAndGet);
          }
          return (FencedLease) lease;
        });
  }

  /** Leases this instance is renewing right now. */
  public int watchedLeases() {
    return watched.get();
  }

  /** Local gates in use (callers holding or waiting for a lock in this process). */
  int gatesInUse() {
    return gates.size();
  }

  /** Stops the watchdog; leases still held then expire after their time to live. */
  @Override
  public void close() {
    watchdog.shutdownNow();
  }

  static String newToken() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  private final class Held extends AbstractLease implements FencedLease {
    private final String lockKey;
    private final long fence;

    Held(
        String name,
        String token,
        LockOptions options,
        long sent,
        Runnable onEnd,
        String lockKey,
        long fence) {
      super(name, token, options, sent, onEnd);
      this.lockKey = lockKey;
      this.fence = fence;
    }

    @Override
    public long fence() {
      return fence;
    }

    @Override
    boolean extendNow() {
      Long r =
          scripts.run(
              EXTEND,
              ScriptOutputType.INTEGER,
              List.of(lockKey),
              token(),
              Long.toString(options().ttl().toMillis()));
      return r == 1L;
    }

    @Override
    CompletionStage<Boolean> extendAsync() {
      return scripts
          .<Long>runAsync(
              EXTEND,
              ScriptOutputType.INTEGER,
              List.of(lockKey),
              token(),
              Long.toString(options().ttl().toMillis()))
          .thenApply(r -> r == 1L);
    }

    @Override
    boolean releaseNow() {
      Long r = scripts.run(RELEASE, ScriptOutputType.INTEGER, List.of(lockKey), token());
      return r == 1L;
    }

    @Override
    void releaseInBackground() {
      scripts.runAsync(RELEASE, ScriptOutputType.INTEGER, List.of(lockKey), token());
    }

    @Override
    public String toString() {
      return "lease of '" + name() + "' (fence " + fence + ")";
    }
  }
}
