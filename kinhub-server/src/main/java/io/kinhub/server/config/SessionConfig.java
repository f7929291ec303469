package io.kinhub.server.config;

import java.time.Duration;
import java.util.Map;

/**
 * Sessions and the password hashing of logins.
 *
 * @param idleTimeout a session unused this long ends
 * @param absoluteLifetime a session ends this long after login
 * @param perUser most sessions of one user
 * @param passwordHashConcurrency Argon2id hashes computed at once
 */
public record SessionConfig(
    Duration idleTimeout, Duration absoluteLifetime, int perUser, int passwordHashConcurrency) {

  static SessionConfig from(Map<String, String> env) {
    return new SessionConfig(
        Variables.SESSION_IDLE_TIMEOUT.read(env),
        Variables.SESSION_ABSOLUTE_LIFETIME.read(env),
        Variables.SESSIONS_PER_USER.read(env),
        Variables.PASSWORD_HASH_CONCURRENCY
            .read(env)
            .orElseGet(() -> Math.max(1, Runtime.getRuntime().availableProcessors())));
  }
}
