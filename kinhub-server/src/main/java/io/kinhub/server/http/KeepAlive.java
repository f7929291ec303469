package io.kinhub.server.http;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keep-alive of one kind of WebSocket on this node: every third of the idle timeout it pings
 * each socket, drops those whose peer was silent (no pong, no message) for the whole idle timeout,
 * and stops upgrades that never opened. Pings are what keep a proxy from closing a quiet socket as
 * idle, so the loop outlives anything one socket (or Redis behind it) throws.
 */
public final class KeepAlive implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(KeepAlive.class);
  private static final long NEVER_OPENED_NANOS = TimeUnit.SECONDS.toNanos(10);

  /** One socket as the keep-alive sees it; its {@code toString} names it in the log. */
  public interface Peer {
    /** True when the upgrade never led to an open socket within {@code nanos}. */
    boolean neverOpened(long nanos);

    /** {@link System#nanoTime} of the last pong or message from the peer. */
    long lastHeard();

    /** Queues a ping. */
    void ping();

    /** Ends a silent peer without a close handshake. */
    void drop();

    /** Forgets an upgrade that never opened. */
    void stop();
  }

  private final Duration idleTimeout;
  private final Set<Peer> peers = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService pinger;

  /** Starts the keep-alive of the sockets of {@code kind} (the thread's name) on this node. */
  public KeepAlive(String kind, Duration idleTimeout) {
    this.idleTimeout = idleTimeout;
    this.pinger =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name(kind + "-ws-keepalive").factory());
    long every = Math.max(100, idleTimeout.toMillis() / 3);
    // round() catches whatever a socket throws, so the schedule never ends by an exception
    var unused = pinger.scheduleWithFixedDelay(this::round, every, every, TimeUnit.MILLISECONDS);
  }

  /** Keeps {@code peer} alive from now on (from its admission, before it opens). */
  public void add(Peer peer) {
    peers.add(peer);
  }

  public void remove(Peer peer) {
    peers.remove(peer);
  }

  /**
   * One round. Whatever one socket throws is logged and the round goes on with the next, and
   * whatever escapes a round is logged too: an exception leaving a task of {@code
   * scheduleWithFixedDelay} would cancel every later round, and then no socket on the node is
   * pinged again.
   */
  private void round() {
    try {
      long now = System.nanoTime();
      for (Peer peer : peers) {
        try {
          keep(peer, now);
        } catch (RuntimeException e) {
          log.warn("{}: keep-alive failed, going on with the others: {}", peer, e.toString());
        }
      }
    } catch (RuntimeException e) {
      log.warn("keep-alive round failed, the next one runs as planned: {}", e.toString());
    }
  }

  private void keep(Peer peer, long now) {
    if (peer.neverOpened(NEVER_OPENED_NANOS)) {
      peer.stop();
    } else if (now - peer.lastHeard() > idleTimeout.toNanos()) {
      log.info("{}: peer silent for {} s, dropping it", peer, idleTimeout.toSeconds());
      peer.drop();
    } else {
      peer.ping();
    }
  }

  @Override
  public void close() {
    pinger.shutdownNow();
  }
}
