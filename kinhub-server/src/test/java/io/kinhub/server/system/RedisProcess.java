package io.kinhub.server.system;

import io.kinhub.server.backing.EmbeddedRedis;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import redis.embedded.RedisExecProvider;

/**
 * One {@code redis-server} (or {@code redis-server --sentinel}) child process of a test topology,
 * on a free loopback port, with its configuration, data and log in a directory of its own. Debian's
 * {@code /usr/bin/redis-server} when installed (.ci/run installs it), else the Redis 7.0.15 binary
 * of the embedded-redis jar; both are 7.0.15.
 */
final class RedisProcess implements AutoCloseable {
  private final String name;
  private final int port;
  private final Path dir;
  private final Process process;

  private RedisProcess(String name, int port, Path dir, Process process) {
    this.name = name;
    this.port = port;
    this.dir = dir;
    this.process = process;
  }

  static Path binary() {
    Path debian = Path.of("/usr/bin/redis-server");
    if (Files.isExecutable(debian)) {
      return debian;
    }
    try {
      return RedisExecProvider.defaultProvider().get().toPath();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Starts a server on a free port with {@code config} (lines of redis.conf) and waits until it
   * answers PING with {@code password} (null for sentinels without one).
   */
  static RedisProcess start(
      Path parent, String name, String config, boolean sentinel, String password) {
    try {
      Path dir = parent.resolve(name);
      Files.createDirectories(dir);
      int port = EmbeddedRedis.freePort();
      Path conf = dir.resolve(sentinel ? "sentinel.conf" : "redis.conf");
      Files.writeString(
          conf,
          "port "
              + port
              + "\nbind 127.0.0.1\ndir "
              + dir
              + "\nlogfile "
              + dir.resolve("log.txt")
              + "\ndaemonize no\n"
              + (sentinel ? "" : "save \"\"\nappendonly no\n")
              + config);
      ProcessBuilder pb =
          sentinel
              ? new ProcessBuilder(binary().toString(), conf.toString(), "--sentinel")
              : new ProcessBuilder(binary().toString(), conf.toString());
      Process process =
          pb.redirectErrorStream(true).redirectOutput(dir.resolve("stdout.txt").toFile()).start();
      RedisProcess redis = new RedisProcess(name, port, dir, process);
      redis.awaitPing(password, Duration.ofSeconds(20));
      return redis;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name, e);
    }
  }

  private void awaitPing(String password, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() - deadline < 0) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            name + " exited with " + process.exitValue() + "; see " + dir.resolve("log.txt"));
      }
      if (pingOk(password)) {
        return;
      }
      sleep(20);
    }
    throw new IllegalStateException(name + " did not answer PING within " + timeout);
  }

  private boolean pingOk(String password) {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(1000);
      String auth = password == null ? "" : "AUTH " + password + "\r\n";
      socket.getOutputStream().write((auth + "PING\r\n").getBytes(StandardCharsets.US_ASCII));
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
      return (password == null || "+OK".equals(in.readLine())) && "+PONG".equals(in.readLine());
    } catch (IOException e) {
      return false;
    }
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  String name() {
    return name;
  }

  int port() {
    return port;
  }

  Path dir() {
    return dir;
  }

  boolean alive() {
    return process.isAlive();
  }

  /** SIGKILL: no shutdown, no final write, sockets reset. */
  void kill() {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    kill();
  }
}
