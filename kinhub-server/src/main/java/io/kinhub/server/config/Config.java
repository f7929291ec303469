package io.kinhub.server.config;

import io.kinhub.server.backing.RedisChecks;
import io.kinhub.server.node.NodeSettings;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import io.kinhub.redis.jobs.QueueSettings;
import io.kinhub.server.abuse.ClientIp;
import io.kinhub.server.abuse.Lockout;
import io.kinhub.server.abuse.RateLimitPolicy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Kinhub's configuration, read once at start-up from {@code KINHUB_*} environment variables and validated:
 * a bad value stops the server with a message naming the variable. Every variable is listed in
 * {@link #VARIABLES} with its default and meaning; the README's configuration table mirrors it.
 */
public record Config(
    String httpHost,
    int httpPort,
    Optional<String> publicUrl,
    Optional<String> redisUrl,
    String redisPrefix,
    Duration redisTimeout,
    int redisWaitReplicas,
    Duration redisWaitTimeout,
    Optional<String> databaseUrl,
    int databasePoolSize,
    Path dataDir,
    String nodeId,
    String smsProvider,
    Duration sessionIdleTimeout,
    Duration sessionAbsoluteLifetime,
    int sessionsPerUser,
    long nearCacheSize,
    Duration nearCacheMaxAge,
    int passwordHashConcurrency,
    String trustedProxies,
    List<RateLimitPolicy> rateLimits,
    Lockout.Settings lockout,
    Optional<URI> smsHttpUrl,
    String smsHttpSecret,
    int smsHttpConnections,
    Duration smsCodeTtl,
    QueueSettings jobSettings,
    Duration qrScanTimeout,
    Duration qrConfirmTimeout,
    Duration wsIdleTimeout,
    int qrSocketsPerIp,
    long gedcomMaxBytes,
    boolean devEndpoints,
    Optional<String> metricsToken,
    io.kinhub.server.tree.TreeSettings tree,
    NodeSettings node,
    io.kinhub.server.feed.FeedSettings feed) {

  /** Every variable: name, default (empty: none), meaning. */
  public static final Map<String, String[]> VARIABLES = variables();

  private static Map<String, String[]> variables() {
    Map<String, String[]> v = new LinkedHashMap<>();
    v.put("KINHUB_HTTP_HOST", new String[] {"127.0.0.1", "address to listen on: an IPv4 or IPv6 literal or a host name; `::` listens on every IPv6 and IPv4 address"});
    v.put("KINHUB_HTTP_PORT", new String[] {"8080", "HTTP port (0 picks a free one)"});
    v.put("KINHUB_PUBLIC_URL", new String[] {"", "base URL users reach this deployment at, e.g. `https://kin.example.org`; default `http://<host>:<port>`"});
    v.put("KINHUB_REDIS_URL", new String[] {"", "Redis URI: `redis://`, `rediss://`, `redis-sentinel://…#master`, or a Redis Cluster as `redis-cluster://host:port[,host:port…]` (`rediss-cluster://` with TLS); unset: start the embedded Redis 7.0.15 under the data dir. A database number other than 0 (`/3`, `?database=3`) is refused: Kinhub never uses SELECT (see `KINHUB_REDIS_PREFIX`). At start-up Kinhub warns about `tcp-keepalive 0`, an evicting `maxmemory-policy` and a Redis without persistence"});
    v.put("KINHUB_REDIS_PREFIX", new String[] {"kinhub:", "prefix of every Redis key and channel (Kinhub never uses SELECT)"});
    v.put("KINHUB_REDIS_TIMEOUT", new String[] {"1s", "upper bound of every Redis command; requests needing Redis fail with 503 after it"});
    v.put("KINHUB_REDIS_WAIT_REPLICAS", new String[] {"auto", "replicas a write that must survive a failover (session created or ended, QR-login step, SMS code) waits for (`WAIT`) before the answer: `auto` = 1 when the master has a replica, else 0; or a number (0 = never wait)"});
    v.put("KINHUB_REDIS_WAIT_TIMEOUT", new String[] {"100ms", "longest such wait; a replica slower than this is not waited for (the write stands on the master)"});
    v.put("KINHUB_DATABASE_URL", new String[] {"", "JDBC PostgreSQL URL, e.g. `jdbc:postgresql://127.0.0.1:5432/kinhub?user=kinhub&password=...`; unset: start the embedded PostgreSQL 17 under the data dir"});
    v.put("KINHUB_DATABASE_POOL_SIZE", new String[] {"10", "maximum PostgreSQL connections of this node"});
    v.put("KINHUB_DATA_DIR", new String[] {"./data", "where the embedded Redis and PostgreSQL keep their data"});
    v.put("KINHUB_NODE_ID", new String[] {"", "this node's name in `/health`, logs and the node registry; default: the host name"});
    v.put("KINHUB_SMS_PROVIDER", new String[] {"outbox", "`outbox` (messages kept in PostgreSQL) or `http`"});
    v.put("KINHUB_DEV_ENDPOINTS", new String[] {"false", "`true` serves the development endpoints (`GET /api/v1/dev/sms-outbox` with the `outbox` provider), which hand anyone every login code: never in production"});
    v.put("KINHUB_SMS_HTTP_URL", new String[] {"", "with `KINHUB_SMS_PROVIDER=http`: the gateway Kinhub POSTs `{\"id\", \"to\", \"text\"}` to"});
    v.put("KINHUB_SMS_HTTP_SECRET", new String[] {"", "with `KINHUB_SMS_PROVIDER=http`: sent as `Authorization: Bearer <secret>`"});
    v.put("KINHUB_SMS_HTTP_CONNECTIONS", new String[] {"2", "most concurrent requests (and so keep-alive connections) to the SMS gateway per node"});
    v.put("KINHUB_SMS_CODE_TTL", new String[] {"5m", "how long an SMS login code is valid"});
    v.put("KINHUB_JOB_MAX_ATTEMPTS", new String[] {"10", "attempts of a background job before it goes to the dead-letter stream"});
    v.put("KINHUB_JOB_RETRY_BASE", new String[] {"1s", "delay before a job's second attempt; doubles per attempt (with jitter), at most 10 min"});
    v.put("KINHUB_JOB_VISIBILITY_TIMEOUT", new String[] {"30s", "a job held this long by a worker that stopped renewing it (crashed) is taken over by another"});
    v.put("KINHUB_QR_SCAN_TIMEOUT", new String[] {"120s", "a QR-login code must be scanned within this"});
    v.put("KINHUB_QR_CONFIRM_TIMEOUT", new String[] {"60s", "after the scan, the phone must confirm within this"});
    v.put("KINHUB_WS_IDLE_TIMEOUT", new String[] {"60s", "a WebSocket peer silent this long (no pong, no message) is dropped; pings go out every third of it"});
    v.put("KINHUB_QR_SOCKETS_PER_IP", new String[] {"200", "QR-login WebSockets one client address may hold open on one node (behind a proxy, set `KINHUB_TRUSTED_PROXIES`, or every client is the proxy's address)"});
    v.put("KINHUB_SESSION_IDLE_TIMEOUT", new String[] {"7d", "a session unused for this long ends"});
    v.put("KINHUB_SESSION_ABSOLUTE_LIFETIME", new String[] {"30d", "a session ends this long after login, used or not"});
    v.put("KINHUB_SESSIONS_PER_USER", new String[] {"100", "most sessions one user may hold; the one closest to expiry is ended first"});
    v.put("KINHUB_NEAR_CACHE_SIZE", new String[] {"100000", "entries each node keeps in each near cache (sessions; permissions per user and family)"});
    v.put("KINHUB_NEAR_CACHE_MAX_AGE", new String[] {"5s", "no near-cache entry is served older than this (safety net behind invalidation)"});
    v.put("KINHUB_PASSWORD_HASH_CONCURRENCY", new String[] {"", "Argon2id hashes computed at once (19 MiB each); default: the number of CPU cores"});
    v.put("KINHUB_TRUSTED_PROXIES", new String[] {"", "comma-separated CIDRs of reverse proxies whose `X-Forwarded-For` is believed, e.g. `127.0.0.1/32,10.0.0.0/8`; from anyone else the header is ignored"});
    for (RateLimitPolicy p : RateLimitPolicy.defaults()) {
      v.put(rateLimitVariable(p.name()), new String[] {p.spec(), "rate limits of `" + p.method() + " " + p.path()
          + "`: `dimension:count/period[+count/period]`, comma-separated; dimensions `ip`, `login`, `phone`, `user`"});
    }
    v.put("KINHUB_RATE_LIMIT_FAIL_OPEN", new String[] {"accounts,qr-logins,invitations,gedcom-imports", "policies that let requests through when Redis cannot decide; the others answer 503 (`sms-codes`, `sessions`, `accounts`, `qr-logins`, `invitations`, `gedcom-imports`, `password-changes`)"});
    v.put("KINHUB_METRICS_TOKEN", new String[] {"", "lets a scraper read `/metrics` from another host with `Authorization: Bearer <token>` (16 to 256 of `A-Z a-z 0-9 . _ ~ + / = -`); unset: `/metrics` is served to loopback only"});
    v.put("KINHUB_GEDCOM_MAX_MIB", new String[] {"64", "largest GEDCOM file accepted by an import, in MiB"});
    v.put("KINHUB_GEDCOM_MAX_LINE_BYTES", new String[] {"65536", "longest line of a GEDCOM file, in bytes; a longer one is `413 too_large` naming the line"});
    v.put("KINHUB_GEDCOM_MAX_RECORD_LINES", new String[] {"20000", "most lines of one GEDCOM record (an INDI with all its lines); more is `413 too_large` naming the line"});
    v.put("KINHUB_GEDCOM_MAX_RECORDS", new String[] {"1000000", "most level-0 records (persons, families, notes, …) of one GEDCOM file; more is `413 too_large` naming the line"});
    v.put("KINHUB_GEDCOM_MAX_CONCURRENT_IMPORTS", new String[] {"2", "GEDCOM imports (upload and import) this node runs at once; more get `503 unavailable` with `Retry-After`"});
    v.put("KINHUB_GEDCOM_MAX_CONCURRENT_EXPORTS", new String[] {"8", "GEDCOM exports (snapshot and download) this node runs at once; more get `503 unavailable` with `Retry-After`"});
    v.put("KINHUB_GEDCOM_UPLOAD_READ_TIMEOUT", new String[] {"10s", "a GEDCOM upload that sends nothing for this long is cut off with `408 request_timeout`"});
    v.put("KINHUB_GEDCOM_UPLOAD_MIN_RATE", new String[] {"16384", "bytes per second a GEDCOM upload must average after its first read timeout, else `408 request_timeout` (0: no minimum)"});
    v.put("KINHUB_TREE_CACHE_MIB", new String[] {"64", "gzip-compressed `GET /tree` bodies each node keeps (by tree version), in MiB"});
    v.put("KINHUB_LOCKOUT_FAILURES", new String[] {"5", "consecutive failed password logins after which a login is locked"});
    v.put("KINHUB_LOCKOUT_WAIT_INCREMENT", new String[] {"1m", "lock time added per failure from the threshold on"});
    v.put("KINHUB_LOCKOUT_MAX_WAIT", new String[] {"15m", "longest lock"});
    v.put("KINHUB_LOCKOUT_RESET_AFTER", new String[] {"12h", "failures are forgotten after this long without one"});
    v.put("KINHUB_NODE_HEARTBEAT", new String[] {"5s", "how often each node writes its heartbeat (id, Redis identity, version) to the node registry in PostgreSQL and compares itself with the other nodes"});
    v.put("KINHUB_NODE_STALE_AFTER", new String[] {"30s", "a node whose last heartbeat is older than this is no longer live (not listed in `/health`, not compared); at least three heartbeats"});
    v.put("KINHUB_DRAIN_TIMEOUT", new String[] {"10s", "on SIGTERM, how long running requests and jobs may take to finish before the node stops anyway (new requests get `503`, WebSockets close with 1012 at once)"});
    v.put("KINHUB_FEED_TIMELINE_CAP", new String[] {"800", "posts kept in each user's Redis timeline and each family's Redis post list; older ones are read from PostgreSQL"});
    v.put("KINHUB_FEED_FANOUT_BATCH", new String[] {"500", "recipients of a new post handled per fan-out job (one Redis script per batch)"});
    v.put("KINHUB_FEED_ACTIVE_FOR", new String[] {"30d", "a feed unread this long expires from Redis: its user gets no fan-out and the feed is rebuilt from PostgreSQL on return"});
    v.put("KINHUB_FEED_PULL_THRESHOLD", new String[] {"1000", "families with more members than this are not fanned out: their posts are merged into members' feeds at read time"});
    v.put("KINHUB_FEED_COUNTER_FLUSH", new String[] {"5s", "how often one node (holding a lease) copies changed like, comment and view counters from Redis to PostgreSQL"});
    v.put("KINHUB_LIVE_SOCKETS_PER_USER", new String[] {"20", "live-channel WebSockets (`/ws/live`) one user may hold open on one node"});
    v.put("KINHUB_LIVE_SOCKETS_PER_IP", new String[] {"200", "live-channel WebSockets one client address may hold open on one node"});
    v.put("KINHUB_LIVE_SEND_QUEUE", new String[] {"256", "frames a live-channel socket may have waiting to be sent; a client that falls further behind is disconnected (close 1008)"});
    return java.util.Collections.unmodifiableMap(v);
  }

  private static String rateLimitVariable(String policy) {
    return "KINHUB_RATE_LIMIT_" + policy.toUpperCase(Locale.ROOT).replace('-', '_');
  }

  /** Reads and validates the configuration from {@code env}. */
  public static Config from(Map<String, String> env) {
    Reader r = new Reader(env);
    String host = r.text("KINHUB_HTTP_HOST");
    int port = r.integer("KINHUB_HTTP_PORT", 0, 65535);
    Optional<String> publicUrl = r.optional("KINHUB_PUBLIC_URL").map(u -> r.check("KINHUB_PUBLIC_URL", u, Config::isHttpUrl, "an http(s) URL"));
    Optional<String> redisUrl = r.optional("KINHUB_REDIS_URL").map(u -> r.check("KINHUB_REDIS_URL", u,
        s -> s.startsWith("redis://") || s.startsWith("rediss://") || s.startsWith("redis-sentinel://")
            || io.kinhub.redis.connection.RedisConnections.isCluster(s),
        "a redis://, rediss://, redis-sentinel:// or redis-cluster:// URI"));
    redisUrl.filter(io.kinhub.redis.connection.RedisConnections::isCluster).ifPresent(u -> {
      try {
        io.kinhub.redis.connection.RedisConnections.checkClusterUri(u);
      } catch (IllegalArgumentException e) {
        throw new InvalidConfigException("KINHUB_REDIS_URL: " + e.getMessage());
      }
    });
    redisUrl.filter(u -> !io.kinhub.redis.connection.RedisConnections.isCluster(u))
        .ifPresent(u -> RedisChecks.refuseDatabaseNumber(u).ifPresent(message -> {
          throw new InvalidConfigException("KINHUB_REDIS_URL " + message);
        }));
    String prefix = r.check("KINHUB_REDIS_PREFIX", r.text("KINHUB_REDIS_PREFIX"),
        s -> !s.isEmpty() && s.length() <= 64 && s.chars().noneMatch(c -> c <= ' ' || c == '{' || c == '}' || c == '|'),
        "1 to 64 visible characters without braces or '|'");
    Duration redisTimeout = r.duration("KINHUB_REDIS_TIMEOUT", Duration.ofMillis(50), Duration.ofMinutes(1));
    int waitReplicas = r.text("KINHUB_REDIS_WAIT_REPLICAS").equalsIgnoreCase("auto") ? -1
        : r.integer("KINHUB_REDIS_WAIT_REPLICAS", 0, 16);
    Duration waitTimeout = r.duration("KINHUB_REDIS_WAIT_TIMEOUT", Duration.ZERO, Duration.ofSeconds(10));
    if (waitTimeout.compareTo(redisTimeout) >= 0) {
      throw new InvalidConfigException("KINHUB_REDIS_WAIT_TIMEOUT must be shorter than KINHUB_REDIS_TIMEOUT (" + redisTimeout
          + ") but was '" + r.text("KINHUB_REDIS_WAIT_TIMEOUT") + "'");
    }
    Optional<String> dbUrl = r.optional("KINHUB_DATABASE_URL").map(u -> r.check("KINHUB_DATABASE_URL", u,
        s -> s.startsWith("jdbc:postgresql:"), "a JDBC URL starting with jdbc:postgresql:"));
    int pool = r.integer("KINHUB_DATABASE_POOL_SIZE", 1, 1000);
    Path dataDir = Path.of(r.text("KINHUB_DATA_DIR")).toAbsolutePath().normalize();
    String nodeId = r.optional("KINHUB_NODE_ID").orElseGet(Config::hostName);
    r.check("KINHUB_NODE_ID", nodeId, s -> s.matches("[A-Za-z0-9._-]{1,64}"), "1 to 64 of A-Z a-z 0-9 . _ -");
    String sms = r.check("KINHUB_SMS_PROVIDER", r.text("KINHUB_SMS_PROVIDER").toLowerCase(Locale.ROOT),
        s -> s.equals("outbox") || s.equals("http"), "outbox or http");
    Duration idle = r.duration("KINHUB_SESSION_IDLE_TIMEOUT", Duration.ofMinutes(1), Duration.ofDays(3650));
    Duration absolute = r.duration("KINHUB_SESSION_ABSOLUTE_LIFETIME", Duration.ofMinutes(1), Duration.ofDays(3650));
    int perUser = r.integer("KINHUB_SESSIONS_PER_USER", 1, 10_000);
    long cacheSize = r.integer("KINHUB_NEAR_CACHE_SIZE", 0, 100_000_000);
    Duration maxAge = r.duration("KINHUB_NEAR_CACHE_MAX_AGE", Duration.ofMillis(1), Duration.ofMinutes(10));
    int hashConcurrency = r.optional("KINHUB_PASSWORD_HASH_CONCURRENCY").isPresent()
        ? r.integer("KINHUB_PASSWORD_HASH_CONCURRENCY", 1, 1024)
        : Math.max(1, Runtime.getRuntime().availableProcessors());
    String proxies = r.optional("KINHUB_TRUSTED_PROXIES").orElse("");
    try {
      ClientIp.trusting(proxies);
    } catch (IllegalArgumentException e) {
      throw new InvalidConfigException("KINHUB_TRUSTED_PROXIES: " + e.getMessage());
    }
    Set<String> failOpen = Set.of(r.text("KINHUB_RATE_LIMIT_FAIL_OPEN").split("\\s*,\\s*"));
    List<RateLimitPolicy> policies = new ArrayList<>();
    for (RateLimitPolicy p : RateLimitPolicy.defaults()) {
      String variable = rateLimitVariable(p.name());
      try {
        policies.add(RateLimitPolicy.parse(p.name(), p.method(), p.path(), r.text(variable), failOpen.contains(p.name())));
      } catch (IllegalArgumentException e) {
        throw new InvalidConfigException(variable + ": " + e.getMessage());
      }
    }
    for (String name : failOpen) {
      if (!name.isEmpty() && RateLimitPolicy.defaults().stream().noneMatch(p -> p.name().equals(name))) {
        throw new InvalidConfigException("KINHUB_RATE_LIMIT_FAIL_OPEN names an unknown policy '" + name + "'");
      }
    }
    Lockout.Settings lockout = new Lockout.Settings(
        r.integer("KINHUB_LOCKOUT_FAILURES", 1, 1000),
        r.duration("KINHUB_LOCKOUT_WAIT_INCREMENT", Duration.ofMillis(100), Duration.ofDays(1)),
        r.duration("KINHUB_LOCKOUT_MAX_WAIT", Duration.ofMillis(100), Duration.ofDays(30)),
        r.duration("KINHUB_LOCKOUT_RESET_AFTER", Duration.ofSeconds(1), Duration.ofDays(365)));
    Optional<URI> smsUrl = r.optional("KINHUB_SMS_HTTP_URL").map(u -> URI.create(r.check("KINHUB_SMS_HTTP_URL", u, Config::isHttpUrl, "an http(s) URL")));
    String smsSecret = r.optional("KINHUB_SMS_HTTP_SECRET").orElse("");
    if (sms.equals("http") && (smsUrl.isEmpty() || smsSecret.isEmpty())) {
      throw new InvalidConfigException("KINHUB_SMS_PROVIDER=http needs KINHUB_SMS_HTTP_URL and KINHUB_SMS_HTTP_SECRET");
    }
    int smsConnections = r.integer("KINHUB_SMS_HTTP_CONNECTIONS", 1, 64);
    Duration codeTtl = r.duration("KINHUB_SMS_CODE_TTL", Duration.ofSeconds(10), Duration.ofHours(1));
    QueueSettings jobs = QueueSettings.defaults()
        .withRetries(r.integer("KINHUB_JOB_MAX_ATTEMPTS", 1, 100),
            r.duration("KINHUB_JOB_RETRY_BASE", Duration.ofMillis(10), Duration.ofHours(1)), Duration.ofMinutes(10))
        .withVisibilityTimeout(r.duration("KINHUB_JOB_VISIBILITY_TIMEOUT", Duration.ofMillis(200), Duration.ofHours(1)));
    return new Config(host, port, publicUrl, redisUrl, prefix, redisTimeout, waitReplicas, waitTimeout, dbUrl, pool, dataDir, nodeId, sms, idle,
        absolute, perUser, cacheSize, maxAge, hashConcurrency, proxies, List.copyOf(policies), lockout, smsUrl, smsSecret,
        smsConnections, codeTtl, jobs,
        r.duration("KINHUB_QR_SCAN_TIMEOUT", Duration.ofSeconds(1), Duration.ofHours(1)),
        r.duration("KINHUB_QR_CONFIRM_TIMEOUT", Duration.ofSeconds(1), Duration.ofHours(1)),
        r.duration("KINHUB_WS_IDLE_TIMEOUT", Duration.ofSeconds(1), Duration.ofHours(1)),
        r.integer("KINHUB_QR_SOCKETS_PER_IP", 1, 1_000_000),
        r.integer("KINHUB_GEDCOM_MAX_MIB", 1, 4096) * 1024L * 1024L,
        r.bool("KINHUB_DEV_ENDPOINTS"),
        r.optional("KINHUB_METRICS_TOKEN").map(t -> r.checkSecret("KINHUB_METRICS_TOKEN", t,
            s -> s.matches("[A-Za-z0-9._~+/=-]{16,256}"), "16 to 256 of A-Z a-z 0-9 . _ ~ + / = -")),
        new io.kinhub.server.tree.TreeSettings(
            new io.kinhub.server.tree.gedcom.GedcomLimits(r.integer("KINHUB_GEDCOM_MAX_LINE_BYTES", 256, 16 * 1024 * 1024),
                r.integer("KINHUB_GEDCOM_MAX_RECORD_LINES", 10, 10_000_000), r.integer("KINHUB_GEDCOM_MAX_RECORDS", 1, 100_000_000)),
            r.integer("KINHUB_GEDCOM_MAX_CONCURRENT_IMPORTS", 1, 1024), r.integer("KINHUB_GEDCOM_MAX_CONCURRENT_EXPORTS", 1, 1024),
            r.duration("KINHUB_GEDCOM_UPLOAD_READ_TIMEOUT", Duration.ofMillis(100), Duration.ofMinutes(10)),
            r.integer("KINHUB_GEDCOM_UPLOAD_MIN_RATE", 0, 1_000_000_000),
            r.integer("KINHUB_TREE_CACHE_MIB", 0, 1_048_576) * 1024L * 1024L),
        nodeSettings(r),
        new io.kinhub.server.feed.FeedSettings(r.integer("KINHUB_FEED_TIMELINE_CAP", 10, 100_000),
            r.integer("KINHUB_FEED_FANOUT_BATCH", 1, 10_000),
            r.duration("KINHUB_FEED_ACTIVE_FOR", Duration.ofMinutes(1), Duration.ofDays(3650)),
            r.integer("KINHUB_FEED_PULL_THRESHOLD", 1, 10_000_000),
            r.duration("KINHUB_FEED_COUNTER_FLUSH", Duration.ofMillis(100), Duration.ofHours(1)),
            r.integer("KINHUB_LIVE_SOCKETS_PER_USER", 1, 10_000), r.integer("KINHUB_LIVE_SOCKETS_PER_IP", 1, 1_000_000),
            r.integer("KINHUB_LIVE_SEND_QUEUE", 4, 100_000)));
  }

  private static NodeSettings nodeSettings(Reader r) {
    Duration heartbeat = r.duration("KINHUB_NODE_HEARTBEAT", Duration.ofMillis(50), Duration.ofMinutes(1));
    Duration staleAfter = r.duration("KINHUB_NODE_STALE_AFTER", Duration.ofMillis(500), Duration.ofHours(1));
    if (staleAfter.compareTo(heartbeat.multipliedBy(3)) < 0) {
      throw new InvalidConfigException("KINHUB_NODE_STALE_AFTER must be at least three heartbeats (3 x KINHUB_NODE_HEARTBEAT = "
          + heartbeat.multipliedBy(3) + ") but was '" + r.text("KINHUB_NODE_STALE_AFTER") + "'");
    }
    return new NodeSettings(heartbeat, staleAfter, r.duration("KINHUB_DRAIN_TIMEOUT", Duration.ZERO, Duration.ofMinutes(10)));
  }

  /** Like the record's, without the secrets. */
  @Override
  public String toString() {
    return "Config[node=" + nodeId + ", http=" + httpHost + ":" + httpPort + ", dataDir=" + dataDir + "]";
  }

  private static boolean isHttpUrl(String s) {
    try {
      URI uri = URI.create(s);
      return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static String hostName() {
    String env = System.getenv("HOSTNAME");
    if (env != null && env.matches("[A-Za-z0-9._-]{1,64}")) {
      return env;
    }
    try {
      String name = java.net.InetAddress.getLocalHost().getHostName();
      return name.matches("[A-Za-z0-9._-]{1,64}") ? name : "kinhub";
    } catch (java.io.IOException e) {
      return "kinhub";
    }
  }

  /** Thrown for a bad configuration value; the message names the variable and the value. */
  public static final class InvalidConfigException extends RuntimeException {
    InvalidConfigException(String message) {
      super(message);
    }
  }

  private static final class Reader {
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");
    private final Map<String, String> env;

    Reader(Map<String, String> env) {
      this.env = env;
    }

    Optional<String> optional(String name) {
      String value = env.get(name);
      return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }

    String text(String name) {
      return optional(name).orElse(VARIABLES.get(name)[0]);
    }

    String check(String name, String value, java.util.function.Predicate<String> ok, String expected) {
      if (!ok.test(value)) {
        throw new InvalidConfigException(name + " must be " + expected + " but was '" + value + "'");
      }
      return value;
    }

    boolean bool(String name) {
      String value = text(name).toLowerCase(Locale.ROOT);
      return switch (value) {
        case "true" -> true;
        case "false" -> false;
        default -> throw new InvalidConfigException(name + " must be true or false but was '" + text(name) + "'");
      };
    }

    /** Like {@link #check} but the message leaves the value out. */
    String checkSecret(String name, String value, java.util.function.Predicate<String> ok, String expected) {
      if (!ok.test(value)) {
        throw new InvalidConfigException(name + " must be " + expected + " (value not shown)");
      }
      return value;
    }

    int integer(String name, int min, int max) {
      String value = text(name);
      try {
        int parsed = Integer.parseInt(value);
        if (parsed >= min && parsed <= max) {
          return parsed;
        }
      } catch (NumberFormatException e) {
        // fall through to the message
      }
      throw new InvalidConfigException(name + " must be an integer from " + min + " to " + max + " but was '" + value + "'");
    }

    Duration duration(String name, Duration min, Duration max) {
      String value = text(name);
      Matcher m = DURATION.matcher(value.toLowerCase(Locale.ROOT));
      if (m.matches()) {
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
          case "ms" -> Duration.ofMillis(n);
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          case "h" -> Duration.ofHours(n);
          default -> Duration.ofDays(n);
        };
        if (d.compareTo(min) >= 0 && d.compareTo(max) <= 0) {
          return d;
        }
      }
      throw new InvalidConfigException(name + " must be a duration like 500ms, 30s, 15m, 12h or 7d between " + min
          + " and " + max + " but was '" + value + "'");
    }
  }
}
