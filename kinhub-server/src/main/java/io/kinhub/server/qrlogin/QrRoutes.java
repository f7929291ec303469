package io.kinhub.server.qrlogin;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import org.eclipse.jetty.ee10.websocket.server.config.JettyWebSocketServletContainerInitializer;
import io.kinhub.redis.connection.RedisConnections;
import io.kinhub.redis.events.EventBus;
import io.kinhub.server.account.Account;
import io.kinhub.server.account.AccountStore;
import io.kinhub.server.session.Authentication;
import io.kinhub.server.session.LoginBody;
import io.kinhub.server.session.Session;
import io.kinhub.server.session.SessionRoutes;
import io.kinhub.server.session.Sessions;
import io.kinhub.server.system.Json;
import io.kinhub.server.system.JsonBody;
import io.kinhub.server.system.Problem;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * QR-code login: the browser creates a ticket and learns of every change over a WebSocket (or by long
 * polling), the phone scans, confirms or cancels. Changes made on any node reach the browser on any node
 * through the event bus; the ticket itself lives only in Redis.
 *
 * <p>The token is never stored: the node that serves the browser (which holds the browser's secret) moves
 * the ticket from {@code confirmed} to {@code completed} — once, in Lua — and only then creates the session
 * for the confirming user with the browser's device label, handing the token to that one reader.
 */
public final class QrRoutes implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(QrRoutes.class);
  private static final String WS_PATH = "/ws/qr-logins/{id}";
  private static final int MAX_WAIT_SECONDS = 30;

  private final QrTickets tickets;
  final QrHub hub;
  private final Sessions sessions;
  private final AccountStore accounts;
  private final Authentication auth;
  private final Optional<String> publicUrl;
  final Map<String, QrSocket> sockets = new ConcurrentHashMap<>();
  private final Set<String> warnedPeers = ConcurrentHashMap.newKeySet();
  final Duration idleTimeout;
  private final java.util.concurrent.ScheduledExecutorService pinger = java.util.concurrent.Executors
      .newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("qr-ws-keepalive").factory());

  public QrRoutes(RedisConnections redis, EventBus bus, Sessions sessions, AccountStore accounts, Authentication auth,
      Optional<String> publicUrl, Duration scanTimeout, Duration confirmTimeout, Duration idleTimeout, MeterRegistry meters) {
    this.idleTimeout = idleTimeout;
    this.tickets = new QrTickets(redis, scanTimeout, confirmTimeout);
    this.hub = new QrHub(bus);
    this.sessions = sessions;
    this.accounts = accounts;
    this.auth = auth;
    this.publicUrl = publicUrl.map(u -> u.endsWith("/") ? u.substring(0, u.length() - 1) : u);
    long every = Math.max(100, idleTimeout.toMillis() / 3);
    pinger.scheduleWithFixedDelay(this::keepAlive, every, every, TimeUnit.MILLISECONDS);
    Gauge.builder("kinhub_qr_websockets", sockets, Map::size).description("open QR-login WebSockets on this node")
        .register(meters);
  }

  public void register(RoutesConfig routes) {
    routes.post("/api/v1/qr-logins", this::create);
    routes.get("/api/v1/qr-logins/{id}", this::poll);
    routes.get("/api/v1/qr-logins/{id}/image.svg", ctx -> image(ctx, "svg"));
    routes.get("/api/v1/qr-logins/{id}/image.png", ctx -> image(ctx, "png"));
    routes.post("/api/v1/qr-logins/{id}/scan", this::scan);
    routes.post("/api/v1/qr-logins/{id}/confirm", this::confirm);
    routes.post("/api/v1/qr-logins/{id}/cancel", this::cancel);
    // Real upgrades are taken by Jetty's upgrade filter (see configureJetty) before Javalin sees them; what
    // reaches Javalin here could not be upgraded: HTTP/1.0 (through Javalin's WebSocket path) or a GET without
    // the upgrade headers. Both get a 426 problem+json that says why.
    routes.wsBeforeUpgrade(WS_PATH, this::refuseUpgrade);
    routes.ws(WS_PATH, ws -> ws.onConnect(ctx -> ctx.closeSession(1002, "not upgradable")));
    routes.get(WS_PATH, this::refuseUpgrade);
  }

  /** Open QR WebSockets on this node. */
  public int openSockets() {
    return sockets.size();
  }

  // ---- browser side ------------------------------------------------------------------------------------

  private void create(Context ctx) {
    // the body is optional: without a Content-Type there is none, and the device comes from the User-Agent
    String device = SessionRoutes.deviceOf(ctx.header("Content-Type") == null ? null : JsonBody.read(ctx), ctx);
    QrTickets.Created created = tickets.create(device);
    String base = baseUrl(ctx);
    String wsBase = base.replaceFirst("^http", "ws");
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("id", created.id());
    body.put("secret", created.secret());
    body.put("expiresAt", Json.time(created.view().deadline()));
    body.put("qrContent", base + "/qr/" + created.id());
    body.put("imageUrl", base + "/api/v1/qr-logins/" + created.id() + "/image.svg");
    body.put("wsUrl", wsBase + "/ws/qr-logins/" + created.id() + "?secret=" + created.secret());
    body.put("pollUrl", base + "/api/v1/qr-logins/" + created.id());
    Json.respond(ctx, 201, body);
  }

  private void poll(Context ctx) {
    String id = ctx.pathParam("id");
    String secret = ctx.header("X-QR-Secret");
    if (!QrTickets.wellFormedId(id) || secret == null || secret.isBlank() || secret.length() > 128) {
      throw unknownTicket();
    }
    String secretHash = QrTickets.hash(secret.strip());
    int wait = waitSeconds(ctx);
    String known = ctx.queryParam("known");
    Map<String, Object> body = view(id, secretHash);
    if (wait > 0 && known != null && known.equals(body.get("state")) && !terminal((String) body.get("state"))) {
      CompletableFuture<Void> changed = new CompletableFuture<>();
      long deadline = System.currentTimeMillis() + wait * 1000L;
      Object expires = body.get("expiresAtMillis");
      try (AutoCloseable ignored = hub.watch(id, () -> changed.complete(null))) {
        // re-read after registering: a change between the first read and the registration is not missed
        body = view(id, secretHash);
        if (known.equals(body.get("state"))) {
          long until = expires instanceof Long e ? Math.min(deadline, e + 50) : deadline;
          changed.get(Math.max(1, until - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
          body = view(id, secretHash);
        }
      } catch (TimeoutException e) {
        body = view(id, secretHash);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception e) {
        if (e instanceof RuntimeException re) {
          throw re;
        }
        throw new IllegalStateException(e);
      }
    }
    body.remove("expiresAtMillis");
    Json.respond(ctx, 200, body);
  }

  private static int waitSeconds(Context ctx) {
    String raw = ctx.queryParam("waitSeconds");
    if (raw == null) {
      return 0;
    }
    try {
      int wait = Integer.parseInt(raw);
      if (wait >= 0 && wait <= MAX_WAIT_SECONDS) {
        return wait;
      }
    } catch (NumberFormatException e) {
      // fall through
    }
    throw Problem.invalid("waitSeconds", "'waitSeconds' must be an integer from 0 to 30.");
  }

  /**
   * The browser's view of a ticket; when it is {@code confirmed}, this call completes it and the body
   * carries the new session's token (exactly once across all readers and nodes).
   */
  Map<String, Object> view(String id, String secretHash) {
    QrTickets.View v = tickets.read(id, secretHash);
    if (v.outcome() == QrTickets.Outcome.NOT_FOUND) {
      throw unknownTicket();
    }
    if (v.changed()) {
      hub.changed(id, v.state());
    }
    if (v.state().equals("confirmed")) {
      QrTickets.View done = tickets.complete(id, secretHash);
      if (done.outcome() == QrTickets.Outcome.OK) {
        Sessions.Login login;
        try {
          Account account = accounts.findById(Long.parseLong(done.scannerId()))
              .orElseThrow(() -> new IllegalStateException("the confirming account vanished"));
          login = sessions.create(account, account.credentialVersion(), done.device())
              .orElseThrow(() -> Problem.of(409, Problem.CONFLICT, "The account's credentials changed during the QR login."));
        } catch (RuntimeException e) {
          tickets.reopen(id, secretHash); // let the next read try again
          hub.changed(id, "confirmed");
          throw e;
        }
        hub.changed(id, done.state()); // announced once the session exists
        Map<String, Object> body = body(done);
        body.putAll(LoginBody.of(login));
        body.remove("expiresAt");
        body.put("expiresAt", Json.time(login.session().absoluteExpiresAt()));
        return body;
      }
      v = done;
    }
    return body(v);
  }

  private static Map<String, Object> body(QrTickets.View v) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("state", v.state());
    if (v.deadline() > 0) {
      body.put("expiresAt", Json.time(v.deadline()));
      body.put("expiresAtMillis", v.deadline());
    }
    if (!v.scannerName().isEmpty()) {
      body.put("scannedBy", Map.of("displayName", v.scannerName()));
    }
    return body;
  }

  static boolean terminal(String state) {
    return state.equals("completed") || state.equals("cancelled") || state.equals("expired");
  }

  private void image(Context ctx, String format) {
    String id = ctx.pathParam("id");
    if (!QrTickets.wellFormedId(id)) {
      throw Problem.notFound("No such QR login.");
    }
    String content = baseUrl(ctx) + "/qr/" + id;
    ctx.header("Cache-Control", "private, max-age=300");
    if (format.equals("svg")) {
      ctx.contentType("image/svg+xml").result(QrImages.svg(content));
    } else {
      ctx.contentType("image/png").result(QrImages.png(content, 8));
    }
  }

  // ---- phone side --------------------------------------------------------------------------------------

  private void scan(Context ctx) {
    Session session = auth.require(ctx);
    String id = phoneTicket(ctx);
    QrTickets.View v = settle(tickets.scan(id, session.userId(), session.displayName()), id);
    Json.respond(ctx, 200, Map.of("state", v.state(), "device", v.device(), "createdAt", Json.time(v.createdAt()),
        "expiresAt", Json.time(v.deadline())));
  }

  private void confirm(Context ctx) {
    Session session = auth.require(ctx);
    String id = phoneTicket(ctx);
    QrTickets.View v = settle(tickets.confirm(id, session.userId()), id);
    Json.respond(ctx, 200, Map.of("state", v.state()));
  }

  private void cancel(Context ctx) {
    Session session = auth.require(ctx);
    String id = phoneTicket(ctx);
    QrTickets.View v = settle(tickets.cancel(id, session.userId()), id);
    Json.respond(ctx, 200, Map.of("state", v.state()));
  }

  private static String phoneTicket(Context ctx) {
    String id = ctx.pathParam("id");
    if (!QrTickets.wellFormedId(id)) {
      throw Problem.notFound("No such QR login.");
    }
    return id;
  }

  private QrTickets.View settle(QrTickets.View v, String id) {
    if (v.changed()) {
      hub.changed(id, v.state());
    }
    return switch (v.outcome()) {
      case OK -> v;
      case NOT_FOUND -> throw Problem.notFound("No such QR login.");
      case FORBIDDEN -> throw Problem.of(403, Problem.FORBIDDEN, "Only the user who scanned this QR code may confirm or cancel it.");
      case EXPIRED -> throw Problem.of(410, Problem.EXPIRED, "This QR login has expired; the browser shows a new code.");
      case CONFLICT -> throw Problem.of(409, Problem.CONFLICT, v.state().equals("pending")
          ? "Scan the QR code before confirming or cancelling it." : "This QR login is " + v.state() + " and cannot be used again.");
    };
  }

  private static Problem unknownTicket() {
    return Problem.notFound("No such QR login, or the secret does not match.");
  }

  // ---- WebSocket -----------------------------------------------------------------------------------------

  /** Installs the WebSocket endpoint in Jetty's upgrade filter, where it sees pongs (Javalin's handlers do not). */
  public void configureJetty(io.javalin.config.JavalinConfig cfg) {
    cfg.jetty.modifyServletContextHandler(handler -> JettyWebSocketServletContainerInitializer.configure(handler,
        (servletContext, container) -> container.addMapping("/ws/qr-logins/*", this::createSocket)));
  }

  private Object createSocket(org.eclipse.jetty.ee10.websocket.server.JettyServerUpgradeRequest req,
      org.eclipse.jetty.ee10.websocket.server.JettyServerUpgradeResponse res) {
    try {
      String path = req.getRequestPath();
      String id = path.substring(path.lastIndexOf('/') + 1);
      java.util.List<String> secrets = req.getParameterMap().get("secret");
      String secret = secrets == null || secrets.isEmpty() ? null : secrets.get(0);
      if (!QrTickets.wellFormedId(id) || secret == null || secret.isBlank() || secret.length() > 128) {
        res.sendError(404, "No such QR login, or the secret does not match.");
        return null;
      }
      String secretHash = QrTickets.hash(secret.strip());
      QrTickets.View view = tickets.read(id, secretHash);
      if (view.outcome() == QrTickets.Outcome.NOT_FOUND) {
        res.sendError(404, "No such QR login, or the secret does not match.");
        return null;
      }
      if (view.changed()) {
        hub.changed(id, view.state());
      }
      return new QrSocket(id, secretHash, this);
    } catch (RuntimeException | IOException e) {
      log.warn("QR socket upgrade failed: {}", e.toString());
      try {
        res.sendError(503, "unavailable");
      } catch (IOException ignored) {
        // the client went away
      }
      return null;
    }
  }

  private void refuseUpgrade(Context ctx) throws IOException {
    Problem problem;
    if ("HTTP/1.0".equals(ctx.protocol())) {
      log.warn("WebSocket upgrade from {} arrived as HTTP/1.0 and was refused: a proxy in front of Kinhub must speak "
          + "HTTP/1.1 to its upstream (nginx: proxy_http_version 1.1)", peer(ctx));
      problem = notUpgradable("The WebSocket upgrade arrived as HTTP/1.0. WebSockets need HTTP/1.1 end to end: a proxy in front "
          + "of Kinhub must speak HTTP/1.1 to the upstream (nginx: proxy_http_version 1.1; proxy_set_header Upgrade "
          + "$http_upgrade; proxy_set_header Connection \"upgrade\").");
    } else {
      warnOncePerPeer(ctx, "without 'Connection: Upgrade' / 'Upgrade: websocket'");
      problem = notUpgradable("This is a WebSocket endpoint: the request must carry 'Connection: Upgrade' and 'Upgrade: "
          + "websocket'. A proxy must pass both on (nginx: proxy_set_header Upgrade $http_upgrade; proxy_set_header "
          + "Connection \"upgrade\").");
    }
    // on Javalin's WebSocket path a thrown error keeps its status but loses its body: write the answer ourselves
    byte[] body = Json.MAPPER.writeValueAsBytes(Map.of("type", "https://kinhub.dev/problems/upgrade-required",
        "title", "Upgrade Required", "status", 426, "detail", problem.detail(), "code", problem.code()));
    jakarta.servlet.http.HttpServletResponse res = ctx.res();
    res.setStatus(426);
    res.setHeader("Upgrade", "websocket");
    res.setHeader("Connection", "close");
    res.setContentType("application/problem+json");
    res.setContentLength(body.length);
    res.getOutputStream().write(body);
    res.flushBuffer();
    throw problem;
  }

  private void warnOncePerPeer(Context ctx, String what) {
    String peer = ctx.req().getRemoteAddr();
    if (warnedPeers.size() < 10_000 && warnedPeers.add(peer + what)) {
      log.warn("request to a QR WebSocket from {} {} (forwarded for: {}); is a proxy dropping the upgrade headers?", peer, what,
          ctx.header("X-Forwarded-For"));
    }
  }

  private static String peer(Context ctx) {
    return ctx.req().getRemoteAddr() + ":" + ctx.req().getRemotePort();
  }

  private static Problem notUpgradable(String detail) {
    return Problem.of(426, Problem.UPGRADE_REQUIRED, detail)
        .withHeaders(Map.of("Upgrade", "websocket", "Connection", "Upgrade"));
  }

  /** Pings every socket; drops the ones that have not answered (pong or message) within the idle timeout. */
  private void keepAlive() {
    long now = System.nanoTime();
    for (QrSocket socket : sockets.values()) {
      if (now - socket.lastHeard() > idleTimeout.toNanos()) {
        log.info("QR socket {}: peer silent for {} s, dropping it", socket.ticketId(), idleTimeout.toSeconds());
        socket.drop();
      } else {
        socket.ping();
      }
    }
  }

  private String baseUrl(Context ctx) {
    if (publicUrl.isPresent()) {
      return publicUrl.get();
    }
    String proto = ctx.scheme();
    String host = ctx.header("Host");
    return proto + "://" + (host == null || host.isBlank() ? ctx.req().getLocalName() + ":" + ctx.port() : host);
  }

  @Override
  public void close() {
    pinger.shutdownNow();
    sockets.values().forEach(s -> s.close(1001, "server stopping"));
    hub.close();
  }
}
