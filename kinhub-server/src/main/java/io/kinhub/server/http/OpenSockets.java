package io.kinhub.server.http;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WebSockets open on this node, whatever their endpoint: each endpoint adds a socket when it
 * opens and removes it when it ends, so that a graceful stop can tell every client to reconnect
 * elsewhere (close code 1012, Service Restart) and a degraded node can end the sockets of one kind.
 */
public final class OpenSockets {
  /** RFC 6455 / IANA close code "Service Restart": the client should reconnect, to another node. */
  public static final int SERVICE_RESTART = 1012;

  /** IANA close code "Try Again Later". */
  public static final int TRY_AGAIN_LATER = 1013;

  private static final Logger log = LoggerFactory.getLogger(OpenSockets.class);

  /** Closes one socket with a close frame. */
  @FunctionalInterface
  public interface Closer {
    void close(int code, String reason);
  }

  private record Entry(String kind, Closer closer) {}

  private final Map<Object, Entry> sockets = new ConcurrentHashMap<>();
  private volatile boolean closing;

  /**
   * Adds an open socket of {@code kind} (e.g. {@code qr}, {@code live}); {@code socket} is the key
   * for {@link #remove}.
   */
  public void add(Object socket, String kind, Closer closer) {
    sockets.put(socket, new Entry(kind, closer));
    if (closing) {
      closer.close(SERVICE_RESTART, "service restart: reconnect");
    }
  }

  public void remove(Object socket) {
    sockets.remove(socket);
  }

  public int open() {
    return sockets.size();
  }

  /** Closes every socket of {@code kind} with {@code code}. */
  public void closeAll(String kind, int code, String reason) {
    sockets.forEach(
        (socket, entry) -> {
          if (entry.kind().equals(kind)) {
            closeQuietly(entry, code, reason);
          }
        });
  }

  /** Closes every socket with 1012 (Service Restart), and any socket added from now on too. */
  public void closeAllForRestart() {
    closing = true;
    int n = sockets.size();
    sockets.values().forEach(e -> closeQuietly(e, SERVICE_RESTART, "service restart: reconnect"));
    if (n > 0) {
      log.info("asked {} WebSocket clients to reconnect to another node (close 1012)", n);
    }
  }

  private static void closeQuietly(Entry entry, int code, String reason) {
    try {
      entry.closer().close(code, reason);
    } catch (RuntimeException e) {
      log.debug("closing a {} socket failed: {}", entry.kind(), e.toString());
    }
  }
}
