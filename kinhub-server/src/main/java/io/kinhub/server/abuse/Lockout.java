package io.kinhub.server.abuse;

import io.kinhub.redis.connection.RedisConnections;
import io.kinhub.redis.script.LuaScript;
import io.kinhub.redis.script.Scripts;
import io.kinhub.server.backing.Digests;
import io.kinhub.server.http.Problem;
import io.lettuce.core.ScriptOutputType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brute-force protection for password login with Keycloak's semantics, without its races:
 * consecutive failures per login are counted in one Lua call across all nodes; from the {@code
 * failures}-th failure on, the login is locked for {@code increment × (failures − threshold + 1)},
 * at most {@code maxWait}; failures are forgotten after {@code resetAfter} without one, or on a
 * success. Unknown logins are counted exactly like known ones, so responses do not reveal which
 * logins exist. While locked, even the right password gets {@code 429 too_many_attempts}.
 */
public final class Lockout {
  private static final Logger log = LoggerFactory.getLogger(Lockout.class);
  private static final LuaScript SCRIPT = LuaScript.fromResource(Lockout.class, "lockout.lua");

  /** Lockout parameters. */
  public record Settings(int failures, Duration increment, Duration maxWait, Duration resetAfter) {
    public static Settings defaults() {
      return new Settings(5, Duration.ofMinutes(1), Duration.ofMinutes(15), Duration.ofHours(12));
    }
  }

  private final RedisConnections redis;
  private final Scripts scripts;
  private final Settings settings;

  public Lockout(RedisConnections redis, Settings settings) {
    this.redis = redis;
    this.scripts = new Scripts(redis);
    this.settings = settings;
  }

  /** Refuses with {@code 429 too_many_attempts} while the login is locked. */
  public void checkNotLocked(String login) {
    refuseIfLocked(call("check", login));
  }

  /** Records a failed attempt (logging a new lock). */
  public void failed(String login, String clientIp) {
    List<Long> r = call("fail", login);
    if (r.get(3) == 1L) {
      log.warn(
          "login locked after {} consecutive failures for {} s: login {} (client {})",
          r.get(2),
          (r.get(1) + 999) / 1000,
          mask(login),
          clientIp);
    }
  }

  /**
   * Records a success, forgetting failures; refuses if a lock was set meanwhile on another node.
   */
  public void succeeded(String login) {
    refuseIfLocked(call("success", login));
  }

  private void refuseIfLocked(List<Long> r) {
    if (r.get(0) == 1L) {
      long seconds = Math.max(1, (r.get(1) + 999) / 1000);
      throw Problem.of(
              429,
              Problem.TOO_MANY_ATTEMPTS,
              "Too many failed attempts; this login is locked for " + seconds + " s.")
          .withHeaders(
              Map.of(
                  "Retry-After", Long.toString(seconds),
                  "RateLimit-Policy",
                      "\"lockout\";q="
                          + settings.failures()
                          + ";w="
                          + settings.resetAfter().toSeconds(),
                  "RateLimit", "\"lockout\";r=0;t=" + seconds));
    }
  }

  private List<Long> call(String mode, String login) {
    return scripts.run(
        SCRIPT,
        ScriptOutputType.MULTI,
        List.of(redis.key("lockout:" + hash(login))),
        mode,
        Integer.toString(settings.failures()),
        Long.toString(settings.increment().toMillis()),
        Long.toString(settings.maxWait().toMillis()),
        Long.toString(settings.resetAfter().toMillis()));
  }

  public Settings settings() {
    return settings;
  }

  private static String hash(String login) {
    return Digests.sha256Hex(login, 16);
  }

  private static String mask(String login) {
    int at = login.indexOf('@');
    if (at > 1) {
      return login.charAt(0) + "***" + login.substring(at);
    }
    return login.length() > 4 ? "***" + login.substring(login.length() - 4) : "***";
  }
}
