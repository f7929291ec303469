package io.kinhub.server.config;

import io.kinhub.server.abuse.Lockout;
import io.kinhub.server.abuse.RateLimitPolicy;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rate limits and the password-login lockout.
 *
 * @param rateLimits one policy per limited endpoint
 * @param lockout when and how long failed password logins lock a login
 */
public record AbuseConfig(List<RateLimitPolicy> rateLimits, Lockout.Settings lockout) {

  static AbuseConfig from(Map<String, String> env) {
    Set<String> failOpen = Variables.RATE_LIMIT_FAIL_OPEN.read(env);
    List<RateLimitPolicy> policies =
        Variables.RATE_LIMITS.stream()
            .map(v -> v.read(env))
            .map(
                p ->
                    new RateLimitPolicy(
                        p.name(), p.method(), p.path(), p.limits(), failOpen.contains(p.name())))
            .toList();
    Lockout.Settings lockout =
        new Lockout.Settings(
            Variables.LOCKOUT_FAILURES.read(env),
            Variables.LOCKOUT_WAIT_INCREMENT.read(env),
            Variables.LOCKOUT_MAX_WAIT.read(env),
            Variables.LOCKOUT_RESET_AFTER.read(env));
    return new AbuseConfig(policies, lockout);
  }
}
