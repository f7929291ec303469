package io.kinhub.server.feed;

import io.kinhub.redis.script.LuaScript;
import io.kinhub.redis.script.Scripts;
import io.lettuce.core.ScriptOutputType;
import java.time.Duration;
import java.util.List;

/**
 * Which node flushes counters now: a lease in Redis (one Lua script: take it when free, renew it when ours).
 * It only keeps the flush to one node at a time for efficiency; correctness does not depend on it, because a
 * flush writes absolute values and clears a dirty mark only if the value is still the flushed one. This is the one
 * place to switch to kinhub-redis' fenced locks once they exist.
 */
final class FlushLease {
  private static final LuaScript LEASE = LuaScript.fromResource(FlushLease.class, "feed_lease.lua");

  private final Scripts scripts;
  private final String key;
  private final String holder;
  private final Duration ttl;

  FlushLease(Scripts scripts, String key, String holder, Duration ttl) {
    this.scripts = scripts;
    this.key = key;
    this.holder = holder;
    this.ttl = ttl;
  }

  /** True when this node holds the lease for the next {@code ttl}. */
  boolean tryHold() {
    Long held = scripts.run(LEASE, ScriptOutputType.INTEGER, List.of(key), holder, Long.toString(ttl.toMillis()));
    return held == 1L;
  }
}
