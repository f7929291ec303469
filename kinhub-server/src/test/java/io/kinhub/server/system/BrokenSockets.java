package io.kinhub.server.system;

import io.kinhub.server.http.KeepAlive;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sockets that throw whenever they are pinged, as a socket in an unexpected state would, added to a
 * node's keep-alive next to its real sockets.
 */
public final class BrokenSockets {
  private final List<Broken> sockets = new ArrayList<>();

  private static final class Broken implements KeepAlive.Peer {
    final AtomicInteger pings = new AtomicInteger();

    @Override
    public boolean neverOpened(long nanos) {
      return false;
    }

    @Override
    public long lastHeard() {
      return System.nanoTime(); // never silent: the keep-alive pings it every round
    }

    @Override
    public void ping() {
      pings.incrementAndGet();
      throw new IllegalStateException("a socket in a state nobody expected");
    }

    @Override
    public void drop() {}

    @Override
    public void stop() {}

    @Override
    public String toString() {
      return "broken test socket";
    }
  }

  /** Adds {@code count} broken sockets to {@code keepAlive}. */
  public static BrokenSockets addTo(KeepAlive keepAlive, int count) {
    BrokenSockets broken = new BrokenSockets();
    for (int i = 0; i < count; i++) {
      Broken socket = new Broken();
      broken.sockets.add(socket);
      keepAlive.add(socket);
    }
    return broken;
  }

  /** The fewest pings any of them got (each one threw every time). */
  public int fewestPings() {
    return sockets.stream().mapToInt(s -> s.pings.get()).min().orElse(0);
  }
}
