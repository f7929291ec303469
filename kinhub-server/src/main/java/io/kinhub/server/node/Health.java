package io.kinhub.server.node;

import static com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.kinhub.redis.connection.RedisConnections;
import io.kinhub.redis.connection.RedisIdentity;
import io.kinhub.redis.events.EventBus;
import io.kinhub.server.backing.Database;
import io.kinhub.server.backing.Digests;
import io.kinhub.server.http.Json;
import io.kinhub.server.http.Problem;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /health}, {@code /metrics} and {@code /openapi.json}. Redis and PostgreSQL are probed in
 * the background four times a second, each on its own thread and each with its own timeout, so
 * {@code /health} reflects an outage or a hang within 1.5 s, never waits for a dependency itself,
 * and costs the dependencies nothing however often it is polled.
 */
public final class Health implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Health.class);
  private static final Duration INTERVAL = Duration.ofMillis(250);

  /**
   * A dependency whose last successful probe is older than this is down: /health says so within 2 s
   * of a hang.
   */
  static final Duration STALE = Duration.ofMillis(1500);

  private final String nodeId;
  private final String version;
  private final RedisConnections redis;
  private final EventBus bus;
  private final PrometheusMeterRegistry prometheus;
  private final ScheduledExecutorService probes;
  private final byte[] openApi;
  private final Optional<byte[]> metricsTokenHash;
  private final Probe redisProbe;
  private final Probe databaseProbe;
  private volatile NodeRegistry registry;
  private volatile BooleanSupplier draining = () -> false;

  public Health(
      String nodeId,
      RedisConnections redis,
      EventBus bus,
      Database database,
      PrometheusMeterRegistry prometheus,
      Optional<String> metricsToken) {
    this.metricsTokenHash = metricsToken.map(Health::hash);
    this.nodeId = nodeId;
    this.version = versionOf();
    this.redis = redis;
    this.bus = bus;
    this.prometheus = prometheus;
    this.openApi = readOpenApi();
    this.redisProbe = new Probe("Redis", redis::probe);
    this.databaseProbe = new Probe("PostgreSQL", () -> database.probe(STALE));
    Gauge.builder("kinhub_redis_up", this, h -> h.redisProbe.up() ? 1 : 0).register(prometheus);
    Gauge.builder("kinhub_database_up", this, h -> h.databaseProbe.up() ? 1 : 0)
        .register(prometheus);
    this.probes =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("kinhub-health").factory());
    // the ticks only hand work to the probe threads, so the schedule never ends early; close() ends
    // it
    var unused =
        probes.scheduleWithFixedDelay(
            () -> {
              redisProbe.tick();
              databaseProbe.tick();
            },
            0,
            INTERVAL.toMillis(),
            TimeUnit.MILLISECONDS);
  }

  /**
   * One dependency's probe. The check runs on a thread of its own, so a check stuck on a hung
   * server holds up neither the other probe nor {@code /health}; the dependency counts as down as
   * soon as its last success is older than {@link #STALE}, whether the check failed or is still
   * waiting.
   */
  private static final class Probe {
    private final String name;
    private final BooleanSupplier check;
    private final ExecutorService worker;
    private final AtomicBoolean running = new AtomicBoolean();
    private volatile boolean lastCheckOk = true;
    private volatile long lastOkNanos = System.nanoTime();
    private volatile boolean reportedUp = true;

    Probe(String name, BooleanSupplier check) {
      this.name = name;
      this.check = check;
      this.worker =
          Executors.newSingleThreadExecutor(
              Thread.ofPlatform().daemon().name("kinhub-health-" + name).factory());
    }

    /** Starts a check unless one is still running, and logs a change of state. */
    void tick() {
      if (running.compareAndSet(false, true)) {
        try {
          worker.execute(this::check);
        } catch (RejectedExecutionException e) {
          running.set(false); // stopping
        }
      }
      boolean up = up();
      if (up != reportedUp) {
        reportedUp = up;
        log.warn(
            "{} is {}",
            name,
            up
                ? "reachable again"
                : "unreachable (no successful probe for " + STALE.toMillis() + " ms)");
      }
    }

    private void check() {
      boolean ok;
      try {
        ok = check.getAsBoolean();
      } catch (RuntimeException e) {
        ok = false;
      }
      if (ok) {
        lastOkNanos = System.nanoTime();
      }
      lastCheckOk = ok;
      running.set(false);
    }

    boolean up() {
      return lastCheckOk && System.nanoTime() - lastOkNanos <= STALE.toNanos();
    }

    void close() {
      worker.shutdownNow();
    }
  }

  /**
   * Lists the deployment's nodes from {@code registry} and answers {@code draining} while {@code
   * draining} says so.
   */
  public void watch(NodeRegistry registry, BooleanSupplier draining) {
    this.registry = registry;
    this.draining = draining;
  }

  public void register(RoutesConfig routes) {
    routes.get("/health", this::health);
    routes.get("/metrics", this::metrics);
    routes.get("/openapi.json", ctx -> ctx.contentType("application/json").result(openApi));
  }

  private void health(Context ctx) {
    RedisIdentity identity = redis.identity();
    boolean redisUp = redisProbe.up();
    boolean databaseUp = databaseProbe.up();
    boolean up = redisUp && databaseUp;
    NodeRegistry.View nodes =
        registry == null ? new NodeRegistry.View(List.of(), List.of()) : registry.view();
    boolean draining = this.draining.getAsBoolean();
    // down (a dependency) outranks draining (going away on purpose), which outranks degraded
    // (another node is wrong)
    String status = !up ? "down" : draining ? "draining" : nodes.consistent() ? "up" : "degraded";
    HealthBody body =
        new HealthBody(
            status,
            nodeId,
            version,
            new RedisStatus(
                redisUp ? "up" : "down", identity.mode(), identity.endpoint(), identity.runId()),
            new Status(databaseUp ? "up" : "down"),
            new Bus(bus.instanceId(), bus.trusted()),
            nodes.nodes().stream().map(Health::nodeBody).toList(),
            nodes.consistent(),
            nodes.consistent() ? null : nodes.problems());
    if (draining) {
      ctx.header("Connection", "close");
    }
    Json.respond(ctx, status.equals("up") ? 200 : 503, body);
  }

  /** The body of {@code /health}; {@code problems} only when the nodes disagree. */
  record HealthBody(
      String status,
      String node,
      String version,
      RedisStatus redis,
      Status database,
      Bus bus,
      List<NodeBody> nodes,
      boolean consistent,
      @JsonInclude(NON_NULL) List<String> problems) {}

  /** This node's Redis: reachable or not, and which server it is. */
  record RedisStatus(String status, String mode, String endpoint, String runId) {}

  /** A dependency up or down. */
  record Status(String status) {}

  /** This node's event bus: its instance and whether its invalidations are trusted. */
  record Bus(String instance, boolean trusted) {}

  /** The Redis server a node uses. */
  record RedisIdentityBody(String mode, String endpoint, String runId) {}

  /** A node of the cluster as the registry last saw it. */
  record NodeBody(
      String node,
      RedisIdentityBody redis,
      String lastSeenAt,
      String version,
      String startedAt,
      boolean draining) {}

  private static NodeBody nodeBody(NodeRegistry.Node n) {
    return new NodeBody(
        n.node(),
        new RedisIdentityBody(n.redis().mode(), n.redis().endpoint(), n.redis().runId()),
        Json.time(n.lastSeenAt().toEpochMilli()),
        n.version(),
        Json.time(n.startedAt().toEpochMilli()),
        n.draining());
  }

  private void metrics(Context ctx) {
    authorizeMetrics(ctx);
    ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(prometheus.scrape());
  }

  /**
   * Loopback peers may scrape (unless the request came through a proxy, which would make every
   * outside client look local), and so may holders of KINHUB_METRICS_TOKEN; without a token the
   * endpoint does not exist for anyone else.
   */
  private void authorizeMetrics(Context ctx) {
    String authorization = ctx.header("Authorization");
    if (metricsTokenHash.isPresent()
        && authorization != null
        && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
        && MessageDigest.isEqual(
            hash(authorization.substring(7).strip()), metricsTokenHash.get())) {
      return;
    }
    if (directFromLoopback(ctx)) {
      return;
    }
    if (metricsTokenHash.isEmpty()) {
      throw Problem.notFound("No such resource: GET /metrics");
    }
    throw Problem.unauthenticated();
  }

  private static boolean directFromLoopback(Context ctx) {
    if (ctx.header("X-Forwarded-For") != null
        || ctx.header("Forwarded") != null
        || ctx.header("X-Real-IP") != null) {
      return false;
    }
    String peer = ctx.req().getRemoteAddr();
    if (peer == null) {
      return false;
    }
    if (peer.startsWith("[") && peer.endsWith("]")) {
      peer = peer.substring(1, peer.length() - 1);
    }
    if (!peer.matches("[0-9A-Fa-f:.%a-zA-Z]+")
        || !(peer.contains(":") || peer.matches("[0-9.]+"))) {
      return false; // only IP literals; never resolve a name
    }
    try {
      return InetAddress.getByName(peer).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /** Comparing fixed-length digests in constant time reveals neither the token nor its length. */
  private static byte[] hash(String token) {
    return Digests.sha256Hex(token).getBytes(StandardCharsets.US_ASCII);
  }

  private static String versionOf() {
    String v = Health.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  private static byte[] readOpenApi() {
    try (InputStream in = Health.class.getResourceAsStream("/openapi.json")) {
      if (in == null) {
        throw new IllegalStateException("openapi.json missing from the class path");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read openapi.json", e);
    }
  }

  @Override
  public void close() {
    probes.shutdownNow();
    redisProbe.close();
    databaseProbe.close();
  }
}
