package io.kinhub.redis.connection;

import io.kinhub.redis.RedisUnavailableException;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.cluster.models.partitions.Partitions;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import java.net.SocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connections of one process to Redis: one shared, thread-safe command connection and one
 * pub/sub connection, to a single Redis, a Sentinel-managed master, or a Redis Cluster. Callers see
 * the same operations in every mode ({@link RedisClusterCommands}, the commands standalone and
 * cluster connections share); keys of one multi-key command or script must share a hash tag, which
 * a single Redis ignores.
 *
 * <p>Both connections reconnect by themselves; while disconnected, commands fail at once instead of
 * queueing, so a caller learns within its timeout that Redis is gone. TCP keepalive is on so dead
 * peers are noticed. With Sentinel every reconnect asks the sentinels for the current master, so
 * after a failover both connections (pub/sub included, which then resubscribes) follow the promoted
 * replica. With a cluster the topology is refreshed periodically and on every sign of change
 * (redirections, reconnect attempts), and the pub/sub connection moves to another node when its own
 * goes away.
 */
public final class RedisConnections implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RedisConnections.class);

  /**
   * Told when the pub/sub link drops or comes back; the event bus uses it to know when it may be
   * deaf.
   */
  public interface LinkListener {
    void pubSubDisconnected();
  }

  /** How the process reaches Redis. */
  public enum Mode {
    STANDALONE,
    SENTINEL,
    CLUSTER;

    /** As shown on {@code /health}. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** A connection of its own (see {@link #connectDedicated}). */
  public interface Dedicated extends AutoCloseable {
    RedisClusterCommands<String, String> sync();

    @Override
    void close();
  }

  private final RedisSettings settings;
  private final Mode mode;
  private final String endpoint;
  private final ClientResources resources;
  private final AbstractRedisClient client;
  private final StatefulConnection<String, String> connection;
  private final RedisClusterCommands<String, String> sync;
  private final RedisClusterAsyncCommands<String, String> async;
  private final StatefulRedisPubSubConnection<String, String> pubSub;
  private final List<LinkListener> linkListeners = new CopyOnWriteArrayList<>();
  private final AtomicLong replicationShortfalls = new AtomicLong();
  private volatile String runId = "";
  private volatile int connectedReplicas;

  private RedisConnections(RedisSettings settings, ClientResources resources) {
    this.settings = settings;
    this.resources = resources;
    SocketOptions socketOptions =
        SocketOptions.builder()
            .connectTimeout(settings.commandTimeout())
            .keepAlive(
                SocketOptions.KeepAliveOptions.builder()
                    .enable()
                    .idle(Duration.ofSeconds(30))
                    .interval(Duration.ofSeconds(10))
                    .count(3)
                    .build())
            .build();
    if (isCluster(settings.uri())) {
      this.mode = Mode.CLUSTER;
      List<RedisURI> seeds = parseCluster(settings.uri(), settings.commandTimeout());
      this.endpoint = describeSeeds(seeds);
      RedisClusterClient clusterClient = RedisClusterClient.create(resources, seeds);
      clusterClient.setOptions(
          ClusterClientOptions.builder()
              .autoReconnect(true)
              .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
              .timeoutOptions(TimeoutOptions.enabled())
              .socketOptions(socketOptions)
              .maxRedirects(5)
              .topologyRefreshOptions(
                  ClusterTopologyRefreshOptions.builder()
                      // a failover inside the cluster shows as reconnect attempts, MOVED or ASK:
                      // refresh at once on those,
                      // and every 2 s anyway (a replica promoted while this process was idle)
                      .enablePeriodicRefresh(Duration.ofSeconds(2))
                      .enableAllAdaptiveRefreshTriggers()
                      .adaptiveRefreshTriggersTimeout(Duration.ofMillis(500))
                      .refreshTriggersReconnectAttempts(2)
                      .dynamicRefreshSources(true)
                      .closeStaleConnections(true)
                      .build())
              .build());
      this.client = clusterClient;
    } else {
      RedisURI uri = parse(settings.uri());
      uri.setTimeout(settings.commandTimeout());
      this.mode = uri.getSentinels().isEmpty() ? Mode.STANDALONE : Mode.SENTINEL;
      this.endpoint = describe(uri);
      RedisClient redisClient = RedisClient.create(resources, uri);
      redisClient.setOptions(
          ClientOptions.builder()
              .autoReconnect(true)
              .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
              // each connection's own timeout (the URI's, or a longer one for blocking reads),
              // applied to every command
              .timeoutOptions(TimeoutOptions.enabled())
              .socketOptions(socketOptions)
              .build());
      this.client = redisClient;
    }
    StatefulConnection<String, String>[] holder = new StatefulConnection[2];
    client.addListener(
        new RedisConnectionStateListener() {
          @Override
          @SuppressWarnings("ReferenceEquality") // the very connection object, not an equal one
          public void onRedisDisconnected(RedisChannelHandler<?, ?> handler) {
            if (handler == holder[1]) {
              linkListeners.forEach(LinkListener::pubSubDisconnected);
            }
          }

          @Override
          @SuppressWarnings("ReferenceEquality") // the very connection object, not an equal one
          public void onRedisConnected(RedisChannelHandler<?, ?> handler, SocketAddress address) {
            if (handler == holder[0]) {
              // not on the I/O thread that must deliver the answer
              Thread.ofVirtual()
                  .name("kinhub-redis-refresh")
                  .start(RedisConnections.this::refreshQuietly);
            }
          }
        });
    try {
      if (client instanceof RedisClusterClient clusterClient) {
        StatefulRedisClusterConnection<String, String> c = clusterClient.connect(StringCodec.UTF8);
        c.setTimeout(settings.commandTimeout());
        this.connection = c;
        this.sync = c.sync();
        this.async = c.async();
        this.pubSub = clusterClient.connectPubSub(StringCodec.UTF8);
      } else {
        RedisClient redisClient = (RedisClient) client;
        StatefulRedisConnection<String, String> c = redisClient.connect(StringCodec.UTF8);
        this.connection = c;
        this.sync = c.sync();
        this.async = c.async();
        this.pubSub = redisClient.connectPubSub(StringCodec.UTF8);
      }
      pubSub.setTimeout(settings.commandTimeout());
      holder[0] = connection;
      holder[1] = pubSub;
    } catch (RedisException e) {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
      throw new RedisUnavailableException(
          "cannot connect to Redis at " + endpoint + ": " + e.getMessage(), e);
    }
    refreshQuietly();
  }

  /** Connects, failing fast with {@link RedisUnavailableException} when Redis cannot be reached. */
  public static RedisConnections connect(RedisSettings settings, ClientResources resources) {
    return new RedisConnections(settings, resources);
  }

  /**
   * Whether {@code uri} names a Redis Cluster ({@code redis-cluster://} or {@code
   * rediss-cluster://}).
   */
  public static boolean isCluster(String uri) {
    return uri.startsWith("redis-cluster://") || uri.startsWith("rediss-cluster://");
  }

  /**
   * Checks a cluster URI's form without connecting; the message of the exception says what is
   * wrong.
   */
  public static void checkClusterUri(String uri) {
    parseCluster(uri, Duration.ofSeconds(1));
  }

  private static RedisURI parse(String text) {
    try {
      return RedisURI.create(text);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not a Redis URI: " + redact(text), e);
    }
  }

  private static String redact(String text) {
    return text.replaceAll("//[^@/]*@", "//***@");
  }

  /**
   * Reads {@code redis-cluster://[[user]:password@]host[:port][,host[:port]...][?...]}: the seed
   * nodes, all with the same credentials. The query part is ignored.
   */
  static List<RedisURI> parseCluster(String text, Duration timeout) {
    boolean tls = text.startsWith("rediss-cluster://");
    String rest = text.substring(text.indexOf("://") + 3);
    int query = rest.indexOf('?');
    if (query >= 0) {
      rest = rest.substring(0, query);
    }
    if (rest.endsWith("/")) {
      rest = rest.substring(0, rest.length() - 1);
    }
    String user = null;
    String password = null;
    int at = rest.lastIndexOf('@');
    if (at >= 0) {
      String info = rest.substring(0, at);
      rest = rest.substring(at + 1);
      int colon = info.indexOf(':');
      if (colon >= 0) {
        user = info.substring(0, colon).isEmpty() ? null : decode(info.substring(0, colon));
        password = decode(info.substring(colon + 1));
      } else {
        password = decode(info);
      }
    }
    List<RedisURI> seeds = new ArrayList<>();
    for (String hostPort : rest.split(",", 0)) {
      String host;
      int port = 6379;
      String hp = hostPort.trim();
      if (hp.startsWith("[")) {
        int close = hp.indexOf(']');
        if (close < 0) {
          throw new IllegalArgumentException(
              "not a Redis Cluster URI (unclosed IPv6 bracket): " + redact(text));
        }
        host = hp.substring(1, close);
        if (hp.length() > close + 1) {
          port = port(hp.substring(close + 2), text);
        }
      } else {
        int colon = hp.lastIndexOf(':');
        host = colon >= 0 ? hp.substring(0, colon) : hp;
        if (colon >= 0) {
          port = port(hp.substring(colon + 1), text);
        }
      }
      if (host.isEmpty() || hp.contains("/")) {
        throw new IllegalArgumentException(
            "not a Redis Cluster URI (redis-cluster://host:port[,host:port...], no "
                + "database number): "
                + redact(text));
      }
      RedisURI.Builder b =
          RedisURI.builder().withHost(host).withPort(port).withSsl(tls).withTimeout(timeout);
      if (password != null) {
        if (user != null) {
          b.withAuthentication(user, password);
        } else {
          b.withPassword(password.toCharArray());
        }
      }
      seeds.add(b.build());
    }
    return seeds;
  }

  private static int port(String text, String uri) {
    try {
      int port = Integer.parseInt(text);
      if (port > 0 && port < 65536) {
        return port;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw new IllegalArgumentException(
        "not a Redis Cluster URI (bad port '" + text + "'): " + redact(uri));
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  public RedisSettings settings() {
    return settings;
  }

  public Mode mode() {
    return mode;
  }

  /** Prefixes a key or channel name with this deployment's namespace. */
  public String key(String suffix) {
    return settings.keyPrefix() + suffix;
  }

  /**
   * The shared connection's commands; in a cluster each keyed command goes to its slot's master.
   */
  public RedisClusterCommands<String, String> sync() {
    return sync;
  }

  public RedisClusterAsyncCommands<String, String> async() {
    return async;
  }

  /**
   * The shared pub/sub connection. Classic {@code PUBLISH} reaches subscribers on every node of a
   * cluster, so one subscription on any node hears everything.
   */
  public StatefulRedisPubSubConnection<String, String> pubSub() {
    return pubSub;
  }

  public ClientResources resources() {
    return resources;
  }

  /**
   * A connection of its own, for blocking reads ({@code XREADGROUP BLOCK}) that must not hold up
   * the shared one. Its command timeout is {@code timeout}, which must exceed the longest {@code
   * BLOCK} used on it.
   */
  public Dedicated connectDedicated(Duration timeout) {
    try {
      StatefulConnection<String, String> dedicated;
      RedisClusterCommands<String, String> commands;
      if (client instanceof RedisClusterClient clusterClient) {
        // a client of its own: in a cluster every node connection applies its URI's timeout, which
        // must exceed BLOCK here
        RedisClusterClient own =
            RedisClusterClient.create(resources, parseCluster(settings.uri(), timeout));
        own.setOptions((ClusterClientOptions) clusterClient.getOptions());
        StatefulRedisClusterConnection<String, String> c;
        try {
          c = own.connect(StringCodec.UTF8);
        } catch (RedisException e) {
          own.shutdown(Duration.ZERO, Duration.ofSeconds(1));
          throw e;
        }
        c.setTimeout(timeout);
        RedisClusterCommands<String, String> clusterCommands = c.sync();
        return new Dedicated() {
          @Override
          public RedisClusterCommands<String, String> sync() {
            return clusterCommands;
          }

          @Override
          public void close() {
            c.close();
            own.shutdown(Duration.ZERO, Duration.ofSeconds(1));
          }
        };
      } else {
        StatefulRedisConnection<String, String> c =
            ((RedisClient) client).connect(StringCodec.UTF8);
        commands = c.sync();
        dedicated = c;
      }
      dedicated.setTimeout(timeout);
      return new Dedicated() {
        @Override
        public RedisClusterCommands<String, String> sync() {
          return commands;
        }

        @Override
        public void close() {
          dedicated.close();
        }
      };
    } catch (RedisException e) {
      throw new RedisUnavailableException(
          "cannot open a connection to Redis: " + e.getMessage(), e);
    }
  }

  public void addLinkListener(LinkListener listener) {
    linkListeners.add(listener);
  }

  public boolean commandLinkOpen() {
    return connection.isOpen();
  }

  /** Runs one call, turning every driver failure into {@link RedisUnavailableException}. */
  public <T> T call(String what, Supplier<T> call) {
    try {
      return call.get();
    } catch (RedisException e) {
      throw new RedisUnavailableException(what + " failed: " + e.getMessage(), e);
    }
  }

  /**
   * Waits until the writes this process made to {@code keys} reached a replica ({@code WAIT}), so
   * that a failover right after does not lose them: call it after a write whose loss would lose a
   * login or undo a logout, before answering. How many replicas and for how long come from the
   * settings; with {@link RedisSettings#AUTO} it waits for one replica when the master has any and
   * returns at once when it has none. {@code WAIT} covers every earlier write of the connection, so
   * one call after the last write of a request is enough; in a cluster it waits on the master of
   * each key's slot.
   *
   * <p>Fewer replicas than asked for within the timeout is not an error (the write stands on the
   * master, as it would without the wait); it is counted ({@link #replicationShortfalls}).
   *
   * @throws RedisUnavailableException when the wait itself failed: the connection dropped, so the
   *     master that took the write may be gone; the caller must not report success
   */
  public void awaitReplication(String... keys) {
    if (keys.length == 0) {
      throw new IllegalArgumentException("awaitReplication needs the written keys");
    }
    try {
      if (connection instanceof StatefulRedisClusterConnection<String, String> cluster) {
        Map<String, RedisClusterNode> masters = new LinkedHashMap<>();
        Partitions partitions = cluster.getPartitions();
        for (String key : keys) {
          RedisClusterNode master = partitions.getMasterBySlot(SlotHash.getSlot(key));
          if (master != null) {
            masters.putIfAbsent(master.getNodeId(), master);
          }
        }
        for (RedisClusterNode master : masters.values()) {
          int wanted = wanted(replicasOf(partitions, master));
          if (wanted > 0) {
            StatefulRedisConnection<String, String> node =
                cluster.getConnection(master.getUri().getHost(), master.getUri().getPort());
            long acked = node.sync().waitForReplication(wanted, settings.waitTimeout().toMillis());
            if (acked < wanted) {
              replicationShortfalls.incrementAndGet();
            }
          }
        }
        return;
      }
      int wanted = wanted(connectedReplicas);
      if (wanted > 0) {
        long acked = sync.waitForReplication(wanted, settings.waitTimeout().toMillis());
        if (acked < wanted) {
          replicationShortfalls.incrementAndGet();
          if (settings.waitReplicas() == RedisSettings.AUTO) {
            // the replica went away (or lags): stop waiting for it until the next probe sees one
            // again
            connectedReplicas = (int) acked;
          }
        }
      }
    } catch (RedisException e) {
      throw new RedisUnavailableException("WAIT for replication failed: " + e.getMessage(), e);
    }
  }

  private int wanted(int replicas) {
    int configured = settings.waitReplicas();
    if (configured == RedisSettings.AUTO) {
      return replicas > 0 ? 1 : 0;
    }
    return configured;
  }

  private static int replicasOf(Partitions partitions, RedisClusterNode master) {
    int count = 0;
    for (RedisClusterNode node : partitions) {
      if (master.getNodeId().equals(node.getSlaveOf())
          && !node.is(RedisClusterNode.NodeFlag.FAIL)
          && !node.is(RedisClusterNode.NodeFlag.EVENTUAL_FAIL)) {
        count++;
      }
    }
    return count;
  }

  /** Writes whose {@link #awaitReplication} saw fewer replicas acknowledge than it asked for. */
  public long replicationShortfalls() {
    return replicationShortfalls.get();
  }

  /**
   * The identity of the Redis this process talks to; {@code runId} is refreshed on every
   * (re)connect and probe.
   */
  public RedisIdentity identity() {
    return new RedisIdentity(mode.label(), endpoint, runId);
  }

  /** Pings Redis and refreshes the run id; returns false instead of throwing. */
  public boolean probe() {
    try {
      refresh();
      return true;
    } catch (RedisException e) {
      return false;
    }
  }

  private void refreshQuietly() {
    try {
      refresh();
    } catch (RedisException e) {
      // stays as it was; the next probe retries
    }
  }

  private void refresh() {
    if (sync == null) {
      return;
    }
    if (mode == Mode.CLUSTER) {
      // every node's id, failed ones included: stable across failovers inside the cluster,
      // different for another one
      TreeSet<String> ids = new TreeSet<>();
      for (String line : sync.clusterNodes().split("\r?\n", -1)) {
        int space = line.indexOf(' ');
        if (space > 0) {
          ids.add(line.substring(0, space));
        }
      }
      runId = sha1(String.join(",", ids));
      return;
    }
    String info = sync.info("server") + "\n" + sync.info("replication");
    for (String line : info.split("\r?\n", -1)) {
      if (line.startsWith("run_id:")) {
        String id = line.substring("run_id:".length()).trim();
        if (!id.equals(runId) && !runId.isEmpty()) {
          log.info("Redis {} now answers with run id {} (was {})", endpoint, id, runId);
        }
        runId = id;
      } else if (line.startsWith("connected_slaves:")) {
        connectedReplicas = Integer.parseInt(line.substring("connected_slaves:".length()).trim());
      }
    }
  }

  private static String sha1(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 missing from the JDK", e);
    }
  }

  private static String describe(RedisURI uri) {
    if (!uri.getSentinels().isEmpty()) {
      return uri.getSentinelMasterId();
    }
    return hostPort(uri);
  }

  private static String hostPort(RedisURI uri) {
    String host = uri.getHost();
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + uri.getPort();
  }

  private static String describeSeeds(List<RedisURI> seeds) {
    List<String> parts = new ArrayList<>();
    for (RedisURI seed : seeds) {
      parts.add(hostPort(seed));
    }
    return String.join(",", parts);
  }

  @Override
  public void close() {
    try {
      pubSub.close();
    } catch (RuntimeException ignored) {
      // closing anyway
    }
    try {
      connection.close();
    } catch (RuntimeException ignored) {
      // closing anyway
    }
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
  }
}
