package io.kinhub.bench;

import io.kinhub.bench.runner.BenchRun;
import io.kinhub.server.app.Kinhub;
import io.kinhub.server.config.Config;
import io.kinhub.server.genealogy.KinGraphs;
import io.kinhub.server.permission.Permissions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * One Kinhub node in this JVM with its own embedded Redis and PostgreSQL (see {@link Backends}),
 * all on free loopback ports under one temporary directory that {@link #close} deletes. Used by
 * {@link TreeBench} and by the JMH benchmarks in {@code io.kinhub.bench.jmh}, which is why it is
 * public.
 */
public final class SingleNode implements AutoCloseable {
  private static final Duration TRUST_TIMEOUT = Duration.ofSeconds(30);

  private final Path dir;
  private Backends backends;
  private Kinhub node;
  private Api api;

  private SingleNode(Path dir) {
    this.dir = dir;
  }

  /** A user of the node: their id and a session token. */
  public record User(long id, String token) {}

  /**
   * Starts Redis, PostgreSQL and the node, and waits until the node trusts its near caches (before
   * that every read goes to the source). On failure whatever was started is stopped before the
   * exception leaves.
   */
  public static SingleNode start(String nodeId) {
    SingleNode started;
    try {
      started = new SingleNode(Files.createTempDirectory("kinhub-bench-node-"));
    } catch (IOException e) {
      throw new IllegalStateException("cannot create a temporary directory: " + e.getMessage(), e);
    }
    try {
      started.backends = Backends.start(started.dir);
      Map<String, String> env = Cluster.env(started.backends, started.dir.resolve("node"), nodeId);
      // one client address imports many files in a row (default ip:30/1h)
      env.put("KINHUB_RATE_LIMIT_GEDCOM_IMPORTS", "ip:100000000/1s");
      started.node = Kinhub.start(Config.from(env));
      started.api = new Api();
      started.awaitTrusted();
      return started;
    } catch (IOException e) {
      started.close();
      throw new IllegalStateException("cannot start Redis and PostgreSQL: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      started.close();
      throw e;
    }
  }

  private void awaitTrusted() {
    long deadline = System.nanoTime() + TRUST_TIMEOUT.toNanos();
    while (!node.cacheTrusted()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "the node's event bus did not become trusted within " + TRUST_TIMEOUT);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }
  }

  /** Creates an account with the bench password, logs it in and returns it. */
  public User signUp(String login, String displayName) {
    long id = api.createAccount(baseUrl(), login, displayName);
    return new User(id, api.login(baseUrl(), login, "kinhub-bench"));
  }

  /** Creates a private family with {@code user} as its originator and returns its id. */
  public long createFamily(User user, String name) {
    return api.createFamily(baseUrl(), user.token(), name);
  }

  /** The node's kinship graphs, called directly (no HTTP). */
  public KinGraphs kinGraphs() {
    return node.kinGraphs();
  }

  /** The node's permission checks, called directly (no HTTP). */
  public Permissions permissions() {
    return node.permissions();
  }

  /**
   * Near-cache reads of {@code cache} ({@code sessions} or {@code permissions}) with {@code result}
   * so far, from /metrics.
   */
  public long nearCacheReads(String cache, String result) {
    return (long)
        Metrics.scrape(api, baseUrl())
            .sum(
                "kinhub_nearcache_requests_total",
                "cache=\"" + cache + "\"",
                "result=\"" + result + "\"");
  }

  /** The JDBC URL of the node's database. */
  public String jdbcUrl() {
    return backends.jdbcUrl();
  }

  public String baseUrl() {
    return node.baseUrl();
  }

  Api api() {
    return api;
  }

  String describe() {
    return "one Kinhub node "
        + node.baseUrl()
        + " in this JVM (default configuration: near caches of "
        + node.config().nearCache().size()
        + " entries, max age "
        + node.config().nearCache().maxAge().toMillis()
        + " ms, GEDCOM files up to "
        + node.config().tree().gedcomMaxBytes() / (1024 * 1024)
        + " MiB; rate limits of "
        + "POST /api/v1/sessions, /accounts and /families/{id}/gedcom lifted); "
        + backends.describe();
  }

  /** Stops the node, then Redis and PostgreSQL, and deletes the temporary directory. Idempotent. */
  @Override
  public synchronized void close() {
    if (api != null) {
      api.close();
      api = null;
    }
    if (node != null) {
      node.close();
      node = null;
    }
    if (backends != null) {
      backends.close();
      backends = null;
    }
    if (Files.exists(dir)) {
      BenchRun.deleteRecursively(dir);
    }
  }
}
