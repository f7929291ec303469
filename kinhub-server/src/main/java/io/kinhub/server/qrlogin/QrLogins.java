package io.kinhub.server.qrlogin;

import io.kinhub.server.account.Account;
import io.kinhub.server.account.AccountStore;
import io.kinhub.server.http.Problem;
import io.kinhub.server.session.LoginBody;
import io.kinhub.server.session.Sessions;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The QR-login state machine as the routes and sockets use it: tickets live in Redis ({@link
 * QrTickets}), every change is announced through the {@link QrHub} to the waiters of every node.
 *
 * <p>Notifications (socket frames, poll answers) only ever carry a state; the session is created in
 * exactly one place, {@link #redeem}, which the browser calls with its secret once told {@code
 * confirmed}. A lost notification therefore costs a re-read, never a login, and no session exists
 * that its browser did not receive in an HTTP response.
 */
final class QrLogins {
  static final String QR_LOGIN_USED = "qr_login_used";

  final QrTickets tickets;
  final QrHub hub;
  private final Sessions sessions;
  private final AccountStore accounts;

  QrLogins(QrTickets tickets, QrHub hub, Sessions sessions, AccountStore accounts) {
    this.tickets = tickets;
    this.hub = hub;
    this.sessions = sessions;
    this.accounts = accounts;
  }

  QrTickets.Created create(String device, String ip) {
    return tickets.create(device, ip);
  }

  /** The browser's view of its ticket; 404 for an unknown ticket or a wrong secret. */
  QrTickets.View read(String id, String secretHash) {
    QrTickets.View v = tickets.read(id, secretHash);
    if (v.outcome() == QrTickets.Outcome.NOT_FOUND) {
      throw unknownTicket();
    }
    announce(id, v);
    return v;
  }

