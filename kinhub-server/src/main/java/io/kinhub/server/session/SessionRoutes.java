package io.kinhub.server.session;

import static io.kinhub.server.session.RouteAccess.SESSION;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.kinhub.server.http.Json;
import io.kinhub.server.http.JsonBody;
import io.kinhub.server.http.Problem;
import java.util.List;
import java.util.Optional;

/**
 * The caller's sessions, logout, kick and log-out-everywhere (the logins that open sessions live
 * with what they check: accounts, SMS, QR).
 */
public final class SessionRoutes {
  static final int MAX_DEVICE = 128;

  private final Sessions sessions;

  public SessionRoutes(Sessions sessions) {
    this.sessions = sessions;
  }

  public void register(RoutesConfig routes) {
    routes.get("/api/v1/me/sessions", this::list, SESSION);
    routes.delete("/api/v1/me/sessions/current", this::logout, SESSION);
    routes.delete("/api/v1/me/sessions/{sessionId}", this::kick, SESSION);
    routes.delete("/api/v1/me/sessions", this::logoutEverywhere, SESSION);
  }

  /**
   * The device label: the body's (when there is a body), else the User-Agent, cut to 128
   * characters.
   */
  public static String deviceOf(JsonBody body, Context ctx) {
    Optional<String> device =
        body == null
            ? Optional.empty()
            : body.optionalString("device", MAX_DEVICE).map(String::strip);
    if (device.isPresent()) {
      return device.get();
    }
    String agent = ctx.header("User-Agent");
    if (agent == null) {
      return "";
    }
    String clean = agent.replaceAll("\\p{Cntrl}", "").strip();
    return clean.codePointCount(0, clean.length()) <= MAX_DEVICE
        ? clean
        : clean.substring(0, clean.offsetByCodePoints(0, MAX_DEVICE));
  }

  /** One of the caller's sessions in {@code GET /api/v1/me/sessions}. */
  record Listed(String id, String device, String createdAt, String lastSeenAt, boolean current) {}

  /** {@code GET /api/v1/me/sessions}. */
  record Listing(List<Listed> sessions) {}

  private void list(Context ctx) {
    Session s = Authentication.session(ctx);
    List<Listed> out =
        sessions.list(s.userId()).stream()
            .map(
                l ->
                    new Listed(
                        l.id(),
                        l.device(),
                        Json.time(l.createdAt()),
                        Json.time(l.lastSeenAt()),
                        l.id().equals(s.id())))
            .toList();
    Json.respond(ctx, 200, new Listing(out));
  }

  private void logout(Context ctx) {
    Session s = Authentication.session(ctx);
    sessions.revoke(s.userId(), s.id());
    ctx.status(204);
  }

  private void kick(Context ctx) {
    Session s = Authentication.session(ctx);
    if (!sessions.revoke(s.userId(), ctx.pathParam("sessionId"))) {
      throw Problem.notFound("You have no session with this id.");
    }
    ctx.status(204);
  }

  private void logoutEverywhere(Context ctx) {
    Session s = Authentication.session(ctx);
    sessions.revokeAll(s.userId());
    ctx.status(204);
  }
}
