package io.kinhub.server.qrlogin;

import io.kinhub.server.http.OpenSockets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's QR WebSockets: admission (a few sockets per ticket, a bounded number per client
 * address), the keep-alive (pings every third of the idle timeout, drops peers silent for the whole
 * of it) and the count for metrics and tests.
 */
final class QrSockets implements AutoCloseable {
  /**
   * Sockets one ticket may have open on one node: a page reconnecting now and then needs one or
   * two.
   */
  static final int PER_TICKET = 8;

  private static final Logger log = LoggerFactory.getLogger(QrSockets.class);
  private static final long NEVER_OPENED_NANOS = TimeUnit.SECONDS.toNanos(10);

  private final QrLogins logins;
  private final Duration idleTimeout;

  /**
   * Sockets one client address may have open on one node (an office behind one NAT shows many login
   * pages).
   */
  private final int perIpLimit;

  private final Set<QrSocket> sockets = ConcurrentHashMap.newKeySet();
  private final AtomicInteger refreshes = new AtomicInteger();
  private final ReentrantLock admission = new ReentrantLock();
  private final Map<String, Integer> perTicket = new HashMap<>();
  private final Map<String, Integer> perIp = new HashMap<>();
  private final ScheduledExecutorService pinger =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().daemon().name("qr-ws-keepalive").factory());

  private final OpenSockets openSockets;

  QrSockets(QrLogins logins, Duration idleTimeout, int perIpLimit, OpenSockets openSockets) {
    this.openSockets = openSockets;
    this.logins = logins;
    this.idleTimeout = idleTimeout;
    this.perIpLimit = perIpLimit;
    long every = Math.max(100, idleTimeout.toMillis() / 3);
    pinger.scheduleWithFixedDelay(this::keepAlive, every, every, TimeUnit.MILLISECONDS);
  }

  QrLogins logins() {
    return logins;
  }

  QrHub hub() {
    return logins.hub;
  }

  Duration idleTimeout() {
    return idleTimeout;
  }

  /**
   * A new socket for the ticket, or why it is refused (too many sockets for the ticket or the
   * address).
   */
  AdmissionResult admit(String ticketId, String secretHash, String ip) {
    admission.lock();
    try {
      if (perTicket.getOrDefault(ticketId, 0) >= PER_TICKET) {
        return new AdmissionResult(
            Optional.empty(),
            "This QR login already has " + PER_TICKET + " open sockets; close one first.");
      }
      if (perIp.getOrDefault(ip, 0) >= perIpLimit) {
        log.warn(
            "QR socket refused: {} already holds {} QR sockets on this node (KINHUB_QR_SOCKETS_PER_IP; behind a "
                + "proxy, is KINHUB_TRUSTED_PROXIES set?)",
            ip,
            perIpLimit);
        return new AdmissionResult(
            Optional.empty(),
            "Too many QR-login sockets from your address; close some and try again.");
      }
      perTicket.merge(ticketId, 1, Integer::sum);
      perIp.merge(ip, 1, Integer::sum);
      QrSocket socket = new QrSocket(ticketId, secretHash, ip, this);
      sockets.add(socket);
      openSockets.add(socket, "qr", socket::close);
      return new AdmissionResult(Optional.of(socket), "");
    } finally {
      admission.unlock();
    }
  }

  /** A socket, or the reason it was refused. */
  record AdmissionResult(Optional<QrSocket> socket, String refusal) {}

  void remove(QrSocket socket) {
    if (!sockets.remove(socket)) {
      return;
    }
    openSockets.remove(socket);
    admission.lock();
    try {
      perTicket.computeIfPresent(socket.ticketId(), (k, n) -> n <= 1 ? null : n - 1);
      perIp.computeIfPresent(socket.ip(), (k, n) -> n <= 1 ? null : n - 1);
    } finally {
      admission.unlock();
    }
  }

  int open() {
    return sockets.size();
  }

  void refreshStarted() {
    refreshes.incrementAndGet();
  }

  void refreshEnded() {
    refreshes.decrementAndGet();
  }

  /** Socket re-reads queued or running on this node: at most one per socket. */
  int refreshesInFlight() {
    return refreshes.get();
  }

  /**
   * Pings every socket; drops those silent (no pong, no message) for the idle timeout and upgrades
   * that never opened.
   */
  private void keepAlive() {
    long now = System.nanoTime();
    for (QrSocket socket : sockets) {
      if (socket.neverOpened(NEVER_OPENED_NANOS)) {
        socket.stop();
      } else if (now - socket.lastHeard() > idleTimeout.toNanos()) {
        log.info(
            "QR socket {}: peer silent for {} s, dropping it",
            socket.ticketId(),
            idleTimeout.toSeconds());
        socket.drop();
      } else {
        socket.ping();
      }
    }
  }

  @Override
  public void close() {
    pinger.shutdownNow();
    sockets.forEach(s -> s.close(1001, "server stopping"));
  }
}
