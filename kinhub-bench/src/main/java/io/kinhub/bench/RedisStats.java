package io.kinhub.bench;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads {@code INFO commandstats} from the shared Redis (counts of every command Redis executed,
 * including those a Lua script issued). The reading connection is opened once, before any snapshot,
 * so its hand-shake is not counted; each snapshot is one {@code INFO} call, which shows up in the
 * next delta.
 */
final class RedisStats implements AutoCloseable {
  private final RedisClient client;
  private final StatefulRedisConnection<String, String> connection;

  RedisStats(String url) {
    RedisURI uri = RedisURI.create(url);
    uri.setTimeout(Duration.ofSeconds(5));
    this.client = RedisClient.create(uri);
    this.connection = client.connect();
  }

  /** Calls per command name ({@code get}, {@code evalsha}, {@code client|setinfo}, ...). */
  Map<String, Long> snapshot() {
    return read().calls();
  }

  /** One {@code INFO commandstats} reading: calls and microseconds spent, per command name. */
  record Reading(Map<String, Long> calls, Map<String, Long> usec) {}

  /** Calls and microseconds per command name, from one {@code INFO commandstats}. */
  Reading read() {
    String info = connection.sync().info("commandstats");
    Map<String, Long> calls = new TreeMap<>();
    Map<String, Long> usec = new TreeMap<>();
    for (String line : info.split("\r?\n")) {
      // cmdstat_get:calls=12,usec=34,usec_per_call=2.83,rejected_calls=0,failed_calls=0
      if (!line.startsWith("cmdstat_")) {
        continue;
      }
      int colon = line.indexOf(':');
      String name = line.substring("cmdstat_".length(), colon);
      for (String field : line.substring(colon + 1).split(",")) {
        if (field.startsWith("calls=")) {
          calls.put(name, Long.parseLong(field.substring("calls=".length())));
        } else if (field.startsWith("usec=")) {
          usec.put(name, Long.parseLong(field.substring("usec=".length())));
        }
      }
    }
    return new Reading(calls, usec);
  }

  /** after - before, per command, leaving out zeros. */
  static Map<String, Long> delta(Map<String, Long> before, Map<String, Long> after) {
    Map<String, Long> d = new TreeMap<>();
    after.forEach(
        (name, n) -> {
          long diff = n - before.getOrDefault(name, 0L);
          if (diff != 0) {
            d.put(name, diff);
          }
        });
    return d;
  }

  static long total(Map<String, Long> delta) {
    return delta.values().stream().mapToLong(Long::longValue).sum();
  }

  @Override
  public void close() {
    connection.close();
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
  }
}
