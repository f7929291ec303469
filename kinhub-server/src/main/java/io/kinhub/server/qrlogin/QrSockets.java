package io.kinhub.server.qrlogin;

import io.kinhub.server.http.KeepAlive;
import io.kinhub.server.http.OpenSockets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's QR WebSockets: admission (a few sockets per ticket, a bounded number per client
 * address), the keep-alive ({@link KeepAlive}) and the count for metrics and tests.
 */
final class QrSockets implements AutoCloseable {
  /**
   * Sockets one ticket may have open on one node: a page reconnecting now and then needs one or
   * two.
   */
  static final int PER_TICKET = 8;

  private static final Logger log = LoggerFactory.getLogger(QrSockets.class);

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
  private final KeepAlive keepAlive;

  private final OpenSockets openSockets;

  QrSockets(QrLogins logins, Duration idleTimeout, int perIpLimit, OpenSockets openSockets) {
    this.openSockets = openSockets;
    this.logins = logins;
    this.idleTimeout = idleTimeout;
    this.perIpLimit = perIpLimit;
    this.keepAlive = new KeepAlive("qr", idleTimeout);
  }

  /** The keep-alive of this node's QR sockets. */
  KeepAlive keepAlive() {
    return keepAlive;
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
      keepAlive.add(socket);
      openSockets.add(socket, "qr", socket::close);
      return new AdmissionResult(Optional.of(socket), "");
    } finally {
      admission.unlock();
    }
  }

  /** A socket, or the reason it was refused. */
  record AdmissionResult(Optional<QrSocket> socket, String refusal) {}

  void remove(QrSocket socket) {
    keepAlive.remove(socket);
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

  @Override
  public void close() {
    keepAlive.close();
    sockets.forEach(s -> s.close(1001, "server stopping"));
  }
}
