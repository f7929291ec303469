package io.kinhub.server.sms;

import io.kinhub.redis.connection.RedisConnections;
import io.kinhub.redis.script.LuaScript;
import io.kinhub.redis.script.Scripts;
import io.kinhub.server.backing.Digests;
import io.lettuce.core.ScriptOutputType;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

/**
 * Six-digit login codes from {@link SecureRandom}, kept in Redis only as a salted hash with a
 * counter of wrong attempts; verification, counting and burning are one Lua call. A code is
 * accepted once; after {@link #MAX_WRONG} wrong codes it is burned until a new one is sent.
 */
final class SmsCodes {
  static final int MAX_WRONG = 5;
  private static final LuaScript SCRIPT = LuaScript.fromResource(SmsCodes.class, "sms_code.lua");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final RedisConnections redis;
  private final Scripts scripts;
  private final Duration ttl;

  SmsCodes(RedisConnections redis, Duration ttl) {
    this.redis = redis;
    this.scripts = new Scripts(redis);
    this.ttl = ttl;
  }

  /** A fresh code; replaces any earlier one. */
  record Issued(String code, long expiresAt) {}

  Issued issue(String phone) {
    String code = String.format("%06d", RANDOM.nextInt(1_000_000));
    byte[] salt = new byte[16];
    RANDOM.nextBytes(salt);
    List<Long> r =
        scripts.run(
            SCRIPT,
            ScriptOutputType.MULTI,
            List.of(key(phone)),
            "issue",
            code,
            HexFormat.of().formatHex(salt),
            Long.toString(ttl.toMillis()));
    // the code is on its way to the phone: a failover must not forget it
    redis.awaitReplication(key(phone));
    return new Issued(code, r.get(0));
  }

  /** Whether {@code candidate} is the phone's current, unburned code (and burns it if so). */
  boolean verify(String phone, String candidate) {
    if (!candidate.matches("[0-9]{6}")) {
      // malformed guesses still count, so they cannot be used to probe for free
      candidate = "x";
    }
    List<Long> r =
        scripts.run(
            SCRIPT,
            ScriptOutputType.MULTI,
            List.of(key(phone)),
            "verify",
            candidate,
            Integer.toString(MAX_WRONG));
    return r.get(0) == 1L;
  }

  private String key(String phone) {
    return redis.key("smscode:" + Digests.sha256Hex(phone, 16));
  }
}
