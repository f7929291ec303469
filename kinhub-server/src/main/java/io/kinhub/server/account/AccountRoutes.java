package io.kinhub.server.account;

import static io.kinhub.server.session.RouteAccess.SESSION;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.kinhub.server.abuse.ClientIp;
import io.kinhub.server.abuse.Lockout;
import io.kinhub.server.http.Json;
import io.kinhub.server.http.JsonBody;
import io.kinhub.server.http.Problem;
import io.kinhub.server.session.Authentication;
import io.kinhub.server.session.LoginBody;
import io.kinhub.server.session.Session;
import io.kinhub.server.session.SessionRoutes;
import io.kinhub.server.session.Sessions;
import java.util.Optional;

/**
 * Registration, password login, the caller's account ({@code GET /me}) and password change.
 * Passwords must be 8 to 128 characters and not easily guessed ({@link PasswordStrength}); a
 * password change is a guess at the current password and counts into the login's {@link Lockout}.
 */
public final class AccountRoutes {
  private static final int MIN_PASSWORD = 8;
  private static final int MAX_PASSWORD = 128;
  private static final int MAX_DISPLAY_NAME = 64;

  private final AccountStore accounts;
  private final PasswordHasher hasher;
  private final Sessions sessions;
  private final Lockout lockout;
  private final ClientIp clientIp;
  private final PasswordStrength strength;

  public AccountRoutes(
      AccountStore accounts,
      PasswordHasher hasher,
      Sessions sessions,
      Lockout lockout,
      ClientIp clientIp,
      PasswordStrength strength) {
    this.accounts = accounts;
    this.hasher = hasher;
    this.sessions = sessions;
    this.lockout = lockout;
    this.clientIp = clientIp;
    this.strength = strength;
  }

  public void register(RoutesConfig routes) {
    routes.post("/api/v1/accounts", this::create);
    routes.post("/api/v1/sessions", this::login);
    routes.get("/api/v1/me", this::me, SESSION);
    routes.put("/api/v1/me/password", this::changePassword, SESSION);
  }

  private void login(Context ctx) {
    JsonBody body = JsonBody.read(ctx);
    String rawLogin = body.requiredString("login", 254);
    String password = body.requiredString("password", MAX_PASSWORD);
    String device = SessionRoutes.deviceOf(body, ctx);
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
    Account a = account.get();
    Sessions.Login created =
        sessions
            .create(a.id(), a.login(), a.displayName(), a.credentialVersion(), device)
            .orElseThrow(AccountRoutes::invalidCredentials);
    Json.respond(ctx, 201, LoginBody.of(created));
  }

  private boolean dummy(String password) {
    hasher.verifyDummy(password);
    return false;
  }

  static Problem invalidCredentials() {
    return Problem.of(401, Problem.INVALID_CREDENTIALS, "The login or the password is wrong.");
  }

  private void me(Context ctx) {
    Session s = Authentication.session(ctx);
    Json.respond(ctx, 200, new AccountBody(Long.toString(s.userId()), s.login(), s.displayName()));
  }

  private void create(Context ctx) {
    JsonBody body = JsonBody.read(ctx);
    String login = Logins.normalize("login", body.requiredString("login", 254));
    String password = password(body, "password");
    String displayName = body.requiredString("displayName", 4 * MAX_DISPLAY_NAME).strip();
    if (displayName.codePointCount(0, displayName.length()) > MAX_DISPLAY_NAME) {
      throw Problem.invalid("displayName", "'displayName' must be 1 to 64 characters.");
    }
    if (displayName.chars().anyMatch(Character::isISOControl)) {
      throw Problem.invalid("displayName", "'displayName' must not contain control characters.");
    }
    strength.require("password", password, login, displayName);
    if (accounts.findByLogin(login).isPresent()) {
      throw accountExists();
    }
    Account account =
        accounts
            .create(login, displayName, hasher.hash(password))
            .orElseThrow(AccountRoutes::accountExists);
    Json.respond(
        ctx, 201, new AccountBody(account.publicId(), account.login(), account.displayName()));
  }

  private static Problem accountExists() {
    return Problem.of(409, Problem.ACCOUNT_EXISTS, "An account with this login exists already.");
  }

  private static String password(JsonBody body, String field) {
    String password = body.requiredString(field, MAX_PASSWORD);
    if (password.codePointCount(0, password.length()) < MIN_PASSWORD) {
      throw Problem.invalid(field, "'" + field + "' must be 8 to 128 characters long.");
    }
    return password;
  }

  private void changePassword(Context ctx) {
    Session session = Authentication.session(ctx);
    JsonBody body = JsonBody.read(ctx);
    String current = body.requiredString("currentPassword", MAX_PASSWORD);
    String next = password(body, "newPassword");
    Account account = accounts.findById(session.userId()).orElseThrow(Problem::unauthenticated);
    strength.require("newPassword", next, account.login(), account.displayName());
    // a wrong current password is a guess at the login's password: it shares the login's lockout,
    // and a
    // locked login is refused here before any hashing, as the password login refuses it
    lockout.checkNotLocked(account.login());
    if (!hasher.verify(current, account.passwordHash())) {
      lockout.failed(account.login(), clientIp.of(ctx));
      throw invalidCredentials();
    }
    lockout.succeeded(account.login());
    long version =
        accounts
            .changePassword(account.id(), account.passwordHash(), hasher.hash(next))
            .orElseThrow(
                () ->
                    Problem.of(
                        409,
                        Problem.CONFLICT,
                        "The password was changed by another request; try again."));
    // every session ends on every node before the caller gets its new one
    sessions.revokeAllAfterCredentialChange(account.id(), version);
    Sessions.Login login =
        sessions
            .create(account.id(), account.login(), account.displayName(), version, session.device())
            .orElseThrow(
                () ->
                    Problem.of(
                        409,
                        Problem.CONFLICT,
                        "The password was changed again meanwhile; log in anew."));
    Json.respond(ctx, 200, LoginBody.of(login));
  }
}
