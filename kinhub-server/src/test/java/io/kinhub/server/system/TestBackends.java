package io.kinhub.server.system;

import io.kinhub.server.app.Kinhub;
import io.kinhub.server.backing.EmbeddedDatabase;
import io.kinhub.server.backing.EmbeddedRedis;
import io.kinhub.server.config.Config;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The embedded Redis and PostgreSQL shared by every test in this JVM, started once on first use and
 * stopped when the JVM ends. Each test node gets its own Redis key prefix, so tests do not see each
 * other's keys.
 */
public final class TestBackends {
  private static final AtomicInteger NODES = new AtomicInteger();
  private static volatile TestBackends instance;

  private final Path dir;
  private final EmbeddedRedis redis;
  private final EmbeddedDatabase database;

  private TestBackends() {
    try {
      dir = Files.createTempDirectory("kinhub-test-backends");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    redis = EmbeddedRedis.start(dir.resolve("redis"));
    database = EmbeddedDatabase.start(dir.resolve("postgres"));
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  database.close();
                  redis.close();
                }));
  }

  /** The shared backends, started on first call. */
  public static TestBackends get() {
    if (instance == null) {
      synchronized (TestBackends.class) {
        if (instance == null) {
          instance = new TestBackends();
        }
      }
    }
    return instance;
  }

  public String redisUrl() {
    return redis.url();
  }

  public String databaseUrl() {
    return database.jdbcUrl();
  }

  /** A fresh key prefix for one test's deployment. */
  public static String newPrefix() {
    return "t" + UUID.randomUUID().toString().substring(0, 8) + ":";
  }

  /** Environment for a node of the deployment named by {@code prefix}, on a free port. */
  public Map<String, String> env(String prefix) {
    Map<String, String> env = new HashMap<>();
    env.put("KINHUB_HTTP_PORT", "0");
    env.put("KINHUB_REDIS_URL", redisUrl());
    env.put("KINHUB_DATABASE_URL", databaseUrl());
    env.put("KINHUB_REDIS_PREFIX", prefix);
    env.put("KINHUB_NODE_ID", "node" + NODES.incrementAndGet());
    env.put("KINHUB_DATA_DIR", dir.resolve("unused").toString());
    env.put("KINHUB_DATABASE_POOL_SIZE", "4");
    // every test client is 127.0.0.1: tests about rate limits set their own
    env.put("KINHUB_RATE_LIMIT_SESSIONS", "ip:1000000/1s,login:1000000/1s");
    env.put("KINHUB_RATE_LIMIT_ACCOUNTS", "ip:1000000/1s");
    env.put("KINHUB_RATE_LIMIT_SMS_CODES", "phone:1000000/1s,ip:1000000/1s");
    env.put("KINHUB_RATE_LIMIT_QR_LOGINS", "ip:1000000/1s");
    env.put("KINHUB_RATE_LIMIT_INVITATIONS", "ip:1000000/1s");
    env.put("KINHUB_RATE_LIMIT_GEDCOM_IMPORTS", "ip:1000000/1s");
    env.put("KINHUB_RATE_LIMIT_PASSWORD_CHANGES", "user:1000000/1s,ip:1000000/1s");
    return env;
  }

  /** Starts a node of the deployment named by {@code prefix}. */
  public Kinhub startNode(String prefix) {
    return Kinhub.start(Config.from(env(prefix)));
  }

  /** A direct connection to the shared Redis, for inspecting and sabotaging it. */
  public StatefulRedisConnection<String, String> connectRedis() {
    return RedisClient.create(redisUrl()).connect();
  }

  public static Map<String, String> copy(Map<String, String> env) {
    return new HashMap<>(env);
  }
}
