package io.kinhub.server.qrlogin;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A loopback TCP proxy that cuts a connection at the worst moment: when the server sends bytes
 * containing a marker (e.g. {@code "confirmed"} inside an uncompressed WebSocket frame), it drops
 * the connection either before passing those bytes on or right after. Only the first match is cut;
 * later connections pass untouched.
 */
final class CuttingProxy implements AutoCloseable {
  enum Cut {
    BEFORE,
    AFTER
  }

  private final ServerSocket server;
  private final int targetPort;
  private final byte[] marker;
  private final Cut cut;
  private final AtomicBoolean armed = new AtomicBoolean(true);
  private final List<Socket> open = new CopyOnWriteArrayList<>();
  final AtomicBoolean didCut = new AtomicBoolean();

  CuttingProxy(int targetPort, String marker, Cut cut) throws IOException {
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.targetPort = targetPort;
    this.marker = marker.getBytes(StandardCharsets.UTF_8);
    this.cut = cut;
    Thread.ofVirtual().start(this::accept);
  }

  int port() {
    return server.getLocalPort();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
        open.add(client);
        open.add(upstream);
        Thread.ofVirtual().start(() -> pump(client, upstream, false));
        Thread.ofVirtual().start(() -> pump(upstream, client, true));
      } catch (IOException e) {
        return;
      }
    }
  }

  private void pump(Socket from, Socket to, boolean fromServer) {
    byte[] buffer = new byte[16384];
    try (InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream()) {
      int n;
      while ((n = in.read(buffer)) > 0) {
        boolean hit = fromServer && contains(buffer, n) && armed.compareAndSet(true, false);
        if (hit) {
          didCut.set(true);
        }
        if (hit && cut == Cut.BEFORE) {
          break;
        }
        out.write(buffer, 0, n);
        out.flush();
        if (hit) {
          break;
        }
      }
    } catch (IOException e) {
      // the other direction closed first
    } finally {
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  private boolean contains(byte[] buffer, int length) {
    outer:
    for (int i = 0; i + marker.length <= length; i++) {
      for (int j = 0; j < marker.length; j++) {
        if (buffer[i + j] != marker[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // closing
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    open.forEach(CuttingProxy::closeQuietly);
  }
}
