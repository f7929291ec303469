package io.kinhub.redis;

import io.kinhub.redis.connection.RedisConnections;
import io.kinhub.redis.connection.RedisSettings;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.UUID;
import redis.embedded.RedisServer;

/** One real Redis (the embedded 7.0.15 binary) for this module's tests, started once per JVM. */
public final class TestRedis {
  private static volatile TestRedis instance;
  private final int port;
  private final ClientResources resources = DefaultClientResources.create();

  private TestRedis() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    RedisServer server =
        RedisServer.builder().port(port).bind("127.0.0.1").setting("save \"\"").build();
    server.start();
  }

  public static TestRedis get() {
    if (instance == null) {
      synchronized (TestRedis.class) {
        if (instance == null) {
          instance = new TestRedis();
        }
      }
    }
    return instance;
  }

  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  public static String newPrefix() {
    return "t" + UUID.randomUUID().toString().substring(0, 8) + ":";
  }

  /** A new, independent set of connections, as one node would have. */
  public RedisConnections connect(String prefix) {
    return RedisConnections.connect(
        new RedisSettings(url(), prefix, Duration.ofSeconds(5)),
        resources); // generous: a loaded CI machine
  }
}
