package io.kinhub.server.session;

import io.kinhub.redis.connection.RedisConnections;
import io.kinhub.redis.events.EventBus;
import io.kinhub.redis.nearcache.NearCache;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sessions: creation, authentication through the near cache, and revocation that has reached every
 * node when the call returns.
 *
 * <p>The hot path ({@link #authenticate}) hashes the token and reads the near cache; on a hit it
 * makes no Redis call at all, except a throttled, asynchronous last-seen update at most once a
 * minute per session. Every revocation changes Redis first and then calls {@link
 * NearCache#invalidateEverywhere}, whose return means no node will serve the old entry (see {@link
 * EventBus} for the argument).
 */
public final class Sessions {
  private static final Logger log = LoggerFactory.getLogger(Sessions.class);

  private final SessionStore store;
  private final NearCache<Session> cache;
  private final Set<String> touching = ConcurrentHashMap.newKeySet();
  private final Clock clock;

  public Sessions(
      RedisConnections redis,
      EventBus bus,
      MeterRegistry meters,
      Clock clock,
      Duration idleTimeout,
      Duration absoluteLifetime,
      int perUser,
      long cacheSize,
      Duration cacheMaxAge) {
    this.store = new SessionStore(redis, idleTimeout, absoluteLifetime, perUser);
    this.cache = NearCache.create("sessions", bus, cacheSize, cacheMaxAge, meters);
    this.clock = clock;
  }

  /** A new session and its token, which is shown to the client once and never stored. */
  public record Login(String token, Session session) {}

  /**
   * Creates a session for the user whose credentials the caller verified at {@code
   * credentialVersion}; empty when they changed in the meantime. The login and display name are
   * kept in the session for {@code GET /me}.
   */
  public Optional<Login> create(
      long userId, String login, String displayName, long credentialVersion, String device) {
    String token = Tokens.newToken();
    Optional<SessionStore.Created> created =
        store.create(userId, login, displayName, Tokens.hash(token), device, credentialVersion);
    created.ifPresent(
        c -> {
          if (!c.evictedTokenHashes().isEmpty()) {
            cache.invalidateEverywhere(c.evictedTokenHashes());
          }
        });
    return created.map(c -> new Login(token, c.session()));
  }

  /** The live session a token belongs to. */
  public Optional<Session> authenticate(String token) {
    if (!Tokens.wellFormed(token)) {
      return Optional.empty();
    }
    String hash = Tokens.hash(token);
    Session session = cache.get(hash, h -> store.find(h).orElse(null));
    if (session == null) {
      return Optional.empty();
    }
    long now = clock.millis();
    if (now >= session.expiresAt()) {
      cache.invalidateLocally(List.of(hash));
      return Optional.empty();
    }
    if (now - session.lastSeenAt() >= SessionStore.TOUCH_THROTTLE.toMillis()) {
      touch(session);
    }
    return Optional.of(session);
  }

  private void touch(Session session) {
    String hash = session.tokenHash();
    if (!touching.add(hash)) {
      return;
    }
    try {
      store
          .touch(session)
          .whenComplete(
              (seen, error) -> {
                touching.remove(hash);
                if (error != null) {
                  log.debug(
                      "last-seen update failed for a session of user {}: {}",
                      session.userId(),
                      error.toString());
                } else if (seen == null) {
                  cache.invalidateLocally(List.of(hash));
                } else {
                  cache.updateIfPresent(hash, s -> s.seen(seen[0], seen[1]));
                }
              });
    } catch (RuntimeException e) {
      touching.remove(hash);
    }
  }

  /**
   * Runs {@code listener} on every node with the token hashes of sessions that were revoked or
   * evicted anywhere (an empty list: this node may have missed some, so every session should be
   * checked again with {@link #live}).
   */
  public void onInvalidation(Consumer<List<String>> listener) {
    cache.onInvalidation(listener);
  }

  /** Whether the session of this token hash is still live, read from Redis (not the near cache). */
  public boolean live(String tokenHash) {
    return store.find(tokenHash).filter(s -> clock.millis() < s.expiresAt()).isPresent();
  }

  /** The user's live sessions, soonest expiry first. */
  public List<SessionStore.Listed> list(long userId) {
    return store.list(userId);
  }

  /** Ends one session of the user everywhere; false when the user has no such session. */
  public boolean revoke(long userId, String sessionId) {
    if (!Tokens.wellFormedSessionId(sessionId)) {
      return false;
    }
    List<String> hashes = store.revokeOne(userId, sessionId);
    if (hashes.isEmpty()) {
      return false;
    }
    cache.invalidateEverywhere(hashes);
    return true;
  }

  /** Ends every session of the user everywhere. */
  public void revokeAll(long userId) {
    List<String> hashes = store.revokeAll(userId, null);
    if (!hashes.isEmpty()) {
      cache.invalidateEverywhere(hashes);
    }
  }

  /**
   * Ends every session of the user everywhere after a password change, and refuses sessions for
   * logins that verified a credential version older than {@code newCredentialVersion}.
   */
  public void revokeAllAfterCredentialChange(long userId, long newCredentialVersion) {
    List<String> hashes = store.revokeAll(userId, newCredentialVersion);
    if (!hashes.isEmpty()) {
      cache.invalidateEverywhere(hashes);
    }
  }
}
