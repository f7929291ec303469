package io.kinhub.server.node;

import io.kinhub.redis.connection.RedisConnections;
import io.kinhub.redis.connection.RedisIdentity;
import io.kinhub.server.backing.Database;
import io.kinhub.server.http.UnavailableException;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The nodes of this deployment as PostgreSQL knows them — the one store every node shares even when
 * their Redis differ. Every {@link NodeSettings#heartbeat()} the node reads its Redis identity
 * afresh ({@code INFO server}), writes it to its row and compares it with the rows of the other
 * live nodes (heartbeat younger than {@link NodeSettings#staleAfter()}).
 *
 * <h2>What counts as "another Redis"</h2>
 *
 * The {@code run_id} is what identifies a Redis server: two nodes may name one server differently
 * (a host name and its address) and still agree, and one name may reach two servers (each node's
 * own {@code localhost}). So nodes differ when both know a run id and the run ids differ; a node
 * that cannot reach its Redis writes no run id and is compared with nobody. A Redis that restarts
 * (or a Sentinel failover) changes the run id for every node, but each node notices at its own next
 * heartbeat: for up to one heartbeat the rows disagree. So a difference degrades the node only once
 * it has been seen at two heartbeats of this node between which the other node wrote its row again
 * — both identities freshly read after the change. A restart therefore never degrades a node; a
 * node on another Redis does within about two heartbeats.
 *
 * <p>A deployment is a Redis key prefix: deployments sharing one PostgreSQL but not a prefix never
 * compare.
 */
public final class NodeRegistry implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NodeRegistry.class);
  private static final Duration ERROR_EVERY = Duration.ofMinutes(1);

  /**
   * Rows this old are deleted (by whichever node heartbeats): long enough to show a node that went
   * away.
   */
  private static final Duration PRUNE_AFTER = Duration.ofHours(1);

  private static final Duration QUERY_TIMEOUT = Duration.ofSeconds(2);

  /** One node's row. {@code redis.runId()} is empty when that node could not reach its Redis. */
  public record Node(
      String node,
      String instance,
      RedisIdentity redis,
      String version,
      Instant startedAt,
      Instant lastSeenAt,
      boolean draining) {}

  /**
   * The latest comparison.
   *
   * @param nodes the live nodes, this one included, by node id
   * @param problems one sentence per node on another Redis (naming both nodes and both identities);
   *     empty when consistent
   */
  public record View(List<Node> nodes, List<String> problems) {
    public boolean consistent() {
      return problems.isEmpty();
    }
  }

  private final Database database;
  private final RedisConnections redis;
  private final String deployment;
  private final String nodeId;
  private final String instance;
  private final String version;
  private final Instant startedAt = Instant.now();
  private final NodeSettings settings;
  private final Comparison comparison = new Comparison();
  private final List<Runnable> degradedListeners = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService beats;
  private volatile View view = new View(List.of(), List.of());
  private volatile long viewNanos = System.nanoTime();
  private volatile boolean draining;
  private volatile boolean left;
  private long lastErrorNanos;
  private boolean wroteOnce;
  private long lastDuplicateNanos = System.nanoTime() - ERROR_EVERY.toNanos();

  public NodeRegistry(
      Database database,
      RedisConnections redis,
      String deployment,
      String nodeId,
      String instance,
      String version,
      NodeSettings settings) {
    this.database = database;
    this.redis = redis;
    this.deployment = deployment;
    this.nodeId = nodeId;
    this.instance = instance;
    this.version = version;
    this.settings = settings;
    this.beats =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("kinhub-node-heartbeat").factory());
  }

  /**
   * Writes the first heartbeat now (so peers see this node at once), then one every heartbeat
   * interval.
   */
  public void start() {
    // beat() catches its own failures, so the schedule never ends early; leave() ends it
    var unused =
        beats.scheduleWithFixedDelay(
            this::beat, 0, settings.heartbeat().toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Told (on the heartbeat thread) each time this node becomes degraded. */
  public void onDegraded(Runnable listener) {
    degradedListeners.add(listener);
  }

  /**
   * The latest comparison; empty once it is older than the stale limit (PostgreSQL unreachable
   * meanwhile).
   */
  public View view() {
    if (System.nanoTime() - viewNanos > settings.staleAfter().toNanos()) {
      return new View(List.of(), List.of());
    }
    return view;
  }

  /** True while another live node talks to another Redis. */
  public boolean degraded() {
    return !view().consistent();
  }

  /** Marks this node's row as draining at once. */
  public void draining() {
    draining = true;
    beats.execute(this::beat);
  }

  /** Stops heartbeating and deletes this node's row, so peers stop comparing with it at once. */
  public void leave() {
    left = true;
    beats.shutdownNow();
    try {
      beats.awaitTermination(QUERY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      database.withHandle(
          h ->
              timed(h)
                  .createUpdate(
                      "DELETE FROM node_registry WHERE deployment = :d AND node_id = :n AND instance = :i")
                  .bind("d", deployment)
                  .bind("n", nodeId)
                  .bind("i", instance)
                  .execute());
    } catch (RuntimeException e) {
      log.warn(
          "could not remove this node from the node registry ({}); peers drop it after {}",
          e.getMessage(),
          settings.staleAfter());
    }
  }

  private void beat() {
    if (left) {
      return;
    }
    try {
      boolean redisUp =
          redis.probe(); // the identity freshly read, not the one remembered from the last connect
      RedisIdentity own = redis.identity();
      RedisIdentity written = redisUp ? own : new RedisIdentity(own.mode(), own.endpoint(), "");
      List<Node> live = database.inTransaction(h -> writeAndRead(timed(h), written));
      View next = comparison.compare(nodeId, written, live);
      boolean wasDegraded = !view.consistent();
      view = next;
      viewNanos = System.nanoTime();
      report(wasDegraded, next);
    } catch (RuntimeException e) {
      log.debug("node heartbeat failed: {}", e.toString());
    }
  }

  private List<Node> writeAndRead(Handle h, RedisIdentity identity) {
    String holder =
        h.createQuery(
                "SELECT instance FROM node_registry WHERE deployment = :d AND node_id = :n FOR UPDATE")
            .bind("d", deployment)
            .bind("n", nodeId)
            .mapTo(String.class)
            .findOne()
            .orElse(null);
    if (wroteOnce
        && holder != null
        && !holder.equals(instance)
        && System.nanoTime() - lastDuplicateNanos >= ERROR_EVERY.toNanos()) {
      lastDuplicateNanos = System.nanoTime();
      log.error(
          "another live process also calls itself node '{}' (it overwrote this node's registry row): give every node its own "
              + "KINHUB_NODE_ID",
          nodeId);
    }
    h.createUpdate(
            """
        INSERT INTO node_registry (deployment, node_id, instance, redis_mode, redis_endpoint, redis_run_id, version, started_at,
                                   last_seen_at, draining)
        VALUES (:d, :n, :i, :mode, :endpoint, :runId, :version, :startedAt, now(), :draining)
        ON CONFLICT (deployment, node_id) DO UPDATE SET instance = excluded.instance, redis_mode = excluded.redis_mode,
          redis_endpoint = excluded.redis_endpoint, redis_run_id = excluded.redis_run_id, version = excluded.version,
          started_at = excluded.started_at, last_seen_at = now(), draining = excluded.draining""")
        .bind("d", deployment)
        .bind("n", nodeId)
        .bind("i", instance)
        .bind("mode", identity.mode())
        .bind("endpoint", identity.endpoint())
        .bind("runId", identity.runId())
        .bind("version", version)
        .bind("startedAt", startedAt)
        .bind("draining", draining)
        .execute();
    wroteOnce = true;
    h.createUpdate(
            "DELETE FROM node_registry WHERE last_seen_at < now() - make_interval(secs => :s)")
        .bind("s", (double) PRUNE_AFTER.toSeconds())
        .execute();
    return rows(h, deployment, settings.staleAfter(), true);
  }

  private static Handle timed(Handle h) {
    try {
      // bounds the wait even when PostgreSQL accepts nothing (a query-timeout cancel would not be
      // answered either)
      h.getConnection().setNetworkTimeout(Runnable::run, (int) QUERY_TIMEOUT.toMillis());
    } catch (SQLException e) {
      throw new UnavailableException("database", "PostgreSQL is unreachable", e);
    }
    return h;
  }

  /**
   * The rows of {@code deployment}: only the live ones, or all (for the operator's listing), by
   * node id.
   */
  static List<Node> rows(Handle h, String deployment, Duration staleAfter, boolean liveOnly) {
    return h.createQuery(
            "SELECT node_id, instance, redis_mode, redis_endpoint, redis_run_id, version, started_at, last_seen_at, draining "
                + "FROM node_registry WHERE deployment = :d"
                + (liveOnly ? " AND last_seen_at >= now() - make_interval(secs => :s)" : "")
                + " ORDER BY node_id")
        .bind("d", deployment)
        .bind("s", staleAfter.toMillis() / 1000.0)
        .setQueryTimeout((int) QUERY_TIMEOUT.toSeconds())
        .map(
            (rs, ctx) ->
                new Node(
                    rs.getString("node_id"),
                    rs.getString("instance"),
                    new RedisIdentity(
                        rs.getString("redis_mode"),
                        rs.getString("redis_endpoint"),
                        rs.getString("redis_run_id")),
                    rs.getString("version"),
                    rs.getTimestamp("started_at").toInstant(),
                    rs.getTimestamp("last_seen_at").toInstant(),
                    rs.getBoolean("draining")))
        .list();
  }

  /**
   * Every row of {@code deployment} (live or not yet pruned) and the database's clock, for {@code
   * kinhub admin nodes}.
   */
  public static Map.Entry<Instant, List<Node>> listing(Database database, String deployment) {
    return database.withHandle(
        h ->
            Map.entry(
                h.createQuery("SELECT now()").mapTo(OffsetDateTime.class).one().toInstant(),
                rows(h, deployment, Duration.ZERO, false)));
  }

  private void report(boolean wasDegraded, View next) {
    long now = System.nanoTime();
    if (!next.consistent()) {
      if (!wasDegraded || now - lastErrorNanos >= ERROR_EVERY.toNanos()) {
        lastErrorNanos = now;
        log.error(
            "nodes of this deployment talk to different Redis servers; /health answers 503 degraded and QR logins are "
                + "refused on this node until it is fixed: {}",
            String.join("; ", next.problems()));
      }
      if (!wasDegraded) {
        degradedListeners.forEach(Runnable::run);
      }
    } else if (wasDegraded) {
      log.info("every live node of this deployment talks to the same Redis again");
    }
  }

  @Override
  public void close() {
    if (!left) {
      leave();
    }
  }

  /**
   * The comparison with memory: which other node has differed since when. Only the heartbeat thread
   * uses it.
   */
  static final class Comparison {
    private record Suspect(String theirRunId, Instant theirLastSeen, int heartbeats) {}

    private final Map<String, Suspect> suspects = new HashMap<>();

    View compare(String self, RedisIdentity own, List<Node> live) {
      List<String> problems = new ArrayList<>();
      Set<String> present = live.stream().map(Node::node).collect(Collectors.toSet());
      suspects.keySet().retainAll(present);
      for (Node other : live) {
        if (other.node().equals(self)) {
          continue;
        }
        String theirs = other.redis().runId();
        if (own.runId().isEmpty() || theirs.isEmpty() || theirs.equals(own.runId())) {
          suspects.remove(other.node());
          continue;
        }
        Suspect s = suspects.get(other.node());
        if (s == null) {
          s = new Suspect(theirs, other.lastSeenAt(), 1);
        } else if (other.lastSeenAt().isAfter(s.theirLastSeen())) {
          s = new Suspect(theirs, other.lastSeenAt(), s.heartbeats() + 1);
        }
        suspects.put(other.node(), s);
        if (s.heartbeats() >= 2) {
          problems.add(
              "node "
                  + self
                  + " talks to Redis "
                  + describe(own)
                  + " but node "
                  + other.node()
                  + " to Redis "
                  + describe(other.redis()));
        }
      }
      return new View(List.copyOf(live), List.copyOf(problems));
    }

    private static String describe(RedisIdentity r) {
      return r.mode() + " " + r.endpoint() + " (runId " + r.runId() + ")";
    }
  }
}
