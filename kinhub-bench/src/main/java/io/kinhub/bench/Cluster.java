package io.kinhub.bench;

import io.kinhub.server.app.Kinhub;
import io.kinhub.server.config.Config;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Two Kinhub nodes, A and B, started in this JVM on free loopback ports and sharing one Redis and
 * one PostgreSQL. Apart from those, the node ids, the lifted per-IP rate limits and the longer QR
 * scan timeout (see {@link #env}) they run with the defaults of {@link Config}.
 */
final class Cluster implements AutoCloseable {
  private final Backends backends;
  private Kinhub a;
  private Kinhub b;

  private Cluster(Backends backends) {
    this.backends = backends;
  }

  static Cluster start(Backends backends, Path dataDir) {
    Cluster cluster = new Cluster(backends);
    try {
      // one after the other: both would otherwise run the Flyway migrations at once
      cluster.a = Kinhub.start(Config.from(env(backends, dataDir.resolve("a"), "bench-a")));
      cluster.b = Kinhub.start(Config.from(env(backends, dataDir.resolve("b"), "bench-b")));
      cluster.awaitTrusted(Duration.ofSeconds(30));
      return cluster;
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  static Map<String, String> env(Backends backends, Path dataDir, String nodeId) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("KINHUB_HTTP_HOST", "127.0.0.1");
    env.put("KINHUB_HTTP_PORT", "0");
    env.put("KINHUB_REDIS_URL", backends.redisUrl());
    env.put("KINHUB_DATABASE_URL", backends.jdbcUrl());
    env.put("KINHUB_DATA_DIR", dataDir.toString());
    env.put("KINHUB_NODE_ID", nodeId);
    // the load driver is one client address: lift the per-IP and per-login limits so they do not
    // shape the figures
    env.put("KINHUB_RATE_LIMIT_SESSIONS", "ip:100000000/1s,login:100000000/1s");
    env.put("KINHUB_RATE_LIMIT_ACCOUNTS", "ip:100000000/1s");
    // the QR scenario creates thousands of tickets from 127.0.0.1 (default ip:30/1m)
    env.put("KINHUB_RATE_LIMIT_QR_LOGINS", "ip:100000000/1s");
    // ... and holds up to 10,000 of them open while it measures: they must not expire meanwhile
    // (default 120 s)
    env.put("KINHUB_QR_SCAN_TIMEOUT", "10m");
    return env;
  }

  /** Waits until both nodes trust their near caches (their bus heard its own heartbeat). */
  private void awaitTrusted(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!(a.cacheTrusted() && b.cacheTrusted())) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "the nodes' event bus did not become trusted within "
                + timeout
                + " (A trusted: "
                + a.cacheTrusted()
                + ", B trusted: "
                + b.cacheTrusted()
                + ")");
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }
  }

  String a() {
    return a.baseUrl();
  }

  String b() {
    return b.baseUrl();
  }

  /** Open QR-login WebSockets on node A. */
  int openQrSocketsA() {
    return a.openQrSockets();
  }

  /** Open QR-login WebSockets on node B. */
  int openQrSocketsB() {
    return b.openQrSockets();
  }

  boolean bothTrusted() {
    return a.cacheTrusted() && b.cacheTrusted();
  }

  Backends backends() {
    return backends;
  }

  String describe() {
    return "node A "
        + a.baseUrl()
        + ", node B "
        + b.baseUrl()
        + " (in this JVM; default configuration: near cache "
        + a.config().nearCache().size()
        + " entries, max age "
        + a.config().nearCache().maxAge().toMillis()
        + " ms, "
        + a.config().sessions().perUser()
        + " sessions per user, "
        + a.config().sessions().passwordHashConcurrency()
        + " concurrent Argon2id hashes per node; rate limits of POST /api/v1/sessions, /accounts and /qr-logins "
        + "lifted, QR scan timeout "
        + a.config().qr().scanTimeout().toMinutes()
        + " min instead of 2)";
  }

  @Override
  public synchronized void close() {
    if (b != null) {
      b.close();
      b = null;
    }
    if (a != null) {
      a.close();
      a = null;
    }
  }
}
