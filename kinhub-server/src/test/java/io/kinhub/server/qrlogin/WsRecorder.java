package io.kinhub.server.qrlogin;

import com.fasterxml.jackson.databind.JsonNode;
import io.kinhub.server.http.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real WebSocket client (java.net.http, answers pings) that records the frames and the close
 * code.
 */
public final class WsRecorder implements WebSocket.Listener, QrFrames {
  final BlockingQueue<JsonNode> messages = new LinkedBlockingQueue<>();
  final CompletableFuture<Integer> closed = new CompletableFuture<>();
  private final StringBuilder partial = new StringBuilder();
  WebSocket socket;

  public static WsRecorder connect(String url) {
    WsRecorder recorder = new WsRecorder();
    recorder.socket =
        HttpClient.newHttpClient()
            .newWebSocketBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .buildAsync(URI.create(url), recorder)
            .join();
    return recorder;
  }

  public JsonNode next() throws InterruptedException {
    JsonNode m = messages.poll(15, TimeUnit.SECONDS);
    if (m == null) {
      throw new AssertionError("no WebSocket message within 15 s");
    }
    return m;
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
    if (!socket.isOutputClosed()) {
      socket.sendClose(1000, "done");
    }
    socket.abort();
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    partial.append(data);
    if (last) {
      try {
        messages.add(Json.MAPPER.readTree(partial.toString()));
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
      partial.setLength(0);
    }
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
}
