package io.kinhub.server.system;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

/** A real WebSocket client (java.net.http, which answers pings itself) that counts the pings. */
public final class PingCountingClient implements WebSocket.Listener, AutoCloseable {
  private final AtomicInteger pings = new AtomicInteger();
  private final CompletableFuture<Integer> closed = new CompletableFuture<>();
  private WebSocket socket;

  public static PingCountingClient connect(String url) {
    PingCountingClient client = new PingCountingClient();
    client.socket =
        HttpClient.newHttpClient()
            .newWebSocketBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .buildAsync(URI.create(url), client)
            .join();
    return client;
  }

  public int pings() {
    return pings.get();
  }

  /** Whether the server closed the socket or it failed. */
  public boolean closed() {
    return closed.isDone();
  }

  @Override
  public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
    pings.incrementAndGet();
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
    closed.completeExceptionally(error);
  }

  @Override
  public void close() {
    if (!socket.isOutputClosed()) {
      socket.sendClose(1000, "done");
    }
    socket.abort();
  }
}
