package io.kinhub.server.system;

import io.kinhub.server.backing.EmbeddedRedis;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.SlotHash;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A real Redis Cluster on loopback: three masters and three replicas, each a child process on a
 * free port (and a free cluster-bus port) in a temporary directory, all with a password, joined by
 * {@code redis-cli --cluster create --cluster-replicas 1}. Nodes consider a peer failed after 1 s
 * ({@code cluster-node-timeout 1000}), so a killed master's replica takes over within a few
 * seconds. {@link #close} kills every process and deletes the directory.
 */
public final class ClusterFixture implements AutoCloseable {
  private final Path dir;
  private final String password;
  private final List<RedisProcess> nodes = new ArrayList<>();

  private ClusterFixture(Path dir, String password) {
    this.dir = dir;
    this.password = password;
  }

  /**
   * Starts the cluster (skipped, or failed under .ci/run, without redis-cli) and waits until every
   * node says ok.
   */
  public static ClusterFixture start() {
    Path cli = ExternalTools.redisCli();
    Path dir;
    try {
      dir = Files.createTempDirectory("kinhub-cluster");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    byte[] secret = new byte[16];
    new SecureRandom().nextBytes(secret);
    ClusterFixture f = new ClusterFixture(dir, HexFormat.of().formatHex(secret));
    try {
      f.startAll(cli);
      return f;
    } catch (RuntimeException | Error e) {
      f.close();
      throw e;
    }
  }

  private void startAll(Path cli) {
    for (int i = 1; i <= 6; i++) {
      int busPort;
      try {
        busPort = EmbeddedRedis.freePort();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      nodes.add(
          RedisProcess.start(
              dir,
              "node" + i,
              "requirepass "
                  + password
                  + "\nmasterauth "
                  + password
                  + "\n"
                  + "cluster-enabled yes\ncluster-config-file nodes.conf\ncluster-node-timeout 1000\ncluster-port "
                  + busPort
                  + "\n"
                  + "cluster-replica-validity-factor 0\n",
              false,
              password));
    }
    List<String> command =
        new ArrayList<>(
            List.of(cli.toString(), "--no-auth-warning", "-a", password, "--cluster", "create"));
    for (RedisProcess n : nodes) {
      command.add("127.0.0.1:" + n.port());
    }
    command.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
    try {
      Process create =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("create.txt").toFile())
              .start();
      if (!create.waitFor(60, TimeUnit.SECONDS)) {
        create.destroyForcibly();
        throw new IllegalStateException("redis-cli --cluster create did not finish within 60 s");
      }
      if (create.exitValue() != 0) {
        throw new IllegalStateException(
            "redis-cli --cluster create failed: " + Files.readString(dir.resolve("create.txt")));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    SentinelFixture.awaitUntil(
        Duration.ofSeconds(30),
        "every cluster node to say cluster_state:ok with 3 masters and 3 replicas",
        () ->
            nodes.stream()
                .allMatch(
                    n -> {
                      String info = command(n.port(), c -> c.clusterInfo());
                      String table = command(n.port(), c -> c.clusterNodes());
                      return info.contains("cluster_state:ok")
                          && count(table, "master") == 3
                          && count(table, "slave") == 3
                          && !table.contains("fail");
                    }));
  }

  private static long count(String clusterNodes, String role) {
    return clusterNodes
        .lines()
        .filter(l -> l.split(" ").length > 2 && l.split(" ")[2].contains(role))
        .count();
  }

  /**
   * {@code redis-cluster://:<password>@127.0.0.1:<p1>,127.0.0.1:<p2>,127.0.0.1:<p3>}: three of the
   * six as seeds.
   */
  public String url() {
    StringBuilder b = new StringBuilder("redis-cluster://:" + password + "@");
    for (int i = 0; i < 3; i++) {
      b.append(i == 0 ? "" : ",").append("127.0.0.1:").append(nodes.get(i).port());
    }
    return b.toString();
  }

  /** SIGKILLs the master serving {@code key}'s slot; returns its port. */
  public int killMasterOf(String key) {
    int slot = SlotHash.getSlot(key);
    for (RedisProcess n : nodes) {
      if (!n.alive()) {
        continue;
      }
      String table = command(n.port(), c -> c.clusterNodes());
      for (String line : table.lines().toList()) {
        String[] f = line.split(" ");
        if (f.length > 8 && f[2].contains("master") && !f[2].contains("fail")) {
          for (int i = 8; i < f.length; i++) {
            String[] range = f[i].split("-");
            if (!range[0].startsWith("[")) {
              int from = Integer.parseInt(range[0]);
              int to = range.length > 1 ? Integer.parseInt(range[1]) : from;
              if (slot >= from && slot <= to) {
                int port =
                    Integer.parseInt(f[1].substring(f[1].lastIndexOf(':') + 1, f[1].indexOf('@')));
                for (RedisProcess p : nodes) {
                  if (p.port() == port) {
                    p.kill();
                    return port;
                  }
                }
              }
            }
          }
        }
      }
      break;
    }
    throw new IllegalStateException("no live master serves slot " + slot);
  }

  /** Whether the live nodes agree that every slot is served again. */
  public boolean healthy() {
    return nodes.stream()
        .filter(RedisProcess::alive)
        .allMatch(n -> command(n.port(), c -> c.clusterInfo()).contains("cluster_state:ok"));
  }

  private String command(int port, Function<RedisCommands<String, String>, String> call) {
    RedisClient client =
        RedisClient.create(
            RedisURI.builder()
                .withHost("127.0.0.1")
                .withPort(port)
                .withPassword(password.toCharArray())
                .withTimeout(Duration.ofSeconds(2))
                .build());
    try (var c = client.connect()) {
      return call.apply(c.sync());
    } catch (RuntimeException e) {
      return "";
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
    }
  }

  @Override
  public void close() {
    for (RedisProcess n : nodes) {
      n.close();
    }
    SentinelFixture.deleteTree(dir);
  }
}
