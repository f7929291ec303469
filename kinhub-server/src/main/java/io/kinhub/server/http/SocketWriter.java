package io.kinhub.server.http;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/**
 * The one writer of a WebSocket: every frame (text, ping, and a last step such as a close) goes
 * through one queue, and the next is written only when the previous write's callback succeeded —
 * one outstanding write per socket, as Jetty requires. At most {@code limit} frames wait: a text
 * frame beyond that is refused, and the socket decides what a client that reads too slowly gets.
 *
 * <p>The writer has no lock of its own: it shares its socket's, which every caller holds, so that
 * the socket's state and its queue change together; the write callbacks take that lock too.
 */
public final class SocketWriter {
  private final ReentrantLock lock;
  private final int limit;
  private final Consumer<Throwable> failed;
  private final ArrayDeque<Frame> queue = new ArrayDeque<>();
  private volatile Session session;
  private boolean writing;
  private boolean stopped;

  private sealed interface Frame permits Text, Ping, Last {}

  private record Text(String json) implements Frame {}

  private record Ping() implements Frame {}

  private record Last(Runnable step) implements Frame {}

  /**
   * A writer under the socket's {@code lock}, with at most {@code limit} frames waiting; {@code
   * failed} hears of a write that failed (the peer is gone), outside the lock.
   */
  public SocketWriter(ReentrantLock lock, int limit, Consumer<Throwable> failed) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1: " + limit);
    }
    this.lock = lock;
    this.limit = limit;
    this.failed = failed;
  }

  /** The socket opened: frames may be written to {@code session} from now on. */
  public void open(Session session) {
    this.session = session;
  }

  /**
   * Queues a text frame; false, queuing nothing, when {@code limit} frames wait already. Caller
   * holds the lock.
   */
  public boolean text(String json) {
    if (queue.size() >= limit) {
      return false;
    }
    enqueue(new Text(json));
    return true;
  }

  /** Queues a ping (not counted against the limit). Caller holds the lock. */
  public void ping() {
    enqueue(new Ping());
  }

  /**
   * Runs {@code step} (under the lock) once every frame queued before it is written, and writes
   * nothing after it: a close, at once or later. Caller holds the lock.
   */
  public void last(Runnable step) {
    enqueue(new Last(step));
  }

  /** Drops the frames still waiting (the one being written goes out). Caller holds the lock. */
  public void clear() {
    queue.clear();
  }

  /** Frames waiting. Caller holds the lock. */
  public int waiting() {
    return queue.size();
  }

  /** Writes nothing more. Caller holds the lock. */
  public void stop() {
    stopped = true;
    queue.clear();
  }

  // caller holds the lock
  private void enqueue(Frame frame) {
    if (stopped) {
      return;
    }
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
    Callback done = Callback.from(this::written, failed);
    switch (frame) {
      case Text t -> s.sendText(t.json(), done);
      case Ping p -> s.sendPing(ByteBuffer.allocate(0), done);
      case Last l -> {
        writing = false;
        stop();
        l.step().run();
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
}
