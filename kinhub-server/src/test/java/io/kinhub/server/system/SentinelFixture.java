package io.kinhub.server.system;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.sentinel.api.StatefulRedisSentinelConnection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * A real Sentinel deployment on loopback: a master, one replica and three sentinels (quorum 2),
 * each a child process on a free port in a temporary directory, all with a password. Sentinels
 * declare a master down after 1 s without an answer. {@link #close} kills every process and deletes
 * the directory, also after a failed start.
 */
public final class SentinelFixture implements AutoCloseable {
  public static final String MASTER_NAME = "kinhubfo";

  private final Path dir;
  private final String password;
  private final List<RedisProcess> data = new ArrayList<>();
  private final List<RedisProcess> sentinels = new ArrayList<>();

  private SentinelFixture(Path dir, String password) {
    this.dir = dir;
    this.password = password;
  }

  /**
   * Starts the deployment and returns once every sentinel knows the master, the replica and the
   * other sentinels.
   */
  public static SentinelFixture start() {
    Path dir;
    try {
      dir = Files.createTempDirectory("kinhub-sentinel");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    byte[] secret = new byte[16];
    new SecureRandom().nextBytes(secret);
    SentinelFixture f = new SentinelFixture(dir, HexFormat.of().formatHex(secret));
    try {
      f.startAll();
      return f;
    } catch (RuntimeException | Error e) {
      f.close();
      throw e;
    }
  }

  private void startAll() {
    String auth = "requirepass " + password + "\nmasterauth " + password + "\n";
    RedisProcess master = RedisProcess.start(dir, "master", auth, false, password);
    data.add(master);
    RedisProcess replica =
        RedisProcess.start(
            dir, "replica", auth + "replicaof 127.0.0.1 " + master.port() + "\n", false, password);
    data.add(replica);
    awaitUntil(
        Duration.ofSeconds(20),
        "the replica's link to the master",
        () -> info(replica.port(), "replication").contains("master_link_status:up"));
    for (int i = 1; i <= 3; i++) {
      sentinels.add(
          RedisProcess.start(
              dir,
              "sentinel" + i,
              "sentinel monitor "
                  + MASTER_NAME
                  + " 127.0.0.1 "
                  + master.port()
                  + " 2\n"
                  + "sentinel auth-pass "
                  + MASTER_NAME
                  + " "
                  + password
                  + "\n"
                  + "sentinel down-after-milliseconds "
                  + MASTER_NAME
                  + " 1000\n"
                  + "sentinel failover-timeout "
                  + MASTER_NAME
                  + " 10000\n"
                  + "sentinel parallel-syncs "
                  + MASTER_NAME
                  + " 1\n",
              true,
              null));
    }
    awaitUntil(
        Duration.ofSeconds(30),
        "sentinels to discover each other and the replica",
        () -> {
          for (RedisProcess s : sentinels) {
            Map<String, String> m = sentinel(s.port(), c -> c.sync().master(MASTER_NAME));
            if (!"1".equals(m.get("num-slaves")) || !"2".equals(m.get("num-other-sentinels"))) {
              return false;
            }
          }
          return true;
        });
  }

  /** {@code redis-sentinel://:<password>@127.0.0.1:<s1>,127.0.0.1:<s2>,127.0.0.1:<s3>#kinhubfo}. */
  public String url() {
    StringBuilder b = new StringBuilder("redis-sentinel://:" + password + "@");
    for (int i = 0; i < sentinels.size(); i++) {
      b.append(i == 0 ? "" : ",").append("127.0.0.1:").append(sentinels.get(i).port());
    }
    return b.append('#').append(MASTER_NAME).toString();
  }

  public String password() {
    return password;
  }

  /** The port of the master the sentinels currently name. */
  public int masterPort() {
    for (RedisProcess s : sentinels) {
      try {
        SocketAddress address = sentinel(s.port(), c -> c.sync().getMasterAddrByName(MASTER_NAME));
        return ((InetSocketAddress) address).getPort();
      } catch (RuntimeException e) {
        // ask the next one
      }
    }
    throw new IllegalStateException("no sentinel names a master");
  }

  /** SIGKILLs the current master; returns its port. */
  public int killMaster() {
    int port = masterPort();
    for (RedisProcess p : data) {
      if (p.port() == port) {
        p.kill();
        return port;
      }
    }
    throw new IllegalStateException("the master on port " + port + " is not one of ours");
  }

  /** The {@code INFO} section of the data node on {@code port}. */
  public String info(int port, String section) {
    RedisClient client =
        RedisClient.create(
            RedisURI.builder()
                .withHost("127.0.0.1")
                .withPort(port)
                .withPassword(password.toCharArray())
                .withTimeout(Duration.ofSeconds(2))
                .build());
    try (var c = client.connect()) {
      return c.sync().info(section);
    } catch (RuntimeException e) {
      return "";
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
    }
  }

  private static <T> T sentinel(
      int port, Function<StatefulRedisSentinelConnection<String, String>, T> call) {
    RedisClient client =
        RedisClient.create(
            RedisURI.builder()
                .withHost("127.0.0.1")
                .withPort(port)
                .withTimeout(Duration.ofSeconds(2))
                .build());
    try (StatefulRedisSentinelConnection<String, String> c = client.connectSentinel()) {
      return call.apply(c);
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
    }
  }

  static void awaitUntil(Duration timeout, String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        if (condition.getAsBoolean()) {
          return;
        }
      } catch (RuntimeException e) {
        // not yet
      }
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException("timed out after " + timeout + " waiting for " + what);
      }
      RedisProcess.sleep(50);
    }
  }

  @Override
  public void close() {
    for (RedisProcess p : sentinels) {
      p.close();
    }
    for (RedisProcess p : data) {
      p.close();
    }
    deleteTree(dir);
  }

  static void deleteTree(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort: a temp dir
    }
  }
}
