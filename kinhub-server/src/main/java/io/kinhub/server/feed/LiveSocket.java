package io.kinhub.server.feed;

import io.kinhub.server.http.Json;
import io.kinhub.server.http.KeepAlive;
import io.kinhub.server.http.SocketWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One live-channel WebSocket. Like the QR socket, every frame goes through one {@link
 * SocketWriter}: one write outstanding, a bounded queue. A client that lets more than {@code
 * liveQueue} frames pile up is disconnected (close 1008), so a slow reader costs bounded memory.
 * When its session is revoked it gets {@code session_revoked} and is closed with 4001 once that
 * frame is written.
 */
public final class LiveSocket implements Session.Listener.AutoDemanding, KeepAlive.Peer {
  static final int REVOKED = 4001;
  private static final Logger log = LoggerFactory.getLogger(LiveSocket.class);

  final long userId;
  final String tokenHash;
  final String ip;
  final Set<Long> followees = ConcurrentHashMap.newKeySet();
  private final LiveHub hub;
  private final long createdNanos = System.nanoTime();
  private final ReentrantLock lock = new ReentrantLock();
  private final SocketWriter writer;
  private volatile Session session;
  private volatile long lastHeard = System.nanoTime();
  private boolean stopped;
  private boolean closing;

  LiveSocket(long userId, String tokenHash, String ip, LiveHub hub) {
    this.userId = userId;
    this.tokenHash = tokenHash;
    this.ip = ip;
    this.hub = hub;
    this.writer = new SocketWriter(lock, hub.queueLimit(), this::writeFailed);
  }

  @Override
  public long lastHeard() {
    return lastHeard;
  }

  @Override
  public boolean neverOpened(long nanos) {
    return session == null && System.nanoTime() - createdNanos > nanos;
  }

  @Override
  public void onWebSocketOpen(Session session) {
    writer.open(session);
    this.session = session;
    session.setIdleTimeout(
        hub.idleTimeout().multipliedBy(2)); // a backstop; the keep-alive decides first
    hub.opened(this);
  }

  @Override
  public void onWebSocketPong(ByteBuffer payload) {
    lastHeard = System.nanoTime();
  }

  @Override
  public void onWebSocketText(String message) {
    lastHeard =
        System.nanoTime(); // clients send nothing the server needs; any message is a sign of life
  }

  @Override
  public void onWebSocketClose(int status, String reason, Callback callback) {
    stop();
    callback.succeed();
  }

  @Override
  public void onWebSocketError(Throwable cause) {
    stop();
  }

  /** Queues a JSON frame; a full queue means the client is too slow and it is disconnected. */
  void send(Object body) {
    String json = json(body);
    lock.lock();
    try {
      if (stopped || closing || session == null) {
        return;
      }
      if (!writer.text(json)) {
        log.info(
            "live socket of user {}: {} frames waiting, the client is too slow; closing it",
            userId,
            writer.waiting());
        closing = true;
        writer.clear();
        closeAfterWrites(1008, "too slow");
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Tells the client its session ended and closes with 4001 once that frame is out; jumps the
   * queue.
   */
  void revoked() {
    lock.lock();
    try {
      if (stopped || closing || session == null) {
        return;
      }
      closing = true;
      writer.clear();
      writer.text(json(Map.of("type", "session_revoked")));
      closeAfterWrites(REVOKED, "session revoked");
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void ping() {
    lock.lock();
    try {
      if (!stopped && !closing && session != null) {
        writer.ping();
      }
    } finally {
      lock.unlock();
    }
  }

  // caller holds the lock
  private void closeAfterWrites(int code, String reason) {
    Session s = session;
    writer.last(
        () -> {
          stopLocked();
          s.close(code, reason, Callback.NOOP);
        });
  }

  private void writeFailed(Throwable cause) {
    log.debug("live socket of user {}: write failed: {}", userId, cause.toString());
    drop();
  }

  void close(int code, String reason) {
    Session s = session;
    stop();
    if (s != null && s.isOpen()) {
      s.close(code, reason, Callback.NOOP);
    }
  }

  @Override
  public void drop() {
    Session s = session;
    stop();
    if (s != null) {
      s.disconnect();
    }
  }

  @Override
  public void stop() {
    lock.lock();
    try {
      stopLocked();
    } finally {
      lock.unlock();
    }
  }

  private void stopLocked() {
    if (stopped) {
      return;
    }
    stopped = true;
    writer.stop();
    hub.remove(this);
  }

  @Override
  public String toString() {
    return "live socket of user " + userId;
  }

  static String json(Object body) {
    try {
      return Json.MAPPER.writeValueAsString(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
