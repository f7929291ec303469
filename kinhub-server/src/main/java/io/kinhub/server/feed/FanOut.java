package io.kinhub.server.feed;

import io.kinhub.redis.connection.RedisConnections;
import io.kinhub.redis.script.LuaScript;
import io.kinhub.redis.script.Scripts;
import io.lettuce.core.ScriptOutputType;
import java.util.ArrayList;
import java.util.List;

/**
 * Adds one post to a batch of timelines with one Lua script ({@code feed_fanout.lua}): idempotent,
 * since adding a member that is already there changes nothing, so a batch run again after its
 * worker died duplicates nothing. Only built timelines (or ones being rebuilt) get it; expired ones
 * are rebuilt from PostgreSQL on their user's return.
 */
public final class FanOut {
  private static final LuaScript FANOUT = LuaScript.fromResource(FanOut.class, "feed_fanout.lua");

  private final Scripts scripts;
  private final FeedKeys keys;
  private final int cap;

  public FanOut(RedisConnections redis, int cap) {
    this.scripts = new Scripts(redis);
    this.keys = new FeedKeys(redis);
    this.cap = cap;
  }

  /** Adds the post to the timelines of {@code users}; returns how many did not have it yet. */
  public long add(long postId, List<String> users) {
    if (users.isEmpty()) {
      return 0;
    }
    List<String> k = new ArrayList<>(users.size() * 2);
    for (String u : users) {
      long id = Long.parseLong(u);
      k.add(keys.timeline(id));
      k.add(keys.rebuildFlag(id));
    }
    Long added =
        scripts.run(
            FANOUT, ScriptOutputType.INTEGER, k, Long.toString(postId), Integer.toString(cap));
    return added;
  }

  /** A batch job's payload: {@code batch|<post>|<user>,<user>,...}. */
  public static String batchPayload(long postId, List<Long> users) {
    return "batch|" + postId + "|" + String.join(",", users.stream().map(String::valueOf).toList());
  }

  /** The timeline key of a user (for tests and benchmarks that inspect Redis). */
  public String timelineKey(long user) {
    return keys.timeline(user);
  }
}
