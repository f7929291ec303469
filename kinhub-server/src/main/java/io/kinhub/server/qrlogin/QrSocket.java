package io.kinhub.server.qrlogin;

import io.kinhub.server.http.Json;
import io.kinhub.server.http.KeepAlive;
import io.kinhub.server.http.Problem;
import io.kinhub.server.http.SocketWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One browser's WebSocket: the current state at once, then one frame per change; never a token.
 *
 * <h2>Write discipline</h2>
 *
 * Every frame (text, ping, close) goes through one {@link SocketWriter}, which writes the next only
 * when the previous write's callback succeeded: one outstanding write per socket, as Jetty
 * requires; at most {@link #MAX_WAITING} frames wait (a client that lets more pile up is closed
 * with 1008, like a slow live-channel client; a healthy one never has more than a few). After a
 * terminal state the socket does not close at once: it waits until the terminal frame was written,
 * then gives the client {@link #CLOSE_GRACE_MS} to close first (clients do, once they see a
 * terminal state), and only then closes with 1000 itself. So no client has to finish handling a
 * message while the close is already upon it — a class of client bugs that lost the last message.
 * And since nothing rides on that last message (the session is redeemed by a POST), a socket lost
 * at any moment costs the browser one re-read on reconnect.
 */
public final class QrSocket implements Session.Listener.AutoDemanding, KeepAlive.Peer {
  static final long CLOSE_GRACE_MS = 2_000;

  /** Frames that may wait for a slow client: a handful of states and pings at most. */
  static final int MAX_WAITING = 64;

  private static final Logger log = LoggerFactory.getLogger(QrSocket.class);
  private static final long RETRY_MS = 1_000;

  private final String id;
  private final String secretHash;
  private final String ip;
  private final QrSockets owner;
  private final long createdNanos = System.nanoTime();
  private final ReentrantLock lock =
      new ReentrantLock(); // not synchronized: reads do Redis I/O on virtual threads
  private volatile Session session;
  private volatile long lastHeard = System.nanoTime();
  private AutoCloseable watch;
  private ScheduledFuture<?> timer;
  private QrState lastSent;
  private boolean closing;
  private boolean stopped;
  private final SocketWriter writer = new SocketWriter(lock, MAX_WAITING, this::writeFailed);
  private final AtomicBoolean scheduled = new AtomicBoolean();
  private final AtomicBoolean again = new AtomicBoolean();

  QrSocket(String id, String secretHash, String ip, QrSockets owner) {
    this.id = id;
    this.secretHash = secretHash;
    this.ip = ip;
    this.owner = owner;
  }

  String ticketId() {
    return id;
  }

  String ip() {
    return ip;
  }

  @Override
  public long lastHeard() {
    return lastHeard;
  }

  /** True when the upgrade never led to an open socket within {@code nanos}. */
  @Override
  public boolean neverOpened(long nanos) {
    return session == null && System.nanoTime() - createdNanos > nanos;
  }

  @Override
  public void onWebSocketOpen(Session session) {
    writer.open(session);
    this.session = session;
    session.setIdleTimeout(
        owner.idleTimeout().multipliedBy(2)); // a backstop; the keep-alive decides first
    lock.lock();
    try {
      if (stopped) {
        session.disconnect();
        return;
      }
      watch = owner.hub().watch(id, this::wake);
    } finally {
      lock.unlock();
    }
    wake(); // read after watching: no change falls between the two
  }

  @Override
  public void onWebSocketPong(ByteBuffer payload) {
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

  /**
   * Asks for a re-read. Never blocks and never piles up: at most one re-read per socket is queued
   * or running; a wake-up that comes meanwhile makes that one read once more. So however often the
   * hub wakes (every 250 ms while the bus is untrusted, with Redis perhaps slow), a node holds at
   * most one refresh per socket.
   */
  void wake() {
    again.set(true);
    if (scheduled.compareAndSet(false, true)) {
      owner.refreshStarted();
      owner.hub().submit(this::drain);
    }
  }

  private void drain() {
    try {
      while (again.getAndSet(false)) {
        refresh();
      }
    } finally {
      scheduled.set(false);
      owner.refreshEnded();
      if (again.get()) {
        wake(); // a wake-up that came between the last loop test and the release
      }
    }
  }

  /** Re-reads the ticket and sends what changed; harmless without a change. */
  private void refresh() {
    lock.lock();
    try {
      if (stopped || closing || session == null) {
        return;
      }
      QrTickets.View view;
      try {
        view = owner.logins().read(id, secretHash);
      } catch (Problem p) {
        // the ticket is gone (its Redis key expired long after the last deadline)
        closeNow(1008, "unknown QR login");
        return;
      } catch (RuntimeException e) {
        // Redis may be briefly away: keep the socket, try again; the bus is untrusted meanwhile and
        // rechecks too
        log.debug("QR socket {}: cannot read the ticket ({}), retrying", id, e.toString());
        reschedule(owner.hub().after(RETRY_MS, this::wake));
        return;
      }
      if (view.state() != lastSent) {
        lastSent = view.state();
        if (!writer.text(QrRoutes.stateJson(view))) {
          log.info("QR socket {}: {} frames waiting, the client is too slow", id, MAX_WAITING);
          closeNow(1008, "too slow");
          return;
        }
      }
      if (view.state().terminal()) {
        closing = true;
        cancelTimer();
        String reason = view.state().wire();
        writer.last(
            () -> {
              // the socket closes by itself if the grace timer is lost with the node
              var unused = owner.hub().after(CLOSE_GRACE_MS, () -> close(1000, reason));
            });
      } else if (view.deadline() > 0) {
        reschedule(owner.hub().at(view.deadline(), this::wake));
      }
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

  private void writeFailed(Throwable cause) {
    log.debug("QR socket {}: write failed: {}", id, cause.toString());
    drop();
  }

  // ---- ending
  // --------------------------------------------------------------------------------------------

  /**
   * Closes with {@code code} unless already stopped; used after the grace period and on server
   * stop.
   */
  void close(int code, String reason) {
    lock.lock();
    try {
      closeNow(code, reason);
    } finally {
      lock.unlock();
    }
  }

  // caller holds the lock
  private void closeNow(int code, String reason) {
    Session s = session;
    stop();
    if (s != null && s.isOpen()) {
      s.close(code, reason, Callback.NOOP);
    }
  }

  /** Drops a silent or broken peer without a close handshake. */
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
      if (stopped) {
        return;
      }
      stopped = true;
      writer.stop();
      owner.remove(this);
      cancelTimer();
      if (watch != null) {
        try {
          watch.close();
        } catch (Exception e) {
          throw new IllegalStateException(e); // removing a waiter cannot fail
        }
      }
    } finally {
      lock.unlock();
    }
  }

  // caller holds the lock
  private void reschedule(ScheduledFuture<?> next) {
    cancelTimer();
    timer = next;
  }

  private void cancelTimer() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  @Override
  public String toString() {
    return "QR socket " + id;
  }

  static String json(Object body) {
    try {
      return Json.MAPPER.writeValueAsString(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
