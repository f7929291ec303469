package io.kinhub.redis.connection;

import java.time.Duration;
import java.util.Objects;

/**
 * How to reach Redis.
 *
 * @param uri            a Lettuce URI: {@code redis://}, {@code rediss://} or {@code redis-sentinel://}
 * @param keyPrefix      prepended to every key and channel; one logical keyspace, never {@code SELECT}
 * @param commandTimeout upper bound for every command, blocking ones included
 */
public record RedisSettings(String uri, String keyPrefix, Duration commandTimeout) {
  public RedisSettings {
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(keyPrefix, "keyPrefix");
    if (commandTimeout.isZero() || commandTimeout.isNegative()) {
      throw new IllegalArgumentException("commandTimeout must be positive but was " + commandTimeout);
    }
  }
}
