package io.kinhub.server.http;

import io.javalin.http.Context;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import org.eclipse.jetty.ee10.websocket.server.JettyServerUpgradeRequest;
import org.eclipse.jetty.ee10.websocket.server.JettyServerUpgradeResponse;

/**
 * How every WebSocket endpoint refuses: an upgrade refused inside Jetty's upgrade filter (foreign
 * origin, caps, a degraded node) answers the {@link Problem} through {@link ProblemErrorHandler}; a
 * request that cannot be upgraded at all (HTTP/1.0, or the upgrade headers dropped by a proxy) gets
 * {@code 426 upgrade_required} with a detail that says what the proxy must do.
 */
public final class WebSocketUpgrades {
  private WebSocketUpgrades() {}

  /** Refuses an upgrade with {@code problem}; returns null, Jetty's "no socket". */
  public static Object refuse(
      JettyServerUpgradeRequest req, JettyServerUpgradeResponse res, Problem problem) {
    try {
      ProblemResponses.attach(req.getHttpServletRequest(), problem);
      problem.headers().forEach(res::setHeader);
      res.sendError(problem.status(), problem.detail());
    } catch (IOException ignored) {
      // the client went away
    }
    return null;
  }

  /** Whether the request arrived as HTTP/1.0 (a proxy not speaking HTTP/1.1 to its upstream). */
  public static boolean isHttp10(Context ctx) {
    return "HTTP/1.0".equals(ctx.protocol());
  }

  /**
   * Answers {@code 426 upgrade_required} to a request on a WebSocket path that cannot be upgraded,
   * naming the proxy setting that is missing, and ends the handler (throws the problem, whose body
   * is already written).
   */
  public static void refuseNotUpgradable(Context ctx) throws IOException {
    String detail =
        isHttp10(ctx)
            ? "The WebSocket upgrade arrived as HTTP/1.0. WebSockets need HTTP/1.1 end to end: a proxy in front of Kinhub "
                + "must speak HTTP/1.1 to the upstream (nginx: proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; "
                + "proxy_set_header Connection \"upgrade\")."
            : "This is a WebSocket endpoint: the request must carry 'Connection: Upgrade' and 'Upgrade: websocket'. A proxy "
                + "must pass both on (nginx: proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection \"upgrade\").";
    Problem problem =
        Problem.of(426, Problem.UPGRADE_REQUIRED, detail)
            .withHeaders(Map.of("Upgrade", "websocket", "Connection", "Upgrade"));
    // on Javalin's WebSocket path a thrown error keeps its status but loses its body: write the
    // answer ourselves
    byte[] body =
        Json.MAPPER.writeValueAsBytes(
            Map.of(
                "type",
                "https://kinhub.dev/problems/upgrade-required",
                "title",
                "Upgrade Required",
                "status",
                426,
                "detail",
                detail,
                "code",
                problem.code()));
    HttpServletResponse res = ctx.res();
    res.setStatus(426);
    res.setHeader("Upgrade", "websocket");
    res.setHeader("Connection", "close");
    res.setContentType("application/problem+json");
    res.setContentLength(body.length);
    res.getOutputStream().write(body);
    res.flushBuffer();
    throw problem;
  }
}
