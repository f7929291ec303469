package io.kinhub.server.app;

import io.kinhub.redis.connection.RedisConnections;
import io.kinhub.redis.connection.RedisSettings;
import io.kinhub.redis.events.BusSettings;
import io.kinhub.redis.events.EventBus;
import io.kinhub.server.backing.DataDirLock;
import io.kinhub.server.backing.Database;
import io.kinhub.server.backing.EmbeddedDatabase;
import io.kinhub.server.backing.EmbeddedRedis;
import io.kinhub.server.backing.OwnerOnlyFiles;
import io.kinhub.server.backing.RedisChecks;
import io.kinhub.server.config.Config;
import io.lettuce.core.metrics.MicrometerCommandLatencyRecorder;
import io.lettuce.core.metrics.MicrometerOptions;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Deque;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * The one start-up of the backing services, shared by a serving node ({@link Kinhub}) and the
 * operator commands ({@link Admin}), so that the two cannot drift apart: the configured Redis and
 * PostgreSQL, or else the embedded ones of {@code KINHUB_DATA_DIR} (the data dir locked while they
 * run), PostgreSQL's schema brought up to date by Flyway, Lettuce's client resources, the Redis
 * connections and the event bus. Everything opened is pushed onto the caller's close stack, so the
 * caller stops it in reverse order, also when a later step fails.
 */
final class Backends {
  /** Written by a node that runs embedded servers: how other processes reach them. */
  static final String ENDPOINTS = "endpoints.properties";

  /** Who opens the backends. */
  enum Role {
    /** A serving node: starts what is not configured and tells other processes where it is. */
    NODE,
    /**
     * An operator command: joins the embedded servers of a node running on the data dir, else
     * starts them for the moment; a small pool, its own name on the bus.
     */
    ADMIN
  }

  private static final int ADMIN_POOL_SIZE = 2;

  final Database database;
  final RedisConnections redis;
  final EventBus bus;

  private Backends(Database database, RedisConnections redis, EventBus bus) {
    this.database = database;
    this.redis = redis;
    this.bus = bus;
  }

  /**
   * Opens the backends of {@code config} for {@code role}; Lettuce's command latencies go to {@code
   * meters}. Each part, once open, is pushed onto {@code closeInOrder}.
   */
  static Backends open(
      Config config, Role role, MeterRegistry meters, Deque<AutoCloseable> closeInOrder) {
    Path dataDir = config.node().dataDir();
    Properties running = role == Role.ADMIN ? runningEndpoints(config) : new Properties();
    String redisUrl = config.redis().url().orElse(running.getProperty("redis"));
    String databaseUrl = config.database().url().orElse(running.getProperty("database"));
    boolean startRedis = redisUrl == null;
    boolean startDatabase = databaseUrl == null;
    if (startRedis || startDatabase) {
      closeInOrder.push(DataDirLock.acquire(dataDir));
    }
    if (startRedis) {
      EmbeddedRedis embedded = EmbeddedRedis.start(dataDir.resolve("redis"));
      closeInOrder.push(embedded);
      redisUrl = embedded.url();
    }
    if (startDatabase) {
      EmbeddedDatabase embedded = EmbeddedDatabase.start(dataDir.resolve("postgres"));
      closeInOrder.push(embedded);
      databaseUrl = embedded.jdbcUrl();
    }
    if (role == Role.NODE && (startRedis || startDatabase)) {
      writeEndpoints(dataDir, startRedis ? redisUrl : null, startDatabase ? databaseUrl : null);
    }

    String name = role == Role.NODE ? config.node().id() : config.node().id() + "-admin";
    Database database =
        Database.connect(
            databaseUrl, role == Role.NODE ? config.database().poolSize() : ADMIN_POOL_SIZE, name);
    closeInOrder.push(database);

    ClientResources resources =
        DefaultClientResources.builder()
            .commandLatencyRecorder(
                new MicrometerCommandLatencyRecorder(
                    meters, MicrometerOptions.builder().histogram(false).build()))
            // reconnect within half a second of Redis (or a promoted replica) being back, not
            // Lettuce's default of up to 30 s
            .reconnectDelay(
                Delay.exponential(
                    Duration.ofMillis(20), Duration.ofMillis(500), 2, TimeUnit.MILLISECONDS))
            .build();
    closeInOrder.push(() -> resources.shutdown().get());
    RedisConnections redis =
        RedisConnections.connect(
            new RedisSettings(
                redisUrl,
                config.redis().prefix(),
                config.redis().timeout(),
                config.redis().waitReplicas(),
                config.redis().waitTimeout()),
            resources);
    closeInOrder.push(redis);
    if (role == Role.NODE && config.redis().url().isPresent()) {
      RedisChecks.settingsWarnings(redis); // the embedded Redis is configured by Kinhub itself
    }
    EventBus bus = EventBus.start(redis, BusSettings.defaults(), name, meters);
    closeInOrder.push(bus);
    return new Backends(database, redis, bus);
  }

  /** The embedded endpoints of a node running on the data dir, if one does (its lock is held). */
  private static Properties runningEndpoints(Config config) {
    Properties endpoints = new Properties();
    Path file = config.node().dataDir().resolve(ENDPOINTS);
    if ((config.redis().url().isEmpty() || config.database().url().isEmpty())
        && Files.exists(file)
        && DataDirLock.held(config.node().dataDir())) {
      try (var in = Files.newBufferedReader(file)) {
        endpoints.load(in);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return endpoints;
  }

  private static void writeEndpoints(Path dataDir, String redisUrl, String databaseUrl) {
    Properties endpoints = new Properties();
    if (redisUrl != null) {
      endpoints.setProperty("redis", redisUrl);
    }
    if (databaseUrl != null) {
      endpoints.setProperty("database", databaseUrl);
    }
    // the URIs carry the embedded servers' passwords
    StringWriter text = new StringWriter();
    try {
      endpoints.store(text, "endpoints of the embedded servers of the running Kinhub node");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    OwnerOnlyFiles.write(dataDir.resolve(ENDPOINTS), text.toString());
  }
}
