package io.kinhub.server.qrlogin;

import static io.kinhub.server.session.RouteAccess.SESSION;

import io.javalin.config.JavalinConfig;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.kinhub.redis.connection.RedisConnections;
import io.kinhub.redis.events.EventBus;
import io.kinhub.server.abuse.ClientIp;
import io.kinhub.server.account.AccountStore;
import io.kinhub.server.http.Json;
import io.kinhub.server.http.JsonBody;
import io.kinhub.server.http.KeepAlive;
import io.kinhub.server.http.OpenSockets;
import io.kinhub.server.http.Problem;
import io.kinhub.server.http.WebSocketUpgrades;
import io.kinhub.server.session.Authentication;
import io.kinhub.server.session.Session;
import io.kinhub.server.session.SessionRoutes;
import io.kinhub.server.session.Sessions;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.eclipse.jetty.ee10.websocket.server.JettyServerUpgradeRequest;
import org.eclipse.jetty.ee10.websocket.server.JettyServerUpgradeResponse;
import org.eclipse.jetty.ee10.websocket.server.config.JettyWebSocketServletContainerInitializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * QR-code login over HTTP and WebSocket: routes only. The browser creates a ticket, learns of every
 * change over a WebSocket (or by long polling) and, told {@code confirmed}, redeems its session
 * with a POST; the phone scans, confirms or cancels. The state machine is {@link QrLogins}, the
 * sockets {@link QrSockets}.
 */
