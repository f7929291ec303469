package io.kinhub.server.app;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The outermost HTTP handler: counts the requests in flight, and once the node drains answers every
 * new request but {@code /health} with {@code 503} and {@code Connection: close} (a proxy retries
 * it on another node) while the ones already running finish.
 */
final class Drain extends Handler.Wrapper {
  private static final byte[] REFUSAL =
      ("{\"type\":\"https://kinhub.dev/problems/unavailable\",\"title\":\"Service Unavailable\","
              + "\"status\":503,\"detail\":\"This node is shutting down; retry, another node will answer.\",\"code\":\"unavailable\"}")
          .getBytes(StandardCharsets.UTF_8);

  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile boolean draining;

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    if (draining && !"/health".equals(Request.getPathInContext(request))) {
      response.setStatus(503);
      response.getHeaders().put(HttpHeader.CONNECTION, "close");
      response.getHeaders().put(HttpHeader.RETRY_AFTER, "1");
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/problem+json");
      response.write(true, ByteBuffer.wrap(REFUSAL), callback);
      return true;
    }
    inFlight.incrementAndGet();
    AtomicBoolean done = new AtomicBoolean();
    Runnable finished =
        () -> {
          if (done.compareAndSet(false, true)) {
            inFlight.decrementAndGet();
          }
        };
    Callback counted =
        new Callback() {
          @Override
          public void succeeded() {
            finished.run();
            callback.succeeded();
          }

          @Override
          public void failed(Throwable cause) {
            finished.run();
            callback.failed(cause);
          }

          @Override
          public InvocationType getInvocationType() {
            return callback.getInvocationType();
          }
        };
    try {
      boolean handled = super.handle(request, response, counted);
      if (!handled) {
        finished.run();
      }
      return handled;
    } catch (Exception | Error e) {
      finished.run();
      throw e;
    }
  }

  void beginDraining() {
    draining = true;
  }

  boolean draining() {
    return draining;
  }

  int inFlight() {
    return inFlight.get();
  }
}
