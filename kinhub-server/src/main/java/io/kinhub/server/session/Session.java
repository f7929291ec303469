package io.kinhub.server.session;

/**
 * A logged-in session as kept in Redis (and in the near cache). Times are Redis-clock epoch
 * milliseconds. The user's login and display name are copied into the record so that {@code GET
 * /me} needs no lookup.
 */
public record Session(
    long userId,
    String id,
    String tokenHash,
    String device,
    String login,
    String displayName,
    long createdAt,
    long lastSeenAt,
    long idleExpiresAt,
    long absoluteExpiresAt) {

  /** When the session ends unless it is used again. */
  public long expiresAt() {
    return Math.min(idleExpiresAt, absoluteExpiresAt);
  }

  Session seen(long lastSeen, long idleExpiry) {
    return new Session(
        userId,
        id,
        tokenHash,
        device,
        login,
        displayName,
        createdAt,
        lastSeen,
        idleExpiry,
        absoluteExpiresAt);
  }
}
