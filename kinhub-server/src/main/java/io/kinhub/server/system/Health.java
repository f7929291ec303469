package io.kinhub.server.system;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.kinhub.redis.connection.RedisConnections;
import io.kinhub.redis.connection.RedisIdentity;
import io.kinhub.redis.events.EventBus;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /health}, {@code /metrics} and {@code /openapi.json}. Redis and PostgreSQL are probed in the
 * background every half second, so {@code /health} reflects an outage within about a second and costs
 * the dependencies nothing however often it is polled.
 */
final class Health implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Health.class);

  private final String nodeId;
  private final String version;
  private final RedisConnections redis;
  private final EventBus bus;
  private final Database database;
  private final PrometheusMeterRegistry prometheus;
  private final ScheduledExecutorService probes;
  private final byte[] openApi;
  private volatile boolean redisUp = true;
  private volatile boolean databaseUp = true;

  Health(String nodeId, RedisConnections redis, EventBus bus, Database database, PrometheusMeterRegistry prometheus) {
    this.nodeId = nodeId;
    this.version = versionOf();
    this.redis = redis;
    this.bus = bus;
    this.database = database;
    this.prometheus = prometheus;
    this.openApi = readOpenApi();
    Gauge.builder("kinhub_redis_up", this, h -> h.redisUp ? 1 : 0).register(prometheus);
    Gauge.builder("kinhub_database_up", this, h -> h.databaseUp ? 1 : 0).register(prometheus);
    this.probes = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("kinhub-health").factory());
    probes.scheduleWithFixedDelay(this::probe, 0, 500, TimeUnit.MILLISECONDS);
  }


  private void probe() {
    boolean r = redis.probe();
    boolean d = database.probe();
    if (r != redisUp) {
      log.warn("Redis is {}", r ? "reachable again" : "unreachable");
    }
    if (d != databaseUp) {
      log.warn("PostgreSQL is {}", d ? "reachable again" : "unreachable");
    }
    redisUp = r;
    databaseUp = d;
  }

  void register(RoutesConfig routes) {
    routes.get("/health", this::health);
    routes.get("/metrics", this::metrics);
    routes.get("/openapi.json", ctx -> ctx.contentType("application/json").result(openApi));
  }

  private void health(Context ctx) {
    RedisIdentity identity = redis.identity();
    boolean up = redisUp && databaseUp;
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("status", redisUp ? "up" : "down");
    r.put("mode", identity.mode());
    r.put("endpoint", identity.endpoint());
    r.put("runId", identity.runId());
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", up ? "up" : "down");
    body.put("node", nodeId);
    body.put("version", version);
    body.put("redis", r);
    body.put("database", Map.of("status", databaseUp ? "up" : "down"));
    body.put("bus", Map.of("instance", bus.instanceId(), "trusted", bus.trusted()));
    Json.respond(ctx, up ? 200 : 503, body);
  }

  private void metrics(Context ctx) {
    ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(prometheus.scrape());
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
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot read openapi.json", e);
    }
  }

  @Override
  public void close() {
    probes.shutdownNow();
  }
}
