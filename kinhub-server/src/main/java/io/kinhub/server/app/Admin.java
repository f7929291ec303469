package io.kinhub.server.app;

import io.kinhub.redis.connection.RedisConnections;
import io.kinhub.redis.connection.RedisSettings;
import io.kinhub.redis.events.BusSettings;
import io.kinhub.redis.events.EventBus;
import io.kinhub.server.account.Logins;
import io.kinhub.server.backing.DataDirLock;
import io.kinhub.server.backing.Database;
import io.kinhub.server.backing.EmbeddedDatabase;
import io.kinhub.server.backing.EmbeddedRedis;
import io.kinhub.server.backing.OwnerOnlyFiles;
import io.kinhub.server.config.Config;
import io.kinhub.server.node.NodeRegistry;
import io.kinhub.server.permission.Permissions;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Operator actions run from the command line against the same Redis and PostgreSQL as the nodes:
 * with {@code KINHUB_REDIS_URL}/{@code KINHUB_DATABASE_URL} set, those; otherwise the embedded ones
 * of {@code KINHUB_DATA_DIR} — the running node's (found through the endpoints file it writes), or
 * started here for the moment when no node runs. A change of permissions is announced on the event
 * bus, so every node enforces it when the command returns.
 */
public final class Admin implements AutoCloseable {
  /** Written by a node that runs embedded servers: how other processes reach them. */
  static final String ENDPOINTS = "endpoints.properties";

  private final Deque<AutoCloseable> closeInOrder = new ArrayDeque<>();
  private final Database database;
  private final Permissions permissions;
  private final Config config;

  private Admin(Config config) {
    this.config = config;
    try {
      Properties running = runningEndpoints(config);
      String redisUrl =
          config
              .redis()
              .url()
              .or(() -> Optional.ofNullable(running.getProperty("redis")))
              .orElse(null);
      String databaseUrl =
          config
              .database()
              .url()
              .or(() -> Optional.ofNullable(running.getProperty("database")))
              .orElse(null);
      if (redisUrl == null || databaseUrl == null) {
        closeInOrder.push(DataDirLock.acquire(config.node().dataDir()));
      }
      if (redisUrl == null) {
        EmbeddedRedis redis = EmbeddedRedis.start(config.node().dataDir().resolve("redis"));
        closeInOrder.push(redis);
        redisUrl = redis.url();
      }
      if (databaseUrl == null) {
        EmbeddedDatabase db = EmbeddedDatabase.start(config.node().dataDir().resolve("postgres"));
        closeInOrder.push(db);
        databaseUrl = db.jdbcUrl();
      }
      database = Database.connect(databaseUrl, 2, config.node().id() + "-admin");
      closeInOrder.push(database);
      ClientResources resources = DefaultClientResources.create();
      closeInOrder.push(() -> resources.shutdown().get());
      RedisConnections redis =
          RedisConnections.connect(
              new RedisSettings(redisUrl, config.redis().prefix(), config.redis().timeout()),
              resources);
      closeInOrder.push(redis);
      SimpleMeterRegistry meters = new SimpleMeterRegistry();
      EventBus bus =
          EventBus.start(redis, BusSettings.defaults(), config.node().id() + "-admin", meters);
      closeInOrder.push(bus);
      permissions = new Permissions(database, bus, 1, Duration.ofSeconds(1), meters);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /** Connects to the backends the nodes of {@code config} use. */
  public static Admin connect(Config config) {
    return new Admin(config);
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

  static void writeEndpoints(Path dataDir, String redisUrl, String databaseUrl) {
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

  /**
   * Grants or revokes the platform superadmin role; false when there is no account with this login.
   * Every node's permission cache is cleared before this returns.
   */
  public boolean setSuperadmin(String login, boolean superadmin) {
    String canonical = Logins.normalize("login", login);
    int changed =
        database.withHandle(
            h ->
                h.createUpdate("UPDATE account SET superadmin = :s WHERE login = :login")
                    .bind("s", superadmin)
                    .bind("login", canonical)
                    .execute());
    if (changed == 0) {
      return false;
    }
    permissions.everythingChanged();
    return true;
  }

  /**
   * The node registry's rows of this deployment (key prefix), live or not yet pruned, and the
   * database's clock.
   */
  public Map.Entry<Instant, List<NodeRegistry.Node>> nodes() {
    return NodeRegistry.listing(database, config.redis().prefix());
  }

  @Override
  public void close() {
    while (!closeInOrder.isEmpty()) {
      try {
        closeInOrder.pop().close();
      } catch (Exception ignored) {
        // best effort, like Kinhub.close
      }
    }
  }
}
