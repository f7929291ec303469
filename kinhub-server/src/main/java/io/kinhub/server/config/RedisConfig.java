package io.kinhub.server.config;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The shared Redis.
 *
 * @param url its URI; empty: the embedded Redis under the data dir
 * @param prefix prefix of every key and channel
 * @param timeout upper bound of every command
 * @param waitReplicas replicas a failover-critical write waits for; -1: 1 when the master has a
 *     replica, else 0
 * @param waitTimeout longest such wait, shorter than {@code timeout}
 */
public record RedisConfig(
    Optional<String> url, String prefix, Duration timeout, int waitReplicas, Duration waitTimeout) {

  static RedisConfig from(Map<String, String> env) {
    Duration timeout = Variables.REDIS_TIMEOUT.read(env);
    Duration waitTimeout = Variables.REDIS_WAIT_TIMEOUT.read(env);
    if (waitTimeout.compareTo(timeout) >= 0) {
      throw new Config.InvalidConfigException(
          Variables.REDIS_WAIT_TIMEOUT.name()
              + " must be shorter than "
              + Variables.REDIS_TIMEOUT.name()
              + " ("
              + timeout
              + ") but was '"
              + Variables.REDIS_WAIT_TIMEOUT.text(env)
              + "'");
    }
    return new RedisConfig(
        Variables.REDIS_URL.read(env),
        Variables.REDIS_PREFIX.read(env),
        timeout,
        Variables.REDIS_WAIT_REPLICAS.read(env),
        waitTimeout);
  }

  /** Without the URL, which may hold a password. */
  @Override
  public String toString() {
    return "RedisConfig[url="
        + (url.isPresent() ? "(set)" : "(embedded)")
        + ", prefix="
        + prefix
        + "]";
  }
}
