package io.kinhub.server.system;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A real WebSocket client (java.net.http) that answers pings and records the close code the server
 * sends.
 */
final class ClosingSocket implements WebSocket.Listener {
  private final CompletableFuture<Integer> closed = new CompletableFuture<>();
  private volatile WebSocket socket;

  static ClosingSocket connect(String url) {
    ClosingSocket s = new ClosingSocket();
    s.socket =
        HttpClient.newHttpClient()
            .newWebSocketBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .buildAsync(URI.create(url), s)
            .join();
    return s;
  }

  /** Completes with the server's close code (or -1 when the connection broke without one). */
  CompletableFuture<Integer> closed() {
    return closed;
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    closed.complete(statusCode);
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    closed.complete(-1);
  }

  void abort() {
    if (socket != null) {
      socket.abort();
    }
  }
}