public final class QrRoutes implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(QrRoutes.class);
  private static final String WS_PATH = "/ws/qr-logins/{id}";
  private static final int MAX_WAIT_SECONDS = 30;
  private static final int MAX_SECRET = 128;
  private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[\\x21-\\x7e]{8,128}");

  private final QrLogins logins;
  private final QrSockets sockets;
  private final ClientIp clientIp;
  private final Supplier<String> publicBase;
  private final Supplier<Set<String>> ownOrigins;
  private final Set<String> warnedPeers = ConcurrentHashMap.newKeySet();
  private final Supplier<Optional<Problem>> refusal;

  /**
   * @param publicBase the deployment's public base URL ({@code KINHUB_PUBLIC_URL}, else this node's
   *     own address): every URL in a body or a QR image is built from it, never from the request's
   *     {@code Host}
   * @param ownOrigins the origins a browser page of this deployment has; a WebSocket from any other
   *     is refused
   * @param openSockets where every QR socket is registered while open (a stopping node closes them
   *     all)
   * @param refusal why this node must not serve QR logins right now (it is degraded), else empty:
   *     then every QR request but the images, and every socket upgrade, gets that problem instead
   *     of a ticket that could never complete
   */
  public QrRoutes(
      RedisConnections redis,
      EventBus bus,
      Sessions sessions,
      AccountStore accounts,
      ClientIp clientIp,
      Supplier<String> publicBase,
      Supplier<Set<String>> ownOrigins,
      Duration scanTimeout,
      Duration confirmTimeout,
      Duration idleTimeout,
      int socketsPerIp,
      MeterRegistry meters,
      OpenSockets openSockets,
      Supplier<Optional<Problem>> refusal) {
    this.logins =
        new QrLogins(
            new QrTickets(redis, scanTimeout, confirmTimeout), new QrHub(bus), sessions, accounts);
    this.sockets = new QrSockets(logins, idleTimeout, socketsPerIp, openSockets);
    this.refusal = refusal;
    this.clientIp = clientIp;
    this.publicBase = () -> stripSlash(publicBase.get());
    this.ownOrigins = ownOrigins;
    Gauge.builder("kinhub_qr_websockets", sockets, QrSockets::open)
        .description("open QR-login WebSockets on this node")
        .register(meters);
    Gauge.builder("kinhub_qr_socket_refreshes", sockets, QrSockets::refreshesInFlight)
        .description("QR socket re-reads queued or running on this node (at most one per socket)")
        .register(meters);
  }

  private static String stripSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  public void register(RoutesConfig routes) {
    routes.before(
        ctx -> {
          String path = ctx.path();
          if (path.startsWith("/api/v1/qr-logins")
              && !path.endsWith("/image.svg")
              && !path.endsWith("/image.png")) {
            refuseIfUnusable();
          }
        });
    routes.post("/api/v1/qr-logins", this::create);
    routes.get("/api/v1/qr-logins/{id}", this::poll);
    routes.post("/api/v1/qr-logins/{id}/session", this::redeem);
    routes.get("/api/v1/qr-logins/{id}/image.svg", ctx -> image(ctx, "svg"));
    routes.get("/api/v1/qr-logins/{id}/image.png", ctx -> image(ctx, "png"));
    routes.post("/api/v1/qr-logins/{id}/scan", this::scan, SESSION);
    routes.post("/api/v1/qr-logins/{id}/confirm", this::confirm, SESSION);
    routes.post("/api/v1/qr-logins/{id}/cancel", this::cancel, SESSION);
    // Real upgrades are taken by Jetty's upgrade filter (see configureJetty) before Javalin sees
    // them; what
    // reaches Javalin here could not be upgraded: HTTP/1.0 (through Javalin's WebSocket path) or a
    // GET without
    // the upgrade headers. Both get a 426 problem+json that says why.
    routes.wsBeforeUpgrade(WS_PATH, this::refuseUpgrade);
    routes.ws(WS_PATH, ws -> ws.onConnect(ctx -> ctx.closeSession(1002, "not upgradable")));
    routes.get(WS_PATH, this::refuseUpgrade);
  }

  private void refuseIfUnusable() {
    Optional<Problem> refused = refusal.get();
    if (refused.isPresent()) {
      throw refused.get();
    }
  }

  /** Open QR WebSockets on this node. */
  public int openSockets() {
    return sockets.open();
  }

  /** The keep-alive of this node's QR sockets (tests add a broken socket to it). */
  KeepAlive keepAlive() {
    return sockets.keepAlive();
  }

  /** QR socket re-reads queued or running on this node. */
  public int socketRefreshesInFlight() {
    return sockets.refreshesInFlight();
  }

  // ---- browser side
  // ------------------------------------------------------------------------------------

  private void create(Context ctx) {
    // the body is optional: without a Content-Type there is none, and the device comes from the
    // User-Agent
    String device =
        SessionRoutes.deviceOf(ctx.header("Content-Type") == null ? null : JsonBody.read(ctx), ctx);
    QrTickets.Created created = logins.create(device, clientIp.of(ctx));
    String base = publicBase.get();
    String ticket = base + "/api/v1/qr-logins/" + created.id();
    Json.respond(
        ctx,
        201,
        new QrBodies.Created(
            created.id(),
            created.secret(),
            Json.time(created.view().deadline()),
            base + "/qr/" + created.id(),
            ticket + "/image.svg",
            base.replaceFirst("^http", "ws")
                + "/ws/qr-logins/"
                + created.id()
                + "?secret="
                + created.secret(),
            ticket,
            ticket + "/session"));
  }

  private void poll(Context ctx) {
    String id = ctx.pathParam("id");
    String secretHash = secretHash(id, ctx.header("X-QR-Secret"));
    int wait = waitSeconds(ctx);
    String knownText = ctx.queryParam("known");
    Optional<QrState> known = knownText == null ? Optional.empty() : QrState.parse(knownText);
    if (knownText != null && known.isEmpty()) {
      throw Problem.invalid(
          "known",
          "'known' must be one of pending, scanned, confirmed, completed, cancelled, expired.");
    }
    QrTickets.View v =
        known.isPresent() && wait > 0
            ? logins.await(id, secretHash, known.get(), wait * 1000L)
            : logins.read(id, secretHash);
    Json.respond(ctx, 200, stateBody(v));
  }

  private void redeem(Context ctx) {
    String id = ctx.pathParam("id");
    String secret = ctx.header("X-QR-Secret");
    secretHash(id, secret); // 404 for a malformed id or secret
    String key = ctx.header("Idempotency-Key");
    if (key != null && !IDEMPOTENCY_KEY.matcher(key).matches()) {
      throw Problem.invalid(
          "Idempotency-Key", "'Idempotency-Key' must be 8 to 128 visible ASCII characters.");
    }
    QrLogins.Redemption redemption = logins.redeem(id, secret.strip(), Optional.ofNullable(key));
    if (redemption.replayed()) {
      ctx.header("Idempotent-Replayed", "true");
    }
    ctx.status(201)
        .contentType("application/json")
        .result(redemption.json().getBytes(StandardCharsets.UTF_8));
  }

  private static String secretHash(String id, String secret) {
    if (!QrTickets.wellFormedId(id)
        || secret == null
        || secret.isBlank()
        || secret.length() > MAX_SECRET) {
      throw QrLogins.unknownTicket();
    }
    return QrTickets.hash(secret.strip());
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
   * The body of a poll answer and of a socket frame: the state, its deadline, who scanned. Never a
   * token.
   */
  static QrBodies.State stateBody(QrTickets.View v) {
    return new QrBodies.State(
        v.state().wire(),
        v.deadline() > 0 ? Json.time(v.deadline()) : null,
        v.scannerName().isEmpty() ? null : new QrBodies.ScannedBy(v.scannerName()));
  }

  static String stateJson(QrTickets.View v) {
    return QrSocket.json(stateBody(v));
  }

  private void image(Context ctx, String format) {
    String id = ctx.pathParam("id");
    if (!QrTickets.wellFormedId(id)) {
      throw Problem.notFound("No such QR login.");
    }
    String content = publicBase.get() + "/qr/" + id;
    ctx.header("Cache-Control", "private, max-age=300");
    if (format.equals("svg")) {
      ctx.contentType("image/svg+xml").result(QrImages.svg(content));
    } else {
      ctx.contentType("image/png").result(QrImages.png(content, 8));
    }
  }

  // ---- phone side
  // --------------------------------------------------------------------------------------

  private void scan(Context ctx) {
    Session session = Authentication.session(ctx);
    QrTickets.View v = logins.scan(phoneTicket(ctx), session.userId(), session.displayName());
    Json.respond(
        ctx,
        200,
        new QrBodies.Scanned(
            v.state().wire(),
            v.device(),
            Json.time(v.createdAt()),
            Json.time(v.deadline()),
            v.ip().isEmpty()
                ? null
                : new QrBodies.RequestedFrom(v.ip(), Networks.approximate(v.ip()))));
  }

  private void confirm(Context ctx) {
    Session session = Authentication.session(ctx);
    QrTickets.View v = logins.confirm(phoneTicket(ctx), session.userId());
    Json.respond(ctx, 200, new QrBodies.Settled(v.state().wire()));
  }

  private void cancel(Context ctx) {
    Session session = Authentication.session(ctx);
    QrTickets.View v = logins.cancel(phoneTicket(ctx), session.userId());
    Json.respond(ctx, 200, new QrBodies.Settled(v.state().wire()));
  }

  private static String phoneTicket(Context ctx) {
    String id = ctx.pathParam("id");
    if (!QrTickets.wellFormedId(id)) {
      throw Problem.notFound("No such QR login.");
    }
    return id;
  }

  // ---- WebSocket
  // -----------------------------------------------------------------------------------------

  /**
   * Installs the WebSocket endpoint in Jetty's upgrade filter, where it sees pongs (Javalin's
   * handlers do not). No extension is negotiated: permessage-deflate saves nothing on 100-byte
   * frames, costs memory per socket, and is where client bugs lost the last message before a close.
   */
  public void configureJetty(JavalinConfig cfg) {
    cfg.jetty.modifyServletContextHandler(
        handler ->
            JettyWebSocketServletContainerInitializer.configure(
                handler,
                (servletContext, container) ->
                    container.addMapping("/ws/qr-logins/*", this::createSocket)));
  }

  private Object createSocket(JettyServerUpgradeRequest req, JettyServerUpgradeResponse res) {
    try {
      Optional<Problem> refused = refusal.get();
      if (refused.isPresent()) {
        return WebSocketUpgrades.refuse(req, res, refused.get());
      }
      String origin = req.getHeader("Origin");
      if (origin != null && !ownOrigins.get().contains(origin.toLowerCase(Locale.ROOT))) {
        return WebSocketUpgrades.refuse(
            req,
            res,
            Problem.of(
                403,
                Problem.FORBIDDEN,
                "WebSockets of this deployment may only be opened by its own pages; origin '"
                    + abbreviate(origin)
                    + "' is not one of them."));
      }
      String path = req.getRequestPath();
      String id = path.substring(path.lastIndexOf('/') + 1);
      List<String> secrets = req.getParameterMap().get("secret");
      String secret = secrets == null || secrets.isEmpty() ? null : secrets.get(0);
      String secretHash = secretHash(id, secret);
      logins.read(id, secretHash); // 404 before any socket exists
      String ip = clientIp.of(req.getHttpServletRequest());
      QrSockets.AdmissionResult admitted = sockets.admit(id, secretHash, ip);
      if (admitted.socket().isEmpty()) {
        return WebSocketUpgrades.refuse(
            req,
            res,
            Problem.of(429, Problem.RATE_LIMITED, admitted.refusal())
                .withHeaders(Map.of("Retry-After", "5")));
      }
      res.setExtensions(List.of());
      return admitted.socket().get();
    } catch (Problem p) {
      return WebSocketUpgrades.refuse(req, res, p);
    } catch (RuntimeException e) {
      log.warn("QR socket upgrade failed: {}", e.toString());
      return WebSocketUpgrades.refuse(
          req,
          res,
          Problem.of(
              503, Problem.UNAVAILABLE, "QR logins are unavailable right now; poll instead."));
    }
  }

  private static String abbreviate(String text) {
    String clean = text.replaceAll("\\p{Cntrl}", "");
    return clean.length() <= 100 ? clean : clean.substring(0, 100) + "…";
  }

  private void refuseUpgrade(Context ctx) throws IOException {
    if (WebSocketUpgrades.isHttp10(ctx)) {
      log.warn(
          "WebSocket upgrade from {} arrived as HTTP/1.0 and was refused: a proxy in front of Kinhub must speak "
              + "HTTP/1.1 to its upstream (nginx: proxy_http_version 1.1)",
          peer(ctx));
    } else {
      warnOncePerPeer(ctx, "without 'Connection: Upgrade' / 'Upgrade: websocket'");
    }
    WebSocketUpgrades.refuseNotUpgradable(ctx);
  }

  private void warnOncePerPeer(Context ctx, String what) {
    String peer = ctx.req().getRemoteAddr();
    if (warnedPeers.size() < 10_000 && warnedPeers.add(peer + what)) {
      log.warn(
          "request to a QR WebSocket from {} {} (forwarded for: {}); is a proxy dropping the upgrade headers?",
          peer,
          what,
          ctx.header("X-Forwarded-For"));
    }
  }

  private static String peer(Context ctx) {
    return ctx.req().getRemoteAddr() + ":" + ctx.req().getRemotePort();
  }

  @Override
  public void close() {
    sockets.close();
    logins.hub.close();
  }
}
