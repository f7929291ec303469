package io.kinhub.redis.events;

import io.kinhub.redis.RedisUnavailableException;
import io.kinhub.redis.connection.RedisConnections;
import io.kinhub.redis.script.LuaScript;
import io.kinhub.redis.script.Scripts;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Redis pub/sub channel shared by every feature of every node, which knows when it may have
 * missed a message.
 *
 * <h2>Hearing</h2>
 *
 * A node <em>trusts</em> what it heard (and so its near caches) only while all of these hold:
 *
 * <ol>
 *   <li>its pub/sub subscription is confirmed and has not dropped since the current <em>epoch</em>
 *       began (every drop, resubscription, sequence gap or registry lapse starts a new epoch and
 *       flushes);
 *   <li>a heartbeat it sent at local time {@code s} in this epoch came back to it on the channel,
 *       and
 *   <li>the same heartbeat's registry write found the node still live, and {@code now - s <
 *       trustWindow}.
 * </ol>
 *
 * Redis delivers pub/sub messages to a subscriber in the order it executed the {@code PUBLISH}es.
 * So hearing the echo of a heartbeat sent at {@code s} proves that every message Redis published
 * before that heartbeat has been handled (handlers run on the subscriber's single thread, in
 * order).
 *
 * <h2>Why an acknowledged publish is safe when it returns</h2>
 *
 * {@link #publishAndAwait} publishes message {@code m} (Redis executes it at time {@code p}),
 * learns in the same script which nodes are live, and returns when all of them acknowledged having
 * handled {@code m}, or at the latest {@code trustWindow + margin} after the publish reply arrived.
 * Take any node {@code N} and any moment {@code t} after the return at which {@code N} still trusts
 * itself, based on a heartbeat sent at {@code s}:
 *
 * <ul>
 *   <li>if Redis executed that heartbeat after {@code p}, {@code N} handled {@code m} before its
 *       echo;
 *   <li>otherwise {@code s < p}; the publisher either waited until {@code p + trustWindow}, so
 *       {@code t - s > trustWindow} and {@code N} does not trust, or it returned early because
 *       {@code N} acknowledged {@code m}, or {@code N} was not live at the snapshot. A node that is
 *       not live has no registry write within the trust window before the snapshot, so it cannot
 *       trust at {@code t} unless a later write re-registered it, and that write reports the lapse
 *       and starts a new epoch;
 *   <li>a new epoch starts empty, and caches only accept loads begun while trusted in the current
 *       epoch, that is after the subscription that will deliver every later message.
 * </ul>
 *
 * The argument compares durations measured by monotonic clocks on different machines and by Redis'
 * clock; {@code margin} covers their rate differences. A wall-clock step on the Redis host larger
 * than the margin during a revocation is outside what it covers.
 */
public final class EventBus implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EventBus.class);
  private static final String VERSION = "v1";
  private static final long NONE = Long.MIN_VALUE;
  private static final LuaScript HEARTBEAT =
      LuaScript.fromResource(EventBus.class, "/io/kinhub/redis/lua/bus_heartbeat.lua");
  private static final LuaScript PUBLISH =
      LuaScript.fromResource(EventBus.class, "/io/kinhub/redis/lua/bus_publish.lua");
  private static final LuaScript SEND =
      LuaScript.fromResource(EventBus.class, "/io/kinhub/redis/lua/bus_send.lua");

  private final RedisConnections redis;
  private final Scripts scripts;
  private final BusSettings settings;
  private final String instanceId;
  private final String channel;
  private final String registryKey;
  private final Map<String, List<Consumer<String>>> handlers = new ConcurrentHashMap<>();
  private final List<Consumer<String>> deafnessListeners = new CopyOnWriteArrayList<>();
  private final Map<String, PendingAcks> pending = new ConcurrentHashMap<>();
  private final Map<String, Long> lastSeqByPublisher = new ConcurrentHashMap<>();
  private final ScheduledExecutorService heartbeats;
  private final Object publishLock = new Object();
  private final Object hearingLock = new Object();
  private final Counter flushes;
  private final Counter received;
  private final Counter acksMissing;
  private final Timer ackWait;

  private long nextSeq = 1; // guarded by publishLock
  private long epoch; // guarded by hearingLock
  private boolean subscribed; // guarded by hearingLock
  private long lastEchoedSentAt = NONE; // guarded by hearingLock
  private long lastRegisteredSentAt = NONE; // guarded by hearingLock
  private volatile long trustedUntil = NONE;
  private volatile long currentEpoch;
  private volatile boolean registryHealthy;
  private volatile boolean closed;

  private EventBus(
      RedisConnections redis, BusSettings settings, String nodeId, MeterRegistry meters) {
    this.redis = redis;
    this.scripts = new Scripts(redis);
    this.settings = settings;
    this.instanceId = nodeId.replaceAll("[^A-Za-z0-9._-]", "_") + "-" + randomHex();
    this.channel = redis.key("bus");
    this.registryKey = redis.key("bus:nodes");
    this.flushes =
        Counter.builder("kinhub_bus_deafness_total")
            .description("times this node stopped trusting what it heard and flushed its caches")
            .register(meters);
    this.received =
        Counter.builder("kinhub_bus_messages_received_total")
            .description("messages this node received on the event bus")
            .register(meters);
    this.acksMissing =
        Counter.builder("kinhub_bus_acks_missing_total")
            .description("live nodes that did not acknowledge within the wait")
            .register(meters);
    this.ackWait =
        Timer.builder("kinhub_bus_ack_wait")
            .description("time a publisher waited for acknowledgements")
            .publishPercentiles(0.5, 0.99)
            .register(meters);
    Gauge.builder("kinhub_bus_trusted", this, bus -> bus.trusted() ? 1 : 0)
        .description("1 while this node can prove it has heard every invalidation")
        .register(meters);
    this.heartbeats =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("kinhub-bus-heartbeat").factory());
  }

  /**
   * Subscribes, starts heartbeats, and returns once the subscription is confirmed (or fails fast).
   */
  public static EventBus start(
      RedisConnections redis, BusSettings settings, String nodeId, MeterRegistry meters) {
    EventBus bus = new EventBus(redis, settings, nodeId, meters);
    bus.open();
    return bus;
  }

  private void open() {
    redis.addLinkListener(() -> becomeDeaf("pub/sub link dropped"));
    redis
        .pubSub()
        .addListener(
            new RedisPubSubAdapter<>() {
              @Override
              public void message(String ch, String message) {
                if (channel.equals(ch)) {
                  onMessage(message);
                }
              }

              @Override
              public void subscribed(String ch, long count) {
                if (channel.equals(ch)) {
                  synchronized (hearingLock) {
                    subscribed = true;
                    newEpoch("subscribed");
                  }
                }
              }
            });
    redis.call(
        "SUBSCRIBE " + channel,
        () -> {
          redis.pubSub().sync().subscribe(channel);
          return null;
        });
    redis.call(
        "SCRIPT LOAD",
        () -> {
          redis.sync().scriptLoad(HEARTBEAT.source());
          redis.sync().scriptLoad(SEND.source());
          return redis.sync().scriptLoad(PUBLISH.source());
        });
    long period = settings.heartbeatInterval().toNanos();
    // heartbeat() catches its own failures, so the schedule never ends early; close() ends it
    var unused = heartbeats.scheduleAtFixedRate(this::heartbeat, 0, period, TimeUnit.NANOSECONDS);
  }

  /** This process' unique id on the bus: the node id plus a random suffix. */
  public String instanceId() {
    return instanceId;
  }

  /**
   * True while this node can prove it has handled every message published up to a short while ago.
   */
  public boolean trusted() {
    long until = trustedUntil;
    return until != NONE && System.nanoTime() - until < 0;
  }

  /** Changes whenever trust was lost; caches compare it around a load. */
  public long epoch() {
    return currentEpoch;
  }

  /** Whether the last heartbeat reached Redis. */
  public boolean registryHealthy() {
    return registryHealthy;
  }

  public BusSettings settings() {
    return settings;
  }

  /**
   * Runs {@code handler} (quickly, on the subscriber thread, in publish order) for every message on
   * {@code topic}.
   */
  public void subscribe(String topic, Consumer<String> handler) {
    checkTopic(topic);
    handlers.computeIfAbsent(topic, t -> new CopyOnWriteArrayList<>()).add(handler);
  }

  /**
   * Called with the reason whenever this node may have missed messages; caches flush themselves.
   */
  public void onDeafness(Consumer<String> listener) {
    deafnessListeners.add(listener);
  }

  /** Publishes without waiting for anyone. */
  public void publish(String topic, String payload) {
    checkTopic(topic);
    synchronized (publishLock) {
      String message = format(nextSeq++, 'E', topic, payload);
      send(message);
    }
  }

  /**
   * Publishes and waits until every live node acknowledged having handled the message, or at most
   * {@code trustWindow + margin} after Redis took it; see the class documentation for why either
   * outcome means every node has dropped whatever the message invalidates.
   *
   * @throws RedisUnavailableException when the message could not be published; the caller must not
   *     report success, because other nodes may still trust stale data
   */
  public Delivery publishAndAwait(String topic, String payload) {
    checkTopic(topic);
    long started = System.nanoTime();
    PendingAcks acks = new PendingAcks();
    String messageId;
    List<String> live;
    String message;
    CompletionStage<List<String>> firstAttempt;
    synchronized (publishLock) {
      long seq = nextSeq++;
      messageId = instanceId + ":" + seq;
      message = format(seq, 'R', topic, payload);
      pending.put(messageId, acks);
      // dispatched under the lock, like every other message of this node: commands on one
      // connection reach Redis in
      // the order they were sent, so receivers see this node's sequence numbers in order (no false
      // gaps)
      firstAttempt =
          scripts.runAsync(
              PUBLISH,
              ScriptOutputType.MULTI,
              List.of(registryKey),
              channel,
              message,
              Long.toString(settings.liveWindow().toMillis()));
    }
    try {
      live = awaitFirstOrRetry(firstAttempt, message, started);
    } catch (RuntimeException e) {
      pending.remove(messageId);
      throw e;
    }
    long publishedAt = System.nanoTime();
    Set<String> expected = new HashSet<>(live);
    expected.remove(instanceId);
    long deadline = publishedAt + settings.trustWindow().plus(settings.margin()).toNanos();
    Set<String> missing;
    try {
      missing = acks.await(expected, deadline);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      // still honour the guarantee: wait out the trust window before reporting
      sleepUntil(deadline);
      missing = acks.missing(expected);
    } finally {
      pending.remove(messageId);
    }
    Duration waited = Duration.ofNanos(System.nanoTime() - started);
    ackWait.record(waited);
    if (!missing.isEmpty()) {
      acksMissing.increment(missing.size());
      log.info(
          "bus message {} on {}: no acknowledgement from {} within {} ms; they no longer trust their caches",
          messageId,
          topic,
          missing,
          waited.toMillis());
    }
    return new Delivery(Set.copyOf(expected), Set.copyOf(missing), waited);
  }

  /**
   * The first attempt's answer, else retries. A retry may reach Redis after later messages of this
   * node; receivers then see a sequence gap and distrust themselves — the safe side, and only when
   * Redis was failing anyway.
   */
  private List<String> awaitFirstOrRetry(
      CompletionStage<List<String>> first, String message, long started) {
    try {
      return first.toCompletableFuture().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RedisUnavailableException("interrupted while publishing on the event bus", e);
    } catch (ExecutionException e) {
      if (System.nanoTime() - (started + settings.trustWindow().toNanos()) > 0 || closed) {
        throw new RedisUnavailableException(
            "could not publish on the event bus: " + e.getCause(), e.getCause());
      }
      return publishWithRetry(message, started);
    }
  }

  private List<String> publishWithRetry(String message, long started) {
    long giveUp = started + settings.trustWindow().toNanos();
    RuntimeException last = null;
    while (true) {
      try {
        List<String> live =
            scripts.run(
                PUBLISH,
                ScriptOutputType.MULTI,
                List.of(registryKey),
                channel,
                message,
                Long.toString(settings.liveWindow().toMillis()));
        return live;
      } catch (RedisUnavailableException e) {
        last = e;
      }
      if (System.nanoTime() - giveUp > 0 || closed) {
        throw last;
      }
      sleepUntil(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50));
    }
  }

  private static void sleepUntil(long deadline) {
    long remaining;
    while ((remaining = deadline - System.nanoTime()) > 0) {
      try {
        TimeUnit.NANOSECONDS.sleep(remaining);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private void heartbeat() {
    if (closed) {
      return;
    }
    try {
      long sentAt = System.nanoTime();
      long epochAtSend = currentEpoch;
      synchronized (publishLock) {
        String message = format(nextSeq++, 'H', "", epochAtSend + ":" + sentAt);
        scripts
            .<Long>runAsync(
                HEARTBEAT,
                ScriptOutputType.INTEGER,
                List.of(registryKey),
                instanceId,
                channel,
                message,
                Long.toString(settings.liveWindow().toMillis()),
                Long.toString(Duration.ofMinutes(10).toMillis()))
            .whenComplete(
                (wasLive, error) -> onHeartbeatReply(epochAtSend, sentAt, wasLive, error));
      }
    } catch (RuntimeException e) {
      registryHealthy = false;
      log.debug("heartbeat not sent: {}", e.toString());
    }
  }

  private void onHeartbeatReply(long epochAtSend, long sentAt, Long wasLive, Throwable error) {
    if (error != null) {
      if (registryHealthy) {
        log.warn("node heartbeat failed: {}", error.getMessage());
      }
      registryHealthy = false;
      return;
    }
    registryHealthy = true;
    synchronized (hearingLock) {
      if (epochAtSend != epoch) {
        return;
      }
      if (wasLive == null || wasLive == 0L) {
        // the registry had forgotten this node (start, or a lapse): anyone may have skipped us
        // since
        newEpoch("not registered as live");
        return;
      }
      lastRegisteredSentAt = Math.max(lastRegisteredSentAt, sentAt);
      recomputeTrust();
    }
  }

  private void onMessage(String message) {
    received.increment();
    String[] parts = message.split("\\|", 6);
    if (parts.length != 6 || !VERSION.equals(parts[0])) {
      log.warn("ignoring malformed bus message");
      return;
    }
    String publisher = parts[1];
    long seq;
    try {
      seq = Long.parseLong(parts[2]);
    } catch (NumberFormatException e) {
      log.warn("ignoring bus message with a bad sequence number from {}", publisher);
      return;
    }
    checkSequence(publisher, seq);
    char kind = parts[3].isEmpty() ? '?' : parts[3].charAt(0);
    String topic = parts[4];
    String payload = parts[5];
    switch (kind) {
      case 'H' -> {
        if (publisher.equals(instanceId)) {
          onOwnEcho(payload);
        }
      }
      case 'E' -> dispatch(topic, payload);
      case 'R' -> {
        dispatch(topic, payload);
        if (!publisher.equals(instanceId)) {
          acknowledge(publisher + ":" + seq);
        }
      }
      case 'A' -> {
        PendingAcks acks = pending.get(payload);
        if (acks != null) {
          acks.add(publisher);
        }
      }
      default -> log.warn("ignoring bus message of unknown kind {}", parts[3]);
    }
  }

  private void checkSequence(String publisher, long seq) {
    Long previous = lastSeqByPublisher.put(publisher, seq);
    if (previous != null && seq != previous + 1) {
      becomeDeaf("sequence gap from " + publisher + ": " + previous + " -> " + seq);
    }
  }

  private void dispatch(String topic, String payload) {
    List<Consumer<String>> list = handlers.get(topic);
    if (list == null) {
      return;
    }
    for (Consumer<String> handler : list) {
      try {
        handler.accept(payload);
      } catch (RuntimeException e) {
        log.error("bus handler for {} failed", topic, e);
      }
    }
  }

  // caller holds publishLock: messages leave in sequence order
  private void send(String message) {
    if (redis.mode() == RedisConnections.Mode.CLUSTER) {
      // a cluster client would route a plain PUBLISH by the channel's slot, to another node than
      // the scripts' (keyed on
      // the registry): keep every bus message on one node, in one order (bus_send.lua)
      scripts
          .<Long>runAsync(SEND, ScriptOutputType.INTEGER, List.of(registryKey), channel, message)
          .whenComplete(EventBus::unsent);
    } else {
      redis.async().publish(channel, message).whenComplete(EventBus::unsent);
    }
  }

  /**
   * A message that did not leave: the receivers see the gap in the sequence numbers and stop
   * trusting their caches until the bus is whole again, so this is only worth a debug line.
   */
  private static void unsent(Object reply, Throwable failure) {
    if (failure != null) {
      log.debug("bus message not sent: {}", failure.toString());
    }
  }

  private void acknowledge(String messageId) {
    try {
      synchronized (publishLock) {
        send(format(nextSeq++, 'A', "", messageId));
      }
    } catch (RuntimeException e) {
      log.debug("acknowledgement not sent: {}", e.toString());
    }
  }

  private void onOwnEcho(String payload) {
    int colon = payload.indexOf(':');
    long echoEpoch;
    long sentAt;
    try {
      echoEpoch = Long.parseLong(payload.substring(0, colon));
      sentAt = Long.parseLong(payload.substring(colon + 1));
    } catch (RuntimeException e) {
      return;
    }
    synchronized (hearingLock) {
      if (echoEpoch == epoch && subscribed) {
        lastEchoedSentAt = Math.max(lastEchoedSentAt, sentAt);
        recomputeTrust();
      }
    }
  }

  private void becomeDeaf(String reason) {
    if (closed) {
      return;
    }
    synchronized (hearingLock) {
      if (reason.startsWith("pub/sub")) {
        subscribed = false;
      }
      newEpoch(reason);
    }
  }

  // caller holds hearingLock
  private void newEpoch(String reason) {
    epoch++;
    currentEpoch = epoch;
    lastEchoedSentAt = NONE;
    lastRegisteredSentAt = NONE;
    trustedUntil = NONE;
    flushes.increment();
    if (!closed && epoch > 2) {
      log.info("event bus: cache trust reset ({}); flushing near caches until whole again", reason);
    }
    for (Consumer<String> listener : deafnessListeners) {
      listener.accept(reason);
    }
  }

  // caller holds hearingLock
  private void recomputeTrust() {
    if (lastEchoedSentAt == NONE || lastRegisteredSentAt == NONE) {
      return;
    }
    trustedUntil =
        Math.min(lastEchoedSentAt, lastRegisteredSentAt) + settings.trustWindow().toNanos();
  }

  private String format(long seq, char kind, String topic, String payload) {
    return VERSION + "|" + instanceId + "|" + seq + "|" + kind + "|" + topic + "|" + payload;
  }

  private static void checkTopic(String topic) {
    if (topic.isEmpty() || topic.indexOf('|') >= 0) {
      throw new IllegalArgumentException(
          "bus topic must be non-empty and free of '|' but was '" + topic + "'");
    }
  }

  private static String randomHex() {
    byte[] bytes = new byte[6];
    new SecureRandom().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  @Override
  public void close() {
    closed = true;
    heartbeats.shutdownNow();
    try {
      heartbeats.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      redis.sync().zrem(registryKey, instanceId);
    } catch (RuntimeException e) {
      log.debug("could not deregister {}: {}", instanceId, e.toString());
    }
  }

  /**
   * Acknowledgements collected for one message; acks may arrive before the list of expected nodes.
   * A lock and condition rather than a monitor: the publisher waits on a virtual thread, which must
   * not pin its carrier.
   */
  private static final class PendingAcks {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Set<String> acked = new HashSet<>();

    void add(String instance) {
      lock.lock();
      try {
        acked.add(instance);
        changed.signalAll();
      } finally {
        lock.unlock();
      }
    }

    Set<String> await(Set<String> expected, long deadline) throws InterruptedException {
      lock.lock();
      try {
        while (true) {
          Set<String> missing = missingLocked(expected);
          long remaining = deadline - System.nanoTime();
          if (missing.isEmpty() || remaining <= 0) {
            return missing;
          }
          changed.awaitNanos(remaining);
        }
      } finally {
        lock.unlock();
      }
    }

    Set<String> missing(Set<String> expected) {
      lock.lock();
      try {
        return missingLocked(expected);
      } finally {
        lock.unlock();
      }
    }

    private Set<String> missingLocked(Set<String> expected) {
      Set<String> missing = new HashSet<>(expected);
      missing.removeAll(acked);
      return missing;
    }
  }
}
