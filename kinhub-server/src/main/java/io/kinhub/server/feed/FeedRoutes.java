package io.kinhub.server.feed;

import static io.kinhub.server.session.RouteAccess.SESSION;

import io.javalin.config.JavalinConfig;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.kinhub.redis.events.EventBus;
import io.kinhub.server.abuse.ClientIp;
import io.kinhub.server.backing.Digests;
import io.kinhub.server.family.FamilyRoutes;
import io.kinhub.server.http.Json;
import io.kinhub.server.http.JsonBody;
import io.kinhub.server.http.KeepAlive;
import io.kinhub.server.http.OpenSockets;
import io.kinhub.server.http.Problem;
import io.kinhub.server.http.WebSocketUpgrades;
import io.kinhub.server.node.Singleton;
import io.kinhub.server.session.Authentication;
import io.kinhub.server.session.Session;
import io.kinhub.server.session.Sessions;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.eclipse.jetty.ee10.websocket.server.JettyServerUpgradeRequest;
import org.eclipse.jetty.ee10.websocket.server.JettyServerUpgradeResponse;
import org.eclipse.jetty.ee10.websocket.server.config.JettyWebSocketServletContainerInitializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The feed's HTTP routes, the live tickets and the {@code /ws/live} WebSocket. */
public final class FeedRoutes implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FeedRoutes.class);
  private static final String WS_PATH = "/ws/live";
  private static final int MAX_POST = 5000;
  private static final int MAX_COMMENT = 2000;
  private static final int MAX_LIMIT = 100;
  private static final Duration TICKET_TTL = Duration.ofSeconds(30);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Feed feed;
  private final Sessions sessions;
  private final ClientIp clientIp;
  private final Supplier<Set<String>> ownOrigins;
  private final LiveHub hub;
  private final CounterFlusher flusher;

  public FeedRoutes(
      Feed feed,
      Sessions sessions,
      EventBus bus,
      ClientIp clientIp,
      Supplier<Set<String>> ownOrigins,
      Duration idleTimeout,
      MeterRegistry meters,
      OpenSockets openSockets,
      Singleton singleton) {
    this.feed = feed;
    this.sessions = sessions;
    this.clientIp = clientIp;
    this.ownOrigins = ownOrigins;
    this.hub = new LiveHub(feed, sessions, bus, idleTimeout, feed.settings(), openSockets);
    this.flusher = new CounterFlusher(feed, singleton);
    Gauge.builder("kinhub_live_websockets", hub, LiveHub::open)
        .description("open live-channel WebSockets on this node")
        .register(meters);
  }

  public void register(RoutesConfig routes) {
    routes.post("/api/v1/families/{id}/posts", this::createPost, SESSION);
    routes.get("/api/v1/families/{id}/posts", this::familyPosts, SESSION);
    routes.get("/api/v1/feed", this::myFeed, SESSION);
    routes.get("/api/v1/posts/{id}", this::readPost, SESSION);
    routes.delete("/api/v1/posts/{id}", this::deletePost, SESSION);
    routes.put("/api/v1/posts/{id}/like", ctx -> like(ctx, true), SESSION);
    routes.delete("/api/v1/posts/{id}/like", ctx -> like(ctx, false), SESSION);
    routes.post("/api/v1/posts/{id}/comments", this::comment, SESSION);
    routes.get("/api/v1/posts/{id}/comments", this::comments, SESSION);
    routes.put("/api/v1/users/{userId}/follow", ctx -> follow(ctx, true), SESSION);
    routes.delete("/api/v1/users/{userId}/follow", ctx -> follow(ctx, false), SESSION);
    routes.get("/api/v1/users/{userId}", this::user, SESSION);
    routes.get("/api/v1/notifications", this::notifications, SESSION);
    routes.post("/api/v1/notifications/read", this::markRead, SESSION);
    routes.post("/api/v1/live-tickets", this::ticket, SESSION);
    routes.wsBeforeUpgrade(WS_PATH, this::refuseUpgrade);
    routes.ws(WS_PATH, ws -> ws.onConnect(ctx -> ctx.closeSession(1002, "not upgradable")));
    routes.get(WS_PATH, this::refuseUpgrade);
  }

  /** Open live sockets on this node. */
  public int openSockets() {
    return hub.open();
  }

  /** The keep-alive of this node's live sockets (tests add a broken socket to it). */
  KeepAlive keepAlive() {
    return hub.keepAlive();
  }

  /**
   * Copies changed counters to PostgreSQL now unless another node is flushing (tests and
   * benchmarks).
   */
  public int flushCountersNow() {
    return flusher.flushOnce();
  }

  // ---- posts
  // -----------------------------------------------------------------------------------------------

  private void createPost(Context ctx) {
    Session s = Authentication.session(ctx);
    long family = FamilyRoutes.pathId(ctx, "id", "family");
    String text = JsonBody.read(ctx).requiredString("text", MAX_POST);
    Json.respond(ctx, 201, feed.create(s, family, text).json());
  }

  private void familyPosts(Context ctx) {
    Session s = Authentication.session(ctx);
    long family = FamilyRoutes.pathId(ctx, "id", "family");
    respond(ctx, feed.familyPosts(s, family, before(ctx), limit(ctx)));
  }

  private void myFeed(Context ctx) {
    Session s = Authentication.session(ctx);
    respond(ctx, feed.feed(s, before(ctx), limit(ctx)));
  }

  /** A page of posts, newest first, and the cursor of the next one (null at the end). */
  record PostPage(List<Feed.PostJson> items, String next) {}

  private static void respond(Context ctx, Feed.Page page) {
    Json.respond(
        ctx,
        200,
        new PostPage(page.items().stream().map(Feed.PostView::json).toList(), page.next()));
  }

  private void readPost(Context ctx) {
    Session s = Authentication.session(ctx);
    Json.respond(ctx, 200, feed.view(s, FamilyRoutes.pathId(ctx, "id", "post")).json());
  }

  private void deletePost(Context ctx) {
    Session s = Authentication.session(ctx);
    feed.delete(s, FamilyRoutes.pathId(ctx, "id", "post"));
    ctx.status(204);
  }

  private void like(Context ctx, boolean like) {
    Session s = Authentication.session(ctx);
    Feed.LikeResult r = feed.like(s, FamilyRoutes.pathId(ctx, "id", "post"), like);
    Json.respond(ctx, 200, r);
  }

  private void comment(Context ctx) {
    Session s = Authentication.session(ctx);
    long post = FamilyRoutes.pathId(ctx, "id", "post");
    String text = JsonBody.read(ctx).requiredString("text", MAX_COMMENT);
    Json.respond(ctx, 201, feed.comment(s, post, text));
  }

  private void comments(Context ctx) {
    Session s = Authentication.session(ctx);
    Feed.CommentPage page =
        feed.comments(s, FamilyRoutes.pathId(ctx, "id", "post"), before(ctx), limit(ctx));
    Json.respond(ctx, 200, page);
  }

  private static int limit(Context ctx) {
    String text = ctx.queryParam("limit");
    if (text == null || text.isEmpty()) {
      return 20;
    }
    if (!text.matches("[0-9]{1,3}")
        || Integer.parseInt(text) < 1
        || Integer.parseInt(text) > MAX_LIMIT) {
      throw Problem.invalid("limit", "'limit' must be a whole number from 1 to " + MAX_LIMIT + ".");
    }
    return Integer.parseInt(text);
  }

  private static long before(Context ctx) {
    String text = ctx.queryParam("before");
    if (text == null || text.isEmpty()) {
      return 0;
    }
    long cursor = Ids.parse(text);
    if (cursor < 0) {
      throw Problem.invalid("before", "'before' must be the 'next' cursor of a previous page.");
    }
    return cursor;
  }

  // ---- follows and users
  // -----------------------------------------------------------------------------------

  /** Whether the caller follows the user now. */
  record Following(boolean following) {}

  /** How many of the caller's notifications are unread. */
  record Unread(long unreadCount) {}

  private void follow(Context ctx, boolean follow) {
    Session s = Authentication.session(ctx);
    long user = FamilyRoutes.pathId(ctx, "userId", "user");
    Json.respond(ctx, 200, new Following(feed.follow(s, user, follow)));
  }

  private void user(Context ctx) {
    Session s = Authentication.session(ctx);
    Json.respond(ctx, 200, feed.user(s, FamilyRoutes.pathId(ctx, "userId", "user")));
  }

  // ---- notifications
  // ---------------------------------------------------------------------------------------

  /** A page of notifications, newest first, the next cursor and how many are unread. */
  record NotificationPage(List<Feed.NotificationJson> items, String next, long unreadCount) {}

  private void notifications(Context ctx) {
    Session s = Authentication.session(ctx);
    int limit = limit(ctx);
    List<FeedStore.NotificationRow> rows =
        feed.store().notifications(s.userId(), before(ctx), limit + 1);
    boolean more = rows.size() > limit;
    List<FeedStore.NotificationRow> page = more ? rows.subList(0, limit) : rows;
    Json.respond(
        ctx,
        200,
        new NotificationPage(
            page.stream()
                .map(
                    n ->
                        Feed.notificationJson(
                            n.id(),
                            n.kind(),
                            n.actorId(),
                            n.actorName(),
                            n.postId(),
                            n.commentId(),
                            n.createdAt(),
                            n.read()))
                .toList(),
            more ? Long.toString(page.get(page.size() - 1).id()) : null,
            feed.store().unread(s.userId())));
  }

  private void markRead(Context ctx) {
    Session s = Authentication.session(ctx);
    List<String> ids =
        JsonBody.readOptional(ctx).optionalStringList("ids", 1000, 19).orElse(List.of());
    List<Long> parsed = new ArrayList<>();
    for (String id : ids) {
      long n = Ids.parse(id);
      if (n < 0) {
        throw Problem.invalid("ids", "'ids' must list notification ids.");
      }
      parsed.add(n);
    }
    feed.store().markRead(s.userId(), parsed);
    Json.respond(ctx, 200, new Unread(feed.store().unread(s.userId())));
  }

  // ---- live channel
  // ------------------------------------------------------------------------------------------

  /** {@code POST /api/v1/live-tickets}: a one-use ticket for opening the live socket. */
  record LiveTicket(String ticket, String expiresAt) {}

  private void ticket(Context ctx) {
    Session s = Authentication.session(ctx);
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    String ticket = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    String value = s.userId() + "|" + s.tokenHash();
    feed.redis()
        .call(
            "SET live ticket",
            () ->
                feed.redis()
                    .sync()
                    .psetex(
                        feed.keys().liveTicket(Digests.sha256Hex(ticket)),
                        TICKET_TTL.toMillis(),
                        value));
    Json.respond(ctx, 201, new LiveTicket(ticket, Json.time(Instant.now().plus(TICKET_TTL))));
  }

  /**
   * Installs {@code /ws/live} in Jetty's upgrade filter (where pongs are seen), like the QR socket.
   */
  public void configureJetty(JavalinConfig cfg) {
    cfg.jetty.modifyServletContextHandler(
        handler ->
            JettyWebSocketServletContainerInitializer.configure(
                handler,
                (servletContext, container) -> container.addMapping(WS_PATH, this::createSocket)));
  }

  private Object createSocket(JettyServerUpgradeRequest req, JettyServerUpgradeResponse res) {
    try {
      String origin = req.getHeader("Origin");
      if (origin != null && !ownOrigins.get().contains(origin.toLowerCase(Locale.ROOT))) {
        return WebSocketUpgrades.refuse(
            req,
            res,
            Problem.of(
                403,
                Problem.FORBIDDEN,
                "WebSockets of this deployment may only be opened by its own pages."));
      }
      List<String> tickets = req.getParameterMap().get("ticket");
      String ticket = tickets == null || tickets.isEmpty() ? "" : tickets.get(0);
      if (!ticket.matches("[A-Za-z0-9_-]{43}")) {
        return WebSocketUpgrades.refuse(req, res, Problem.unauthenticated());
      }
      String key = feed.keys().liveTicket(Digests.sha256Hex(ticket));
      String value =
          feed.redis()
              .call("GETDEL live ticket", () -> feed.redis().sync().getdel(key)); // single use
      if (value == null) {
        return WebSocketUpgrades.refuse(req, res, Problem.unauthenticated());
      }
      int bar = value.indexOf('|');
      long userId = Long.parseLong(value.substring(0, bar));
      String tokenHash = value.substring(bar + 1);
      if (!sessions.live(tokenHash)) {
        return WebSocketUpgrades.refuse(req, res, Problem.unauthenticated());
      }
      StringBuilder refusal = new StringBuilder();
      LiveSocket socket =
          hub.admit(userId, tokenHash, clientIp.of(req.getHttpServletRequest()), refusal);
      if (socket == null) {
        return WebSocketUpgrades.refuse(
            req,
            res,
            Problem.of(429, Problem.RATE_LIMITED, refusal.toString())
                .withHeaders(Map.of("Retry-After", "5")));
      }
      res.setExtensions(List.of());
      return socket;
    } catch (Problem p) {
      return WebSocketUpgrades.refuse(req, res, p);
    } catch (RuntimeException e) {
      log.warn("live socket upgrade failed: {}", e.toString());
      return WebSocketUpgrades.refuse(
          req,
          res,
          Problem.of(503, Problem.UNAVAILABLE, "The live channel is unavailable right now."));
    }
  }

  private void refuseUpgrade(Context ctx) throws IOException {
    WebSocketUpgrades.refuseNotUpgradable(ctx);
  }

  @Override
  public void close() {
    flusher.close();
    hub.close();
  }
}
