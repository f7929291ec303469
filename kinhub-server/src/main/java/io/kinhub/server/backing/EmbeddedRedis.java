package io.kinhub.server.backing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.RedisExecProvider;

/**
 * The embedded Redis: the Redis 7.0.15 binary shipped by {@code org.signal:embedded-redis}, run as
 * a child process on a free loopback port with its data (AOF, {@code appendfsync everysec}) in
 * {@code <dir>}. Kinhub starts and stops the process itself (not through the library's server
 * class, whose own shutdown hook would stop Redis before the HTTP server has drained). Clients must
 * authenticate with the password kept in {@code <dir>.password} (owner-only), made at first start:
 * loopback is reachable by every local user.
 */
public final class EmbeddedRedis implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedRedis.class);

  private final Process process;
  private final int port;
  private final Path dir;
  private final String password;

  private EmbeddedRedis(Process process, int port, Path dir, String password) {
    this.process = process;
    this.port = port;
    this.dir = dir;
    this.password = password;
  }

  /**
   * Where the password of the Redis in {@code dir} is kept: {@code <data dir>/redis.password} for
   * {@code <data dir>/redis}.
   */
  public static Path passwordFile(Path dir) {
    return dir.toAbsolutePath().resolveSibling(dir.getFileName() + ".password");
  }

  public static EmbeddedRedis start(Path dir) {
    try {
      return start(dir, freePort());
    } catch (IOException e) {
      throw new UncheckedIOException("no free port for the embedded Redis: " + e.getMessage(), e);
    }
  }

  /** Starts Redis on a given loopback port (tests restart it on the port it had). */
  public static EmbeddedRedis start(Path dir, int port) {
    try {
      Files.createDirectories(dir);
      StaleProcesses.stopIfOrphan(dir.resolve("redis.pid"), dir, "redis-server", "TERM");
      String password = OwnerOnlyFiles.password(passwordFile(dir));
      // in a file, not on the command line, where every local user could read it in
      // /proc/<pid>/cmdline
      Path config = dir.resolve("kinhub-redis.conf");
      OwnerOnlyFiles.write(
          config, "# written by Kinhub at every start\nrequirepass " + password + "\n");
      Path binary = RedisExecProvider.defaultProvider().get().toPath();
      List<String> command =
          new ArrayList<>(
              List.of(
                  binary.toString(),
                  config.toString(),
                  "--port",
                  Integer.toString(port),
                  "--bind",
                  "127.0.0.1",
                  "--protected-mode",
                  "yes",
                  "--dir",
                  dir.toString(),
                  "--pidfile",
                  dir.resolve("redis.pid").toString(),
                  "--appendonly",
                  "yes",
                  "--appendfsync",
                  "everysec",
                  "--appendfilename",
                  "kinhub.aof",
                  "--dbfilename",
                  "kinhub.rdb",
                  "--tcp-keepalive",
                  "60",
                  "--daemonize",
                  "no",
                  "--logfile",
                  dir.resolve("redis.log").toString()));
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      EmbeddedRedis redis = new EmbeddedRedis(process, port, dir, password);
      redis.awaitReady(Duration.ofSeconds(60));
      log.info(
          "embedded Redis 7.0.15 (pid {}) on 127.0.0.1:{}, data in {}", process.pid(), port, dir);
      return redis;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot start the embedded Redis in " + dir + ": " + e.getMessage(), e);
    }
  }

  private void awaitReady(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "the embedded Redis exited with status "
                + process.exitValue()
                + " during start-up; see "
                + dir.resolve("redis.log"));
      }
      if (pingOk()) {
        return;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while starting Redis", e);
      }
    }
    process.destroyForcibly();
    throw new IllegalStateException("the embedded Redis did not answer PING within " + timeout);
  }

  private boolean pingOk() {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(1000);
      socket
          .getOutputStream()
          .write(("AUTH " + password + "\r\nPING\r\n").getBytes(StandardCharsets.US_ASCII));
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
      // "-LOADING" while the AOF is replayed
      return "+OK".equals(in.readLine()) && "+PONG".equals(in.readLine());
    } catch (IOException e) {
      return false;
    }
  }

  public static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  public int port() {
    return port;
  }

  /** The URI with the password: for the nodes and the endpoints file, never for logs. */
  public String url() {
    return "redis://:" + password + "@127.0.0.1:" + port;
  }

  public String password() {
    return password;
  }

  public long pid() {
    return process.pid();
  }

  /** Stops Redis with SIGTERM, which makes it fsync the AOF before exiting. */
  @Override
  public void close() {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        log.warn("embedded Redis did not stop within 30 s; killing it");
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    log.info("embedded Redis stopped");
  }
}
