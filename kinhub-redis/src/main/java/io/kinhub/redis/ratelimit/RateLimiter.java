package io.kinhub.redis.ratelimit;

import io.kinhub.redis.RedisUnavailableException;
import io.kinhub.redis.connection.RedisConnections;
import io.kinhub.redis.script.LuaScript;
import io.kinhub.redis.script.Scripts;
import io.lettuce.core.ScriptOutputType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Token-bucket rate limiting on Redis: one decision is one {@code EVALSHA} of one Lua script, which
 * reads the time from Redis ({@code TIME}) and charges every bucket of the decision or none.
 *
 * <p>Keys of one decision must share a Redis Cluster hash tag. This limiter puts every bucket of a
 * <em>group</em> (a policy) under the tag {@code {rl:<group>}}: a decision may then combine any
 * buckets of its group (per phone and per IP, say) atomically, at the price that one group's keys
 * live on one cluster node. Different groups spread over the cluster.
 */
public final class RateLimiter {
  private static final LuaScript SCRIPT =
      LuaScript.fromResource(RateLimiter.class, "/io/kinhub/redis/lua/ratelimit.lua");

  private final RedisConnections redis;
  private final Scripts scripts;

  public RateLimiter(RedisConnections redis) {
    this.redis = redis;
    this.scripts = new Scripts(redis);
  }

  /**
   * Takes {@code tokens} from every bucket, or from none.
   *
   * @throws RedisUnavailableException when Redis cannot decide; the caller chooses to fail open or
   *     closed
   */
  public Decision tryConsume(String group, List<Bucket> buckets, long tokens) {
    if (buckets.isEmpty()) {
      throw new IllegalArgumentException("a decision needs at least one bucket");
    }
    if (tokens < 1) {
      throw new IllegalArgumentException("tokens must be at least 1 but was " + tokens);
    }
    List<String> keys = new ArrayList<>(buckets.size());
    String[] args = new String[1 + 2 * buckets.size()];
    args[0] = Long.toString(tokens);
    int i = 1;
    for (Bucket bucket : buckets) {
      keys.add(redis.key("{rl:" + group + "}:" + bucket.name() + ":" + bucket.key()));
      args[i++] = Long.toString(bucket.bandwidth().capacity());
      args[i++] = Double.toString(bucket.bandwidth().intervalMicros());
    }
    List<Long> reply = scripts.run(SCRIPT, ScriptOutputType.MULTI, keys, args);
    boolean allowed = reply.get(0) == 1L;
    long retryMicros = reply.get(1);
    List<Decision.BucketState> states = new ArrayList<>(buckets.size());
    for (int b = 0; b < buckets.size(); b++) {
      long remaining = reply.get(2 + 2 * b);
      long untilFull = Math.max(0, reply.get(3 + 2 * b));
      states.add(
          new Decision.BucketState(buckets.get(b), remaining, Duration.ofNanos(untilFull * 1000)));
    }
    Duration retry =
        allowed
            ? Duration.ZERO
            : retryMicros < 0 ? Decision.NEVER : Duration.ofNanos(retryMicros * 1000);
    return new Decision(allowed, retry, List.copyOf(states));
  }
}
