package io.kinhub.server.session;

import io.kinhub.redis.connection.RedisConnections;
import io.kinhub.redis.script.LuaScript;
import io.kinhub.redis.script.Scripts;
import io.lettuce.core.ScriptOutputType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sessions in Redis. A user's keys share the hash tag {@code {u<id>}} so every multi-key script
 * runs on one Redis Cluster slot:
 *
 * <pre>
 *   &lt;prefix&gt;{u42}:sessions          sorted set: session id -&gt; expiry (ms)
 *   &lt;prefix&gt;{u42}:session:&lt;sid&gt;     hash: the session record (token stored as SHA-256 only)
 *   &lt;prefix&gt;{u42}:credver           minimum credential version a new session must carry
 *   &lt;prefix&gt;token:&lt;sha256&gt;         "&lt;user id&gt;:&lt;session id&gt;", written before the record, expires with it
 * </pre>
 *
 * The token pointer lives in its own slot (it is looked up by token alone); it is immutable and
 * authoritative only together with the record, so a pointer whose record is gone means "no
 * session".
 */
final class SessionStore {
  private static final Logger log = LoggerFactory.getLogger(SessionStore.class);

  private static final LuaScript CREATE =
      LuaScript.fromResource(SessionStore.class, "session_create.lua");
  private static final LuaScript TOUCH =
      LuaScript.fromResource(SessionStore.class, "session_touch.lua");
  private static final LuaScript LIST =
      LuaScript.fromResource(SessionStore.class, "session_list.lua");
  private static final LuaScript REVOKE =
      LuaScript.fromResource(SessionStore.class, "session_revoke.lua");
  static final Duration TOUCH_THROTTLE = Duration.ofMinutes(1);

  private final RedisConnections redis;
  private final Scripts scripts;
  private final Duration idleTimeout;
  private final Duration absoluteLifetime;
  private final int perUser;

  SessionStore(
      RedisConnections redis, Duration idleTimeout, Duration absoluteLifetime, int perUser) {
    this.redis = redis;
    this.scripts = new Scripts(redis);
    this.idleTimeout = idleTimeout;
    this.absoluteLifetime = absoluteLifetime;
    this.perUser = perUser;
  }

  /** A created session, and the token hashes of older sessions the per-user cap ended. */
  record Created(Session session, List<String> evictedTokenHashes) {}

  /** Creates a session; empty when the credentials changed after the caller verified them. */
  Optional<Created> create(
      long userId,
      String login,
      String displayName,
      String tokenHash,
      String device,
      long credentialVersion) {
    String sessionId = Tokens.newSessionId();
    redis.call(
        "SET token pointer",
        () ->
            redis
                .sync()
                .psetex(
                    pointerKey(tokenHash), absoluteLifetime.toMillis(), userId + ":" + sessionId));
    List<Object> result =
        scripts.run(
            CREATE,
            ScriptOutputType.MULTI,
            List.of(indexKey(userId), recordKey(userId, sessionId), credentialKey(userId)),
            sessionId,
            tokenHash,
            device,
            Long.toString(userId),
            login,
            displayName,
            Long.toString(idleTimeout.toMillis()),
            Long.toString(absoluteLifetime.toMillis()),
            Integer.toString(perUser),
            recordPrefix(userId),
            Long.toString(credentialVersion));
    long now = (Long) result.get(0);
    if (now < 0) {
      redis.call("DEL token pointer", () -> redis.sync().del(pointerKey(tokenHash)));
      return Optional.empty();
    }
    // the token is about to be handed out: a failover must not forget the session (the pointer was
    // written first, on
    // the same connection, so in one Redis this one wait covers it too)
    redis.awaitReplication(pointerKey(tokenHash), indexKey(userId));
    long idleExpiry = (Long) result.get(1);
    long absoluteExpiry = (Long) result.get(2);
    List<String> evicted = new ArrayList<>();
    for (int i = 3; i < result.size(); i++) {
      evicted.add((String) result.get(i));
    }
    Session session =
        new Session(
            userId,
            sessionId,
            tokenHash,
            device,
            login,
            displayName,
            now,
            now,
            idleExpiry,
            absoluteExpiry);
    return Optional.of(new Created(session, evicted));
  }

