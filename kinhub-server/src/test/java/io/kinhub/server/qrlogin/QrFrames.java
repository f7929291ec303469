package io.kinhub.server.qrlogin;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * What a test browser's WebSocket client recorded: the state frames and, once closed, the close
 * code.
 */
interface QrFrames extends AutoCloseable {
  BlockingQueue<JsonNode> messages();

  CompletableFuture<Integer> closed();

  @Override
  void close();

  /**
   * Waits for a frame saying {@code state}: true when one came, false when the socket closed (all
   * frames read) without one. Fails after 15 s of neither.
   */
  default boolean awaitState(String state) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (System.nanoTime() < until) {
      JsonNode m = messages().poll(50, TimeUnit.MILLISECONDS);
      if (m != null) {
        if (m.get("state").asText().equals(state)) {
          return true;
        }
      } else if (closed().isDone() && messages().isEmpty()) {
        return false;
      }
    }
    throw new AssertionError("neither '" + state + "' nor a close within 15 s");
  }
}
