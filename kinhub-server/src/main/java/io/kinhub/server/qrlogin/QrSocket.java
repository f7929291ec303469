package io.kinhub.server.qrlogin;

import io.kinhub.server.system.Json;
import io.kinhub.server.system.Problem;
import java.io.IOException;
import java.util.Map;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One browser's WebSocket: sends the current state at once and again on every change, closes with 1000
 * after a terminal one. Tracks when the peer was last heard (pongs included) for {@link QrRoutes}'s keep-alive.
 */
public final class QrSocket implements Session.Listener.AutoDemanding {
  private static final Logger log = LoggerFactory.getLogger(QrSocket.class);
  private final String id;
  private final String secretHash;
  private final QrRoutes owner;
  private final String key = java.util.UUID.randomUUID().toString();
  private volatile Session session;
  private volatile long lastHeard = System.nanoTime();
  private AutoCloseable watch;
  private java.util.concurrent.ScheduledFuture<?> timer;
  private String lastSent = "";
  private boolean closed;
  private final java.util.concurrent.locks.ReentrantLock lock = new java.util.concurrent.locks.ReentrantLock();

  QrSocket(String id, String secretHash, QrRoutes owner) {
    this.id = id;
    this.secretHash = secretHash;
    this.owner = owner;
  }

  String ticketId() {
    return id;
  }

  long lastHeard() {
    return lastHeard;
  }

  @Override
  public void onWebSocketOpen(Session session) {
    this.session = session;
    session.setIdleTimeout(owner.idleTimeout.multipliedBy(2)); // a backstop; keepAlive() decides first
    owner.sockets.put(key, this);
    watch = owner.hub.watch(id, this::refresh);
    owner.hub.submit(this::refresh);
  }

  @Override
  public void onWebSocketPong(java.nio.ByteBuffer payload) {
    lastHeard = System.nanoTime();
  }

  @Override
  public void onWebSocketText(String message) {
    lastHeard = System.nanoTime(); // the protocol has no client messages; any is a sign of life
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

  void refresh() {
    // a lock, not synchronized: the refresh does Redis and PostgreSQL I/O, which must not pin a carrier thread
    lock.lock();
    try {
      refreshLocked();
    } finally {
      lock.unlock();
    }
  }

  private void refreshLocked() {
    if (closed) {
      return;
    }
    Map<String, Object> body;
    try {
      body = owner.view(id, secretHash);
    } catch (Problem p) {
      if (p.status() == 404) {
        close(1008, "unknown QR login");
      } else {
        log.warn("QR socket {}: {}", id, p.detail());
        close(1011, "login failed; poll for the state");
      }
      return;
    } catch (RuntimeException e) {
      log.warn("QR socket {}: cannot read the ticket: {}", id, e.getMessage());
      close(1011, "temporarily unavailable; poll instead");
      return;
    }
    Object deadline = body.remove("expiresAtMillis");
    String state = (String) body.get("state");
    String fingerprint = state + "|" + body.containsKey("token");
    if (!fingerprint.equals(lastSent)) {
      try {
        session.sendText(Json.MAPPER.writeValueAsString(body), Callback.NOOP);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
      lastSent = fingerprint;
    }
    if (QrRoutes.terminal(state)) {
      close(1000, state);
      return;
    }
    if (timer != null) {
      timer.cancel(false);
    }
    if (deadline instanceof Long d) {
      timer = owner.hub.at(d, this::refresh);
    }
  }

  void ping() {
    Session s = session;
    if (s != null && s.isOpen()) {
      s.sendPing(java.nio.ByteBuffer.allocate(0), Callback.NOOP);
    }
  }

  void drop() {
    stop();
    Session s = session;
    if (s != null) {
      s.disconnect();
    }
  }

  void close(int code, String reason) {
    stop();
    Session s = session;
    if (s != null && s.isOpen()) {
      s.close(code, reason, Callback.NOOP);
    }
  }

  void stop() {
    lock.lock();
    try {
      stopLocked();
    } finally {
      lock.unlock();
    }
  }

  private void stopLocked() {
    closed = true;
    owner.sockets.remove(key);
    if (timer != null) {
      timer.cancel(false);
    }
    if (watch != null) {
      try {
        watch.close();
      } catch (Exception ignored) {
        // removing a waiter cannot fail
      }
    }
  }
}
