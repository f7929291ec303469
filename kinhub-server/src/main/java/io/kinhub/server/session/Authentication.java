package io.kinhub.server.session;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.kinhub.server.http.Problem;
import java.util.Locale;
import java.util.Optional;

/**
 * Reads {@code Authorization: Bearer <token>} and resolves it to a live session, or answers 401.
 * Routes declare {@link RouteAccess#SESSION} to be authenticated once, before their handler, which
 * then reads the session with {@link #session(Context)}.
 */
public final class Authentication {
  private static final String ATTRIBUTE = "kinhub.session";
  private static final String ATTRIBUTE_TOKEN = "kinhub.token";

  private final Sessions sessions;

  public Authentication(Sessions sessions) {
    this.sessions = sessions;
  }

  /**
   * Authenticates every matched route that declares {@link RouteAccess#SESSION}, before its handler
   * runs.
   */
  public void register(RoutesConfig routes) {
    routes.beforeMatched(
        ctx -> {
          if (ctx.routeRoles().contains(RouteAccess.SESSION)) {
            require(ctx);
          }
        });
  }

  /**
   * The session of a request to a route declaring {@link RouteAccess#SESSION} (authenticated before
   * the handler ran); a handler of a route that does not declare it is a programming error.
   */
  public static Session session(Context ctx) {
    Session session = ctx.attribute(ATTRIBUTE);
    if (session == null) {
      throw new IllegalStateException(
          ctx.method()
              + " "
              + ctx.endpoint().path
              + " reads the session but does not declare "
              + "RouteAccess.SESSION");
    }
    return session;
  }

  /**
   * The caller's session; {@code 401 unauthenticated} for a missing, malformed, unknown, expired or
   * revoked token.
   */
  public Session require(Context ctx) {
    Session cached = ctx.attribute(ATTRIBUTE);
    if (cached != null) {
      return cached;
    }
    String token = bearerToken(ctx);
    if (token == null) {
      throw Problem.unauthenticated();
    }
    Session session = sessions.authenticate(token).orElseThrow(Problem::unauthenticated);
    ctx.attribute(ATTRIBUTE, session);
    ctx.attribute(ATTRIBUTE_TOKEN, token);
    return session;
  }

  /** The caller's user id when the request carries a live session, else empty (never a 401). */
  public Optional<String> userIdOf(Context ctx) {
    try {
      return Optional.of(Long.toString(require(ctx).userId()));
    } catch (Problem problem) {
      if (problem.status() != 401) {
        throw problem;
      }
      return Optional.empty();
    }
  }

  private static String bearerToken(Context ctx) {
    String header = ctx.header("Authorization");
    if (header == null
        || header.length() < 8
        || !header.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
      return null;
    }
    return header.substring(7).strip();
  }
}
