package io.kinhub.server.feed;

import io.kinhub.server.http.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One live-channel WebSocket. Like the QR socket, every frame goes through one queue with one write
 * outstanding; unlike it the queue is bounded: a client that lets more than {@code liveQueue}
 * frames pile up is disconnected (close 1008), so a slow reader costs bounded memory. When its
 * session is revoked it gets {@code session_revoked} and is closed with 4001 once that frame is
 * written.
 */
public final class LiveSocket implements Session.Listener.AutoDemanding {
  static final int REVOKED = 4001;
  private static final Logger log = LoggerFactory.getLogger(LiveSocket.class);

  final long userId;
  final String tokenHash;
  final String ip;
  final Set<Long> followees = ConcurrentHashMap.newKeySet();
  private final LiveHub hub;
  private final long createdNanos = System.nanoTime();
  private final ReentrantLock lock = new ReentrantLock();
  private final ArrayDeque<Frame> queue = new ArrayDeque<>();
  private volatile Session session;
  private volatile long lastHeard = System.nanoTime();
  private boolean writing;
  private boolean stopped;
  private boolean closing;

  private sealed interface Frame permits Text, Ping, Close {}

  private record Text(String json) implements Frame {}

  private record Ping() implements Frame {}

  private record Close(int code, String reason) implements Frame {}

  LiveSocket(long userId, String tokenHash, String ip, LiveHub hub) {
    this.userId = userId;
    this.tokenHash = tokenHash;
    this.ip = ip;
    this.hub = hub;
  }

  long lastHeard() {
    return lastHeard;
  }

  boolean neverOpened(long nanos) {
    return session == null && System.nanoTime() - createdNanos > nanos;
  }

  @Override
  public void onWebSocketOpen(Session session) {
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
      if (queue.size() >= hub.queueLimit()) {
        log.info(
            "live socket of user {}: {} frames waiting, the client is too slow; closing it",
            userId,
            queue.size());
        closing = true;
        queue.clear();
        enqueue(new Close(1008, "too slow"));
        return;
      }
      enqueue(new Text(json));
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
      queue.clear();
      enqueue(new Text(json(Map.of("type", "session_revoked"))));
      enqueue(new Close(REVOKED, "session revoked"));
    } finally {
      lock.unlock();
    }
  }

  void ping() {
    lock.lock();
    try {
      if (!stopped && !closing && session != null) {
        enqueue(new Ping());
      }
    } finally {
      lock.unlock();
    }
  }

  // caller holds the lock
  private void enqueue(Frame frame) {
    queue.add(frame);
    if (!writing) {
      writeNext();
    }
  }

  // caller holds the lock
  private void writeNext() {
    Frame frame = queue.poll();
    if (frame == null || stopped) {
      writing = false;
      return;
    }
    writing = true;
    Session s = session;
    Callback done = Callback.from(this::written, this::writeFailed);
    switch (frame) {
      case Text t -> s.sendText(t.json(), done);
      case Ping p -> s.sendPing(ByteBuffer.allocate(0), done);
      case Close c -> {
        writing = false;
        stopLocked();
        s.close(c.code(), c.reason(), Callback.NOOP);
      }
    }
  }

  private void written() {
    lock.lock();
    try {
      writeNext();
    } finally {
      lock.unlock();
    }
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

  void drop() {
    Session s = session;
    stop();
    if (s != null) {
      s.disconnect();
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
    if (stopped) {
      return;
    }
    stopped = true;
    queue.clear();
    hub.remove(this);
  }

  static String json(Object body) {
    try {
      return Json.MAPPER.writeValueAsString(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
