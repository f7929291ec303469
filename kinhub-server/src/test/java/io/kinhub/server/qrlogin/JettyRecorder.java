package io.kinhub.server.qrlogin;

import com.fasterxml.jackson.databind.JsonNode;
import io.kinhub.server.http.Json;
import java.io.IOException;
import java.net.URI;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * Jetty's own WebSocket client (an independent implementation from the JDK's) recording frames and
 * the close code.
 */
public final class JettyRecorder implements Session.Listener.AutoDemanding, QrFrames {
  private final BlockingQueue<JsonNode> messages = new LinkedBlockingQueue<>();
  private final CompletableFuture<Integer> closed = new CompletableFuture<>();
  private volatile Session session;

  public static JettyRecorder connect(WebSocketClient client, String url) throws Exception {
    JettyRecorder recorder = new JettyRecorder();
    client.connect(recorder, URI.create(url)).get(5, TimeUnit.SECONDS);
    return recorder;
  }

  @Override
  public void onWebSocketOpen(Session session) {
    this.session = session;
  }

  @Override
  public void onWebSocketText(String message) {
    try {
      messages.add(Json.MAPPER.readTree(message));
    } catch (IOException e) {
      closed.completeExceptionally(e);
    }
  }

  @Override
  public void onWebSocketClose(int statusCode, String reason, Callback callback) {
    closed.complete(statusCode);
    callback.succeed();
  }

  @Override
  public void onWebSocketError(Throwable cause) {
    closed.complete(1006);
  }

  @Override
  public BlockingQueue<JsonNode> messages() {
    return messages;
  }

  @Override
  public CompletableFuture<Integer> closed() {
    return closed;
  }

  @Override
  public void close() {
    Session s = session;
    if (s != null && s.isOpen()) {
      s.close(1000, "done", Callback.NOOP);
    }
  }
}
