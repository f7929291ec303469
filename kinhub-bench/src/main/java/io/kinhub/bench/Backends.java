package io.kinhub.bench;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import redis.embedded.RedisExecProvider;

/**
 * The Redis and PostgreSQL that both benchmark nodes share: the Redis 7.0.15 binary of {@code
 * org.signal:embedded-redis} run as a child process without persistence, and a zonky embedded
 * PostgreSQL, both bound to 127.0.0.1 on free ports with their files under one temporary directory.
 */
final class Backends implements AutoCloseable {
  private final Path dir;
  private Process redis;
  private int redisPort;
  private EmbeddedPostgres postgres;

  private Backends(Path dir) {
    this.dir = dir;
  }

  /** Starts Redis alone, for runs without the nodes (only the rate-limiter scenario). */
  static Backends startRedisOnly(Path dir) throws IOException {
    Backends backends = new Backends(dir);
    try {
      backends.startRedis();
      return backends;
    } catch (IOException | RuntimeException e) {
      backends.close();
      throw e;
    }
  }

  /** Starts both; on failure whatever was started is stopped before the exception leaves. */
  static Backends start(Path dir) throws IOException {
    Backends backends = new Backends(dir);
    try {
      backends.startRedis();
      backends.startPostgres();
      return backends;
    } catch (IOException | RuntimeException e) {
      backends.close();
      throw e;
    }
  }

  private void startRedis() throws IOException {
    Path redisDir = Files.createDirectories(dir.resolve("redis"));
    Path binary = RedisExecProvider.defaultProvider().get().toPath();
    redisPort = freePort();
    redis =
        new ProcessBuilder(
                List.of(
                    binary.toString(),
                    "--port",
                    Integer.toString(redisPort),
                    "--bind",
                    "127.0.0.1",
                    "--protected-mode",
                    "yes",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    redisDir.toString(),
                    "--daemonize",
                    "no",
                    "--logfile",
                    redisDir.resolve("redis.log").toString()))
            .redirectErrorStream(true)
            .redirectOutput(redisDir.resolve("redis.out").toFile())
            .start();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!ping()) {
      if (!redis.isAlive()) {
        throw new IllegalStateException(
            "Redis exited with status "
                + redis.exitValue()
                + " during start-up; see "
                + redisDir.resolve("redis.log"));
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("Redis did not answer PING within 30 s");
      }
      sleep(20);
    }
  }

  private boolean ping() {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), redisPort)) {
      socket.setSoTimeout(1000);
      socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      String line =
          new BufferedReader(
                  new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
              .readLine();
      return "+PONG".equals(line);
    } catch (IOException e) {
      return false;
    }
  }

  private void startPostgres() throws IOException {
    postgres =
        EmbeddedPostgres.builder()
            .setDataDirectory(dir.resolve("postgres"))
            .setCleanDataDirectory(true)
            .setPort(freePort())
            .setPGStartupWait(Duration.ofSeconds(60))
            .setServerConfig("listen_addresses", "127.0.0.1")
            .setServerConfig("max_connections", "100")
            .start();
    try (Connection c = postgres.getPostgresDatabase().getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE kinhub");
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create the kinhub database: " + e.getMessage(), e);
    }
  }

  /**
   * The backend processes (Redis; PostgreSQL's postmaster, whose children serve the connections),
   * for CPU readings. The postmaster is found by its data directory on the command line; it is
   * missing when not found.
   */
  List<ProcessHandle> processes() {
    List<ProcessHandle> list = new ArrayList<>();
    if (redis != null) {
      list.add(redis.toHandle());
    }
    if (postgres != null) {
      CpuTime.findByCommandLine(dir.resolve("postgres").toString()).ifPresent(list::add);
    }
    return List.copyOf(list);
  }

  String redisUrl() {
    return "redis://127.0.0.1:" + redisPort;
  }

  /**
   * The JDBC URL of the {@code kinhub} database, by IP literal (zonky's own URL says "localhost").
   */
  String jdbcUrl() {
    if (postgres == null) {
      throw new IllegalStateException("PostgreSQL was not started in this run");
    }
    return "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/kinhub?user=postgres";
  }

  String describe() {
    return "Redis 7.0.15 (org.signal:embedded-redis binary, no persistence) on "
        + redisUrl()
        + (postgres == null
            ? "; no PostgreSQL (not needed by the chosen scenarios)"
            : "; PostgreSQL (zonky embedded) on 127.0.0.1:" + postgres.getPort());
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  @Override
  public synchronized void close() {
    if (postgres != null) {
      try {
        postgres.close();
      } catch (IOException | RuntimeException e) {
        System.err.println("bench: PostgreSQL did not stop cleanly: " + e);
      }
      postgres = null;
    }
    if (redis != null) {
      redis.destroy();
      try {
        if (!redis.waitFor(10, TimeUnit.SECONDS)) {
          redis.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        redis.destroyForcibly();
      }
      redis = null;
    }
  }
}
