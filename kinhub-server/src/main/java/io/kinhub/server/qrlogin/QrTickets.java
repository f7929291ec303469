package io.kinhub.server.qrlogin;

import io.kinhub.redis.connection.RedisConnections;
import io.kinhub.redis.script.LuaScript;
import io.kinhub.redis.script.Scripts;
import io.kinhub.server.backing.Digests;
import io.lettuce.core.ScriptOutputType;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * QR-login tickets in Redis ({@code <prefix>qr:<id>}), every transition one call of {@code qr.lua}.
 * The browser's secret is kept only as its SHA-256; the ticket id alone (what the QR code carries)
 * lets nobody read the ticket.
 */
final class QrTickets {
  private static final LuaScript SCRIPT = LuaScript.fromResource(QrTickets.class, "qr.lua");
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{22}");

  /** Outcome of an operation. */
  enum Outcome {
    OK,
    NOT_FOUND,
    FORBIDDEN,
    CONFLICT,
    EXPIRED
  }

  /** A ticket as seen after an operation; {@code changed} when this call moved its state. */
  record View(
      Outcome outcome,
      QrState state,
      String device,
      long createdAt,
      long deadline,
      String scannerId,
      String scannerName,
      boolean changed,
      String ip) {}

  /** A new ticket and its secret (shown to the browser once). */
  record Created(String id, String secret, View view) {}

  private final RedisConnections redis;
  private final Scripts scripts;
  private final Duration scanTimeout;
  private final Duration confirmTimeout;
  private final Duration completionWindow;

  QrTickets(RedisConnections redis, Duration scanTimeout, Duration confirmTimeout) {
    this.redis = redis;
    this.scripts = new Scripts(redis);
    this.scanTimeout = scanTimeout;
    this.confirmTimeout = confirmTimeout;
    this.completionWindow = confirmTimeout;
  }

  static boolean wellFormedId(String id) {
    return id != null && ID.matcher(id).matches();
  }

  static String hash(String secret) {
    return Digests.sha256Hex(secret);
  }

  Created create(String device, String ip) {
    byte[] id = new byte[16];
    byte[] secret = new byte[32];
    RANDOM.nextBytes(id);
    RANDOM.nextBytes(secret);
    String ticket = B64.encodeToString(id);
    String secretText = B64.encodeToString(secret);
    Duration keep = scanTimeout.plus(confirmTimeout).plus(completionWindow).plusMinutes(5);
    View view =
        run(
            ticket,
            "create",
            hash(secretText),
            device,
            ms(scanTimeout),
            ms(confirmTimeout),
            ms(keep),
            ip);
    return new Created(ticket, secretText, view);
  }

  View read(String id, String secretHash) {
    return run(id, "read", secretHash);
  }

  /**
   * Confirmed → completed, once across every reader and node: the browser redeems its session.
   * {@code keyHash} (or "") is the hash of the browser's idempotency key, under which its answer
   * may be replayed.
   */
  View complete(String id, String secretHash, String keyHash) {
    return run(id, "complete", secretHash, keyHash);
  }

  /**
   * Keeps the sealed answer of a completion made with {@code keyHash}; false if the ticket is not
   * in that state.
   */
  boolean remember(String id, String secretHash, String keyHash, String sealed) {
    return run(id, "remember", secretHash, keyHash, sealed).outcome() == Outcome.OK;
  }

  /** The sealed answer of a completion made with {@code keyHash}, if there is one. */
  Optional<String> replay(String id, String secretHash, String keyHash) {
    List<Object> r =
        scripts.run(
            SCRIPT,
            ScriptOutputType.MULTI,
            List.of(redis.key("qr:" + id)),
            "replay",
            secretHash,
            keyHash);
    String sealed = r.size() > 9 ? (String) r.get(9) : "";
    return sealed == null || sealed.isEmpty() ? Optional.empty() : Optional.of(sealed);
  }

  View reopen(String id, String secretHash) {
    return run(id, "reopen", secretHash);
  }

  View scan(String id, long userId, String displayName) {
    return run(id, "scan", Long.toString(userId), displayName);
  }

  View confirm(String id, long userId) {
    return run(id, "confirm", Long.toString(userId), ms(completionWindow));
  }

  View cancel(String id, long userId) {
    return run(id, "cancel", Long.toString(userId));
  }

  private View run(String id, String op, String... args) {
    String[] argv = new String[args.length + 1];
    argv[0] = op;
    System.arraycopy(args, 0, argv, 1, args.length);
    String key = redis.key("qr:" + id);
    List<Object> r = scripts.run(SCRIPT, ScriptOutputType.MULTI, List.of(key), argv);
    if (((Long) r.get(7)) == 1L || op.equals("remember")) {
      // a transition lost in a failover would lose this login: the phone saw "confirmed", the
      // browser could not redeem
      redis.awaitReplication(key);
    }
    Outcome outcome = Outcome.valueOf(((String) r.get(0)).toUpperCase(Locale.ROOT));
    // a ticket that is not found has no state; PENDING stands in and is never shown
    QrState state = QrState.parse((String) r.get(1)).orElse(QrState.PENDING);
    return new View(
        outcome,
        state,
        (String) r.get(2),
        (Long) r.get(3),
        (Long) r.get(4),
        (String) r.get(5),
        (String) r.get(6),
        ((Long) r.get(7)) == 1L,
        (String) r.get(8));
  }

  private static String ms(Duration d) {
    return Long.toString(d.toMillis());
  }
}
