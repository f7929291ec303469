package io.kinhub.server.config;

import io.kinhub.redis.jobs.QueueSettings;
import io.kinhub.server.feed.FeedSettings;
import java.time.Duration;
import java.util.Map;

/**
 * Kinhub's configuration, read once at start-up from {@code KINHUB_*} environment variables and
 * validated: a bad value stops the server with a message naming the variable. Each variable is
 * declared once, in {@link Variables} (name, default, parser, meaning); this record groups the
 * parsed values per feature. The README's configuration table is generated from the same
 * declarations ({@link ConfigDocs}).
 *
 * @param http the HTTP listener
 * @param redis the shared Redis
 * @param database the shared PostgreSQL
 * @param node this node: name, data directory, heartbeat, drain
 * @param sessions sessions and password hashing
 * @param nearCache the near caches
 * @param abuse rate limits and the login lockout
 * @param sms SMS login codes
 * @param jobs retries and visibility timeout of background jobs
 * @param qr QR-code login
 * @param tree GEDCOM and the tree cache
 * @param feed the feed and the live channel
 * @param metrics access to {@code /metrics}
 */
public record Config(
    HttpConfig http,
    RedisConfig redis,
    DatabaseConfig database,
    NodeConfig node,
    SessionConfig sessions,
    NearCacheConfig nearCache,
    AbuseConfig abuse,
    SmsConfig sms,
    QueueSettings jobs,
    QrConfig qr,
    TreeConfig tree,
    FeedSettings feed,
    MetricsConfig metrics) {

  /** Reads and validates the configuration from {@code env}. */
  public static Config from(Map<String, String> env) {
    return new Config(
        HttpConfig.from(env),
        RedisConfig.from(env),
        DatabaseConfig.from(env),
        NodeConfig.from(env),
        SessionConfig.from(env),
        NearCacheConfig.from(env),
        AbuseConfig.from(env),
        SmsConfig.from(env),
        jobs(env),
        QrConfig.from(env),
        TreeConfig.from(env),
        feed(env),
        MetricsConfig.from(env));
  }

  private static QueueSettings jobs(Map<String, String> env) {
    return QueueSettings.defaults()
        .withRetries(
            Variables.JOB_MAX_ATTEMPTS.read(env),
            Variables.JOB_RETRY_BASE.read(env),
            Duration.ofMinutes(10))
        .withVisibilityTimeout(Variables.JOB_VISIBILITY_TIMEOUT.read(env));
  }

  private static FeedSettings feed(Map<String, String> env) {
    return new FeedSettings(
        Variables.FEED_TIMELINE_CAP.read(env),
        Variables.FEED_FANOUT_BATCH.read(env),
        Variables.FEED_ACTIVE_FOR.read(env),
        Variables.FEED_PULL_THRESHOLD.read(env),
        Variables.FEED_COUNTER_FLUSH.read(env),
        Variables.LIVE_SOCKETS_PER_USER.read(env),
        Variables.LIVE_SOCKETS_PER_IP.read(env),
        Variables.LIVE_SEND_QUEUE.read(env));
  }

  /** Like the record's, without the secrets. */
  @Override
  public String toString() {
    return "Config[node="
        + node.id()
        + ", http="
        + http.host()
        + ":"
        + http.port()
        + ", dataDir="
        + node.dataDir()
        + "]";
  }

  /** Thrown for a bad configuration value; the message names the variable and the value. */
  public static final class InvalidConfigException extends RuntimeException {
    InvalidConfigException(String message) {
      super(message);
    }
  }
}