  /**
   * Long poll: the ticket once its state differs from {@code known}, it reaches a deadline, or
   * {@code waitMillis} have passed, whichever comes first.
   */
  QrTickets.View await(String id, String secretHash, QrState known, long waitMillis) {
    QrTickets.View v = read(id, secretHash);
    if (v.state() != known || known.terminal() || waitMillis <= 0) {
      return v;
    }
    long until = System.currentTimeMillis() + waitMillis;
    if (v.deadline() > 0) {
      until = Math.min(until, v.deadline() + 50);
    }
    CompletableFuture<Void> changed = new CompletableFuture<>();
    try (AutoCloseable ignored = hub.watch(id, () -> changed.complete(null))) {
      // re-read after registering: a change between the first read and the registration is not
      // missed
      v = read(id, secretHash);
      if (v.state() == known) {
        changed.get(Math.max(1, until - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
        v = read(id, secretHash);
      }
    } catch (TimeoutException e) {
      v = read(id, secretHash);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e); // closing a watch handle does not throw
    }
    return v;
  }

  /**
   * What a redemption answers: the login body as JSON text (a replay answers exactly the bytes of
   * the first answer), and whether it is a replay of an earlier answer.
   */
  record Redemption(String json, boolean replayed) {}

  /**
   * Creates the browser's session: {@code confirmed → completed} once, in Lua, then the session for
   * the confirming user with the browser's device label. If creating the session fails the ticket
   * is reopened, so a retry works.
   *
   * <p>With an {@code idempotencyKey} (an extension: the browser's own random key, sent on every
   * attempt), the answer is also kept sealed under a key derived from the secret and that key, so a
   * browser whose first answer was lost in transit gets the same answer again instead of {@code 410
   * qr_login_used}. Without one, or with another, a second redemption is refused as the contract
   * says.
   */
  Redemption redeem(String id, String secret, Optional<String> idempotencyKey) {
    String secretHash = QrTickets.hash(secret);
    String keyHash = idempotencyKey.map(QrTickets::hash).orElse("");
    QrTickets.View done;
    try {
      done = tickets.complete(id, secretHash, keyHash);
    } catch (RuntimeException e) {
      // the transition may have happened before the failure (its wait for a replica failed): undo
      // it if we can
      try {
        tickets.reopen(id, secretHash);
      } catch (RuntimeException ignored) {
        // Redis is away; a retry with the same Idempotency-Key may complete it again (qr.lua)
      }
      throw e;
    }
    switch (done.outcome()) {
      case NOT_FOUND -> throw unknownTicket();
      case EXPIRED -> {
        announce(id, done);
        throw Problem.of(
            410, Problem.EXPIRED, "This QR login has expired; the browser shows a new code.");
      }
      case CONFLICT -> {
        announce(id, done);
        if (done.state() == QrState.COMPLETED && idempotencyKey.isPresent()) {
          Optional<String> replay =
              tickets
                  .replay(id, secretHash, keyHash)
                  .flatMap(stored -> SealedAnswer.open(secret, idempotencyKey.get(), stored));
          if (replay.isPresent()) {
            return new Redemption(replay.get(), true);
          }
        }
        throw switch (done.state()) {
          case COMPLETED ->
              Problem.of(
                  410,
                  QR_LOGIN_USED,
                  "This QR login was already redeemed; its session was handed out once.");
          case CANCELLED -> Problem.of(409, Problem.CONFLICT, "The phone cancelled this QR login.");
          default ->
              Problem.of(
                  409,
                  Problem.CONFLICT,
                  "This QR login is " + done.state() + ": the phone has not confirmed it yet.");
        };
      }
      default -> {}
    }
    Sessions.Login login;
    try {
      Account account =
          accounts
              .findById(Long.parseLong(done.scannerId()))
              .orElseThrow(
                  () ->
                      Problem.of(
                          409, Problem.CONFLICT, "The confirming account no longer exists."));
      login =
          sessions
              .create(
                  account.id(),
                  account.login(),
                  account.displayName(),
                  account.credentialVersion(),
                  done.device())
              .orElseThrow(
                  () ->
                      Problem.of(
                          409,
                          Problem.CONFLICT,
                          "The account's credentials changed during the QR login."));
    } catch (RuntimeException e) {
      try {
        tickets.reopen(id, secretHash); // the next redemption may try again
      } catch (RuntimeException ignored) {
        // Redis is away; a retry with the same Idempotency-Key may complete it again (qr.lua)
      }
      hub.changed(id, QrState.CONFIRMED);
      throw e;
    }
    String body = QrSocket.json(LoginBody.of(login));
    if (idempotencyKey.isPresent()) {
      tickets.remember(
          id, secretHash, keyHash, SealedAnswer.seal(secret, idempotencyKey.get(), body));
    }
    hub.changed(id, QrState.COMPLETED); // announced once the session exists
    return new Redemption(body, false);
  }

  QrTickets.View scan(String id, long userId, String displayName) {
    return settle(tickets.scan(id, userId, displayName), id);
  }

  QrTickets.View confirm(String id, long userId) {
    return settle(tickets.confirm(id, userId), id);
  }

  QrTickets.View cancel(String id, long userId) {
    return settle(tickets.cancel(id, userId), id);
  }

  private void announce(String id, QrTickets.View v) {
    if (v.changed()) {
      hub.changed(id, v.state());
    }
  }

  private QrTickets.View settle(QrTickets.View v, String id) {
    announce(id, v);
    return switch (v.outcome()) {
      case OK -> v;
      case NOT_FOUND -> throw Problem.notFound("No such QR login.");
      case FORBIDDEN ->
          throw Problem.of(
              403,
              Problem.FORBIDDEN,
              "Only the user who scanned this QR code may confirm or cancel it.");
      case EXPIRED ->
          throw Problem.of(
              410, Problem.EXPIRED, "This QR login has expired; the browser shows a new code.");
      case CONFLICT ->
          throw Problem.of(
              409,
              Problem.CONFLICT,
              v.state() == QrState.PENDING
                  ? "Scan the QR code before confirming or cancelling it."
                  : "This QR login is " + v.state() + " and cannot be used again.");
    };
  }

  static Problem unknownTicket() {
    return Problem.notFound("No such QR login, or the secret does not match.");
  }
}
