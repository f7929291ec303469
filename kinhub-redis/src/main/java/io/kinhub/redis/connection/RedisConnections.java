package io.kinhub.redis.connection;

import io.kinhub.redis.RedisUnavailableException;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * The connections of one process to Redis: one shared, thread-safe command connection and one pub/sub
 * connection. Both reconnect by themselves; while disconnected, commands fail at once instead of queueing,
 * so a caller learns within its timeout that Redis is gone. TCP keepalive is on so dead peers are noticed.
 */
public final class RedisConnections implements AutoCloseable {

  /** Told when the pub/sub link drops or comes back; the event bus uses it to know when it may be deaf. */
  public interface LinkListener {
    void pubSubDisconnected();
  }

  private final RedisSettings settings;
  private final RedisURI uri;
  private final ClientResources resources;
  private final RedisClient client;
  private final StatefulRedisConnection<String, String> connection;
  private final StatefulRedisPubSubConnection<String, String> pubSub;
  private final List<LinkListener> linkListeners = new CopyOnWriteArrayList<>();
  private volatile String runId = "";

  private RedisConnections(RedisSettings settings, ClientResources resources) {
    this.settings = settings;
    this.resources = resources;
    this.uri = parse(settings.uri());
    uri.setTimeout(settings.commandTimeout());
    this.client = RedisClient.create(resources, uri);
    client.setOptions(ClientOptions.builder()
        .autoReconnect(true)
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        // each connection's own timeout (the URI's, or a longer one for blocking reads), applied to every command
        .timeoutOptions(TimeoutOptions.enabled())
        .socketOptions(SocketOptions.builder()
            .connectTimeout(settings.commandTimeout())
            .keepAlive(SocketOptions.KeepAliveOptions.builder()
                .enable()
                .idle(Duration.ofSeconds(30))
                .interval(Duration.ofSeconds(10))
                .count(3)
                .build())
            .build())
        .build());
    client.addListener(new RedisConnectionStateListener() {
      @Override
      public void onRedisDisconnected(RedisChannelHandler<?, ?> handler) {
        if (handler == pubSub) {
          linkListeners.forEach(LinkListener::pubSubDisconnected);
        }
      }

      @Override
      public void onRedisConnected(RedisChannelHandler<?, ?> handler, SocketAddress address) {
        if (handler == connection) {
          refreshRunIdQuietly();
        }
      }
    });
    try {
      this.connection = client.connect(StringCodec.UTF8);
      this.pubSub = client.connectPubSub(StringCodec.UTF8);
    } catch (RedisException e) {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
      throw new RedisUnavailableException("cannot connect to Redis at " + describe(uri) + ": " + e.getMessage(), e);
    }
    refreshRunIdQuietly();
  }

  /** Connects, failing fast with {@link RedisUnavailableException} when Redis cannot be reached. */
  public static RedisConnections connect(RedisSettings settings, ClientResources resources) {
    return new RedisConnections(settings, resources);
  }

  private static RedisURI parse(String text) {
    try {
      return RedisURI.create(text);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not a Redis URI: " + text.replaceAll("//[^@/]*@", "//***@"), e);
    }
  }

  public RedisSettings settings() {
    return settings;
  }

  /** Prefixes a key or channel name with this deployment's namespace. */
  public String key(String suffix) {
    return settings.keyPrefix() + suffix;
  }

  public RedisCommands<String, String> sync() {
    return connection.sync();
  }

  public RedisAsyncCommands<String, String> async() {
    return connection.async();
  }

  public StatefulRedisPubSubConnection<String, String> pubSub() {
    return pubSub;
  }

  public ClientResources resources() {
    return resources;
  }

  /**
   * A connection of its own, for blocking reads ({@code XREADGROUP BLOCK}) that must not hold up the shared
   * one. Its command timeout is {@code timeout}, which must exceed the longest {@code BLOCK} used on it.
   */
  public StatefulRedisConnection<String, String> connectDedicated(Duration timeout) {
    try {
      StatefulRedisConnection<String, String> dedicated = client.connect(StringCodec.UTF8);
      dedicated.setTimeout(timeout);
      return dedicated;
    } catch (RedisException e) {
      throw new RedisUnavailableException("cannot open a connection to Redis: " + e.getMessage(), e);
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

  /** The identity of the Redis this process talks to; {@code runId} is refreshed on every (re)connect. */
  public RedisIdentity identity() {
    boolean sentinel = !uri.getSentinels().isEmpty();
    return new RedisIdentity(sentinel ? "sentinel" : "standalone", describe(uri), runId);
  }

  /** Pings Redis and refreshes the run id; returns false instead of throwing. */
  public boolean probe() {
    try {
      refreshRunId();
      return true;
    } catch (RedisException e) {
      return false;
    }
  }

  private void refreshRunIdQuietly() {
    try {
      refreshRunId();
    } catch (RedisException e) {
      // stays as it was; the next probe retries
    }
  }

  private void refreshRunId() {
    if (connection == null) {
      return;
    }
    String info = connection.sync().info("server");
    for (String line : info.split("\r?\n")) {
      if (line.startsWith("run_id:")) {
        runId = line.substring("run_id:".length()).trim();
      }
    }
  }

  private static String describe(RedisURI uri) {
    if (!uri.getSentinels().isEmpty()) {
      return uri.getSentinelMasterId();
    }
    String host = uri.getHost();
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + uri.getPort();
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