  /** Reads a session by token hash from Redis (two reads: the pointer, then the record). */
  Optional<Session> find(String tokenHash) {
    String pointer = redis.call("GET token pointer", () -> redis.sync().get(pointerKey(tokenHash)));
    if (pointer == null) {
      return Optional.empty();
    }
    int colon = pointer.indexOf(':');
    long userId = Long.parseLong(pointer.substring(0, colon));
    String sessionId = pointer.substring(colon + 1);
    Map<String, String> f =
        redis.call("HGETALL session", () -> redis.sync().hgetall(recordKey(userId, sessionId)));
    if (f.isEmpty() || !tokenHash.equals(f.get("th"))) {
      return Optional.empty();
    }
    return Optional.of(
        new Session(
            userId,
            sessionId,
            tokenHash,
            f.getOrDefault("dev", ""),
            f.getOrDefault("login", ""),
            f.getOrDefault("name", ""),
            Long.parseLong(f.get("c")),
            Long.parseLong(f.get("ls")),
            Long.parseLong(f.get("ie")),
            Long.parseLong(f.get("ae"))));
  }

  /**
   * Extends the idle expiry (throttled in the script); completes with null when the session is
   * gone.
   */
  CompletionStage<long[]> touch(Session session) {
    return scripts
        .<List<Object>>runAsync(
            TOUCH,
            ScriptOutputType.MULTI,
            List.of(indexKey(session.userId()), recordKey(session.userId(), session.id())),
            session.id(),
            Long.toString(idleTimeout.toMillis()),
            Long.toString(TOUCH_THROTTLE.toMillis()))
        .thenApply(
            r -> ((Long) r.get(0)) == 0L ? null : new long[] {(Long) r.get(1), (Long) r.get(2)});
  }

  /** One live session of a user as listed. */
  record Listed(String id, String device, long createdAt, long lastSeenAt) {}

  List<Listed> list(long userId) {
    List<Object> rows =
        scripts.run(LIST, ScriptOutputType.MULTI, List.of(indexKey(userId)), recordPrefix(userId));
    List<Listed> out = new ArrayList<>(rows.size());
    for (Object row : rows) {
      @SuppressWarnings("unchecked")
      List<Object> r = (List<Object>) row;
      out.add(
          new Listed(
              (String) r.get(0),
              (String) r.get(1),
              Long.parseLong((String) r.get(2)),
              Long.parseLong((String) r.get(3))));
    }
    return out;
  }

  /** Ends one session; returns its token hash, or empty when the user has no such session. */
  List<String> revokeOne(long userId, String sessionId) {
    return revoke(userId, sessionId, "");
  }

  /**
   * Ends every session of a user; with a credential version, also refuses logins that verified an
   * older one.
   */
  List<String> revokeAll(long userId, Long newCredentialVersion) {
    return revoke(
        userId, "", newCredentialVersion == null ? "" : Long.toString(newCredentialVersion));
  }

  private List<String> revoke(long userId, String sessionId, String credentialVersion) {
    List<String> hashes =
        scripts.run(
            REVOKE,
            ScriptOutputType.MULTI,
            List.of(indexKey(userId), credentialKey(userId)),
            recordPrefix(userId),
            sessionId,
            credentialVersion);
    // a logout undone by a failover would bring the token back to life
    redis.awaitReplication(indexKey(userId));
    deletePointers(hashes);
    return hashes;
  }

  private void deletePointers(List<String> hashes) {
    if (hashes.isEmpty()) {
      return;
    }
    for (String hash : hashes) {
      try {
        // one key per command: pointers live in different cluster slots
        redis
            .async()
            .del(pointerKey(hash))
            .whenComplete(
                (deleted, failure) -> {
                  if (failure != null) {
                    log.debug("session pointer not deleted: {}", failure.toString());
                  }
                });
      } catch (RuntimeException e) {
        // harmless: a pointer without its record means "no session", and it expires on its own
      }
    }
  }

  private String indexKey(long userId) {
    return redis.key("{u" + userId + "}:sessions");
  }

  private String recordPrefix(long userId) {
    return redis.key("{u" + userId + "}:session:");
  }

  private String recordKey(long userId, String sessionId) {
    return recordPrefix(userId) + sessionId;
  }

  private String credentialKey(long userId) {
    return redis.key("{u" + userId + "}:credver");
  }

  private String pointerKey(String tokenHash) {
    return redis.key("token:" + tokenHash);
  }
}
