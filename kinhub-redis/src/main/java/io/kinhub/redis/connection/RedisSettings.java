package io.kinhub.redis.connection;

import java.time.Duration;
import java.util.Objects;

/**
 * How to reach Redis.
 *
 * @param uri a Lettuce URI: {@code redis://}, {@code rediss://} or {@code redis-sentinel://}, or a
 *     cluster as {@code redis-cluster://[[user]:password@]host:port[,host:port...]} ({@code
 *     rediss-cluster://} with TLS)
 * @param keyPrefix prepended to every key and channel; one logical keyspace, never {@code SELECT}
 * @param commandTimeout upper bound for every command, blocking ones included
 * @param waitReplicas replicas {@link RedisConnections#awaitReplication} waits for after a write
 *     that must survive a failover; {@link #AUTO}: one when the master has a replica, none
 *     otherwise
 * @param waitTimeout longest such wait ({@code WAIT}'s timeout)
 */
public record RedisSettings(
    String uri, String keyPrefix, Duration commandTimeout, int waitReplicas, Duration waitTimeout) {
  /**
   * {@link #waitReplicas} value: wait for one replica when the master has any, else do not wait.
   */
  public static final int AUTO = -1;

  public RedisSettings {
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(keyPrefix, "keyPrefix");
    if (commandTimeout.isZero() || commandTimeout.isNegative()) {
      throw new IllegalArgumentException(
          "commandTimeout must be positive but was " + commandTimeout);
    }
    if (waitReplicas < AUTO) {
      throw new IllegalArgumentException(
          "waitReplicas must be AUTO (-1) or at least 0 but was " + waitReplicas);
    }
    if (waitTimeout.isNegative() || waitTimeout.compareTo(commandTimeout) >= 0) {
      throw new IllegalArgumentException(
          "waitTimeout must be at least 0 and shorter than the command timeout "
              + commandTimeout
              + " but was "
              + waitTimeout);
    }
  }

  /**
   * Settings that wait for one replica (when there is one) for at most 100 ms, or a tenth of the
   * command timeout.
   */
  public RedisSettings(String uri, String keyPrefix, Duration commandTimeout) {
    this(
        uri,
        keyPrefix,
        commandTimeout,
        AUTO,
        min(Duration.ofMillis(100), commandTimeout.dividedBy(10)));
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
