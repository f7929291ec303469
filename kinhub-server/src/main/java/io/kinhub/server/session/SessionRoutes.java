package io.kinhub.server.session;

import static io.kinhub.server.session.RouteAccess.SESSION;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.kinhub.server.abuse.ClientIp;
import io.kinhub.server.abuse.Lockout;
import io.kinhub.server.account.Account;
import io.kinhub.server.account.AccountBody;
import io.kinhub.server.account.AccountStore;
import io.kinhub.server.account.Logins;
import io.kinhub.server.account.PasswordHasher;
import io.kinhub.server.http.Json;
import io.kinhub.server.http.JsonBody;
import io.kinhub.server.http.Problem;
import java.util.List;
import java.util.Optional;

/** Password login, the caller's profile and sessions, logout, kick and log-out-everywhere. */
public final class SessionRoutes {
  static final int MAX_DEVICE = 128;
  static final int MAX_PASSWORD = 128;

  private final Sessions sessions;
  private final AccountStore accounts;
  private final PasswordHasher hasher;
  private final Lockout lockout;
  private final ClientIp clientIp;

  public SessionRoutes(
      Sessions sessions,
      AccountStore accounts,
      PasswordHasher hasher,
      Lockout lockout,
      ClientIp clientIp) {
    this.sessions = sessions;
    this.accounts = accounts;
    this.hasher = hasher;
    this.lockout = lockout;
    this.clientIp = clientIp;
  }

  public void register(RoutesConfig routes) {
    routes.post("/api/v1/sessions", this::login);
    routes.get("/api/v1/me", this::me, SESSION);
    routes.get("/api/v1/me/sessions", this::list, SESSION);
    routes.delete("/api/v1/me/sessions/current", this::logout, SESSION);
    routes.delete("/api/v1/me/sessions/{sessionId}", this::kick, SESSION);
    routes.delete("/api/v1/me/sessions", this::logoutEverywhere, SESSION);
  }

  private void login(Context ctx) {
    JsonBody body = JsonBody.read(ctx);
    String rawLogin = body.requiredString("login", 254);
    String password = body.requiredString("password", MAX_PASSWORD);
    String device = deviceOf(body, ctx);
    String login = Logins.normalize("login", rawLogin);
    // locked logins are refused before any password check, known or unknown alike
    lockout.checkNotLocked(login);
    Optional<Account> account = accounts.findByLogin(login);
    // the same Argon2id work whether or not the login exists, so timing does not tell
    boolean ok =
        account.isPresent()
            ? hasher.verify(password, account.get().passwordHash())
            : dummy(password);
    if (!ok) {
      lockout.failed(login, clientIp.of(ctx));
      throw invalidCredentials();
    }
    lockout.succeeded(login);
    Sessions.Login created =
        sessions
            .create(account.get(), account.get().credentialVersion(), device)
            .orElseThrow(SessionRoutes::invalidCredentials);
    Json.respond(ctx, 201, LoginBody.of(created));
  }

  private boolean dummy(String password) {
    hasher.verifyDummy(password);
    return false;
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

  public static Problem invalidCredentials() {
    return Problem.of(401, Problem.INVALID_CREDENTIALS, "The login or the password is wrong.");
  }

  /** One of the caller's sessions in {@code GET /api/v1/me/sessions}. */
  record Listed(String id, String device, String createdAt, String lastSeenAt, boolean current) {}

  /** {@code GET /api/v1/me/sessions}. */
  record Listing(List<Listed> sessions) {}

  private void me(Context ctx) {
    Session s = Authentication.session(ctx);
    Json.respond(ctx, 200, new AccountBody(Long.toString(s.userId()), s.login(), s.displayName()));
  }

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
