package io.kinhub.server.config;

import static io.kinhub.server.config.Parsers.autoOr;
import static io.kinhub.server.config.Parsers.bool;
import static io.kinhub.server.config.Parsers.checked;
import static io.kinhub.server.config.Parsers.duration;
import static io.kinhub.server.config.Parsers.httpUrl;
import static io.kinhub.server.config.Parsers.integer;
import static io.kinhub.server.config.Parsers.lowerCaseOneOf;
import static io.kinhub.server.config.Parsers.mebibytes;
import static io.kinhub.server.config.Parsers.optional;
import static io.kinhub.server.config.Parsers.path;
import static io.kinhub.server.config.Parsers.redisPrefix;
import static io.kinhub.server.config.Parsers.redisUrl;
import static io.kinhub.server.config.Parsers.secret;
import static io.kinhub.server.config.Parsers.text;
import static io.kinhub.server.config.Parsers.trustedProxies;

import io.kinhub.server.abuse.ClientIp;
import io.kinhub.server.abuse.RateLimitPolicy;
import io.kinhub.server.config.Config.InvalidConfigException;
import io.kinhub.server.config.Variable.Parser;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The declaration table: every {@code KINHUB_*} variable Kinhub reads, each declared once with its
 * name, default, parser and meaning. {@link Config} reads them, the README's configuration table is
 * generated from them ({@link ConfigDocs}), in this order.
 */
public final class Variables {
  // filled by declare() in the order of the declarations below; ALL, at the end, is its copy
  private static final List<Variable<?>> declared = new ArrayList<>();
  private static final String NODE_NAME = "[A-Za-z0-9._-]{1,64}";

  public static final Variable<String> HTTP_HOST =
      declare(
          "KINHUB_HTTP_HOST",
          "127.0.0.1",
          text(),
          "address to listen on: an IPv4 or IPv6 literal or a host name; `::` listens on every IPv6 and IPv4 address");
  public static final Variable<Integer> HTTP_PORT =
      declare("KINHUB_HTTP_PORT", "8080", integer(0, 65_535), "HTTP port (0 picks a free one)");
  public static final Variable<Optional<String>> PUBLIC_URL =
      declare(
          "KINHUB_PUBLIC_URL",
          "",
          optional(httpUrl()),
          "base URL users reach this deployment at, e.g. `https://kin.example.org`: every URL Kinhub hands out (QR codes, socket URLs) and the origin its WebSockets accept; default `http://<host>:<port>` of the node (never the request's `Host`)");
  public static final Variable<Optional<String>> REDIS_URL =
      declare(
          "KINHUB_REDIS_URL",
          "",
          optional(redisUrl()),
          "Redis URI: `redis://[:password@]host:port`, `rediss://…` (TLS), Sentinel as `redis-sentinel://[:password@]s1:port[,s2:port…]#mastername`, a Redis Cluster as `redis-cluster://[[user]:password@]host:port[,host:port…]` (`rediss-cluster://` with TLS); unset: start the embedded Redis 7.0.15 under the data dir. A database number other than 0 (`/3`, `?database=3`) is refused: Kinhub never uses SELECT (see `KINHUB_REDIS_PREFIX`). At start-up Kinhub warns about `tcp-keepalive 0`, an evicting `maxmemory-policy` and a Redis without persistence");
  public static final Variable<String> REDIS_PREFIX =
      declare(
          "KINHUB_REDIS_PREFIX",
          "kinhub:",
          redisPrefix(),
          "prefix of every Redis key and channel (Kinhub never uses SELECT)");
  public static final Variable<Duration> REDIS_TIMEOUT =
      declare(
          "KINHUB_REDIS_TIMEOUT",
          "1s",
          duration(Duration.ofMillis(50), Duration.ofMinutes(1)),
          "upper bound of every Redis command; requests needing Redis fail with 503 after it");
  public static final Variable<Integer> REDIS_WAIT_REPLICAS =
      declare(
          "KINHUB_REDIS_WAIT_REPLICAS",
          "auto",
          autoOr(-1, integer(0, 16)),
          "replicas a write that must survive a failover (a session created or ended, a QR-login step, an SMS code) waits for (`WAIT`) before the answer: `auto` = 1 when the master has a replica, else 0; or a number (0 = never wait). Which writes and why: [docs/failover.md](docs/failover.md)");
  public static final Variable<Duration> REDIS_WAIT_TIMEOUT =
      declare(
          "KINHUB_REDIS_WAIT_TIMEOUT",
          "100ms",
          duration(Duration.ZERO, Duration.ofSeconds(10)),
          "longest such wait (shorter than `KINHUB_REDIS_TIMEOUT`); a replica slower than this is not waited for and the write stands on the master");
  public static final Variable<Optional<String>> DATABASE_URL =
      declare(
          "KINHUB_DATABASE_URL",
          "",
          optional(
              checked(
                  s -> s.startsWith("jdbc:postgresql:"),
                  "a JDBC URL starting with jdbc:postgresql:")),
          "JDBC PostgreSQL URL, e.g. `jdbc:postgresql://127.0.0.1:5432/kinhub?user=kinhub&password=...`; unset: start the embedded PostgreSQL 17 under the data dir");
  public static final Variable<Integer> DATABASE_POOL_SIZE =
      declare(
          "KINHUB_DATABASE_POOL_SIZE",
          "10",
          integer(1, 1000),
          "maximum PostgreSQL connections of this node");
  public static final Variable<Path> DATA_DIR =
      declare(
          "KINHUB_DATA_DIR",
          "./data",
          path(),
          "where the embedded Redis and PostgreSQL keep their data");
  public static final Variable<Optional<String>> NODE_ID =
      declare(
          "KINHUB_NODE_ID",
          "",
          optional(checked(s -> s.matches(NODE_NAME), "1 to 64 of A-Z a-z 0-9 . _ -")),
          "this node's name in `/health`, logs and the node registry; default: the host name");
  public static final Variable<String> SMS_PROVIDER =
      declare(
          "KINHUB_SMS_PROVIDER",
          "outbox",
          lowerCaseOneOf("outbox", "http"),
          "`outbox` (messages kept in PostgreSQL) or `http`");
  public static final Variable<Boolean> DEV_ENDPOINTS =
      declare(
          "KINHUB_DEV_ENDPOINTS",
          "false",
          bool(),
          "`true` serves the development endpoints (`GET /api/v1/dev/sms-outbox` with the `outbox` provider), which hand anyone every login code: never in production");
  public static final Variable<Optional<URI>> SMS_HTTP_URL =
      declare(
          "KINHUB_SMS_HTTP_URL",
          "",
          optional(httpUrl().map(URI::create)),
          "with `KINHUB_SMS_PROVIDER=http`: the gateway Kinhub POSTs `{\"id\", \"to\", \"text\"}` to");
  public static final Variable<String> SMS_HTTP_SECRET =
      declare(
          "KINHUB_SMS_HTTP_SECRET",
          "",
          text(),
          "with `KINHUB_SMS_PROVIDER=http`: sent as `Authorization: Bearer <secret>`");
  public static final Variable<Integer> SMS_HTTP_CONNECTIONS =
      declare(
          "KINHUB_SMS_HTTP_CONNECTIONS",
          "2",
          integer(1, 64),
          "most concurrent requests (and so keep-alive connections) to the SMS gateway per node");
  public static final Variable<Duration> SMS_CODE_TTL =
      declare(
          "KINHUB_SMS_CODE_TTL",
          "5m",
          duration(Duration.ofSeconds(10), Duration.ofHours(1)),
          "how long an SMS login code is valid");
  public static final Variable<Integer> JOB_MAX_ATTEMPTS =
      declare(
          "KINHUB_JOB_MAX_ATTEMPTS",
          "10",
          integer(1, 100),
          "attempts of a background job before it goes to the dead-letter stream");
  public static final Variable<Duration> JOB_RETRY_BASE =
      declare(
          "KINHUB_JOB_RETRY_BASE",
          "1s",
          duration(Duration.ofMillis(10), Duration.ofHours(1)),
          "delay before a job's second attempt; doubles per attempt (with jitter), at most 10 min");
  public static final Variable<Duration> JOB_VISIBILITY_TIMEOUT =
      declare(
          "KINHUB_JOB_VISIBILITY_TIMEOUT",
          "30s",
          duration(Duration.ofMillis(200), Duration.ofHours(1)),
          "a job held this long by a worker that stopped renewing it (crashed) is taken over by another");
  public static final Variable<Duration> QR_SCAN_TIMEOUT =
      declare(
          "KINHUB_QR_SCAN_TIMEOUT",
          "120s",
          duration(Duration.ofSeconds(1), Duration.ofHours(1)),
          "a QR-login code must be scanned within this");
  public static final Variable<Duration> QR_CONFIRM_TIMEOUT =
      declare(
          "KINHUB_QR_CONFIRM_TIMEOUT",
          "60s",
          duration(Duration.ofSeconds(1), Duration.ofHours(1)),
          "after the scan, the phone must confirm within this");
  public static final Variable<Duration> WS_IDLE_TIMEOUT =
      declare(
          "KINHUB_WS_IDLE_TIMEOUT",
          "60s",
          duration(Duration.ofSeconds(1), Duration.ofHours(1)),
          "a WebSocket peer silent this long (no pong, no message) is dropped; pings go out every third of it");
  public static final Variable<Integer> QR_SOCKETS_PER_IP =
      declare(
          "KINHUB_QR_SOCKETS_PER_IP",
          "200",
          integer(1, 1_000_000),
          "QR-login WebSockets one client address may hold open on one node (behind a proxy, set `KINHUB_TRUSTED_PROXIES`, or every client is the proxy's address)");
  public static final Variable<Duration> SESSION_IDLE_TIMEOUT =
      declare(
          "KINHUB_SESSION_IDLE_TIMEOUT",
          "7d",
          duration(Duration.ofMinutes(1), Duration.ofDays(3650)),
          "a session unused for this long ends");
  public static final Variable<Duration> SESSION_ABSOLUTE_LIFETIME =
      declare(
          "KINHUB_SESSION_ABSOLUTE_LIFETIME",
          "30d",
          duration(Duration.ofMinutes(1), Duration.ofDays(3650)),
          "a session ends this long after login, used or not");
  public static final Variable<Integer> SESSIONS_PER_USER =
      declare(
          "KINHUB_SESSIONS_PER_USER",
          "100",
          integer(1, 10_000),
          "most sessions one user may hold; the one closest to expiry is ended first");
  public static final Variable<Integer> NEAR_CACHE_SIZE =
      declare(
          "KINHUB_NEAR_CACHE_SIZE",
          "100000",
          integer(0, 100_000_000),
          "entries each node keeps in each near cache (sessions; permissions per user and family)");
  public static final Variable<Duration> NEAR_CACHE_MAX_AGE =
      declare(
          "KINHUB_NEAR_CACHE_MAX_AGE",
          "5s",
          duration(Duration.ofMillis(1), Duration.ofMinutes(10)),
          "no near-cache entry is served older than this (safety net behind invalidation)");
  public static final Variable<Optional<Integer>> PASSWORD_HASH_CONCURRENCY =
      declare(
          "KINHUB_PASSWORD_HASH_CONCURRENCY",
          "",
          optional(integer(1, 1024)),
          "Argon2id hashes computed at once (19 MiB each); default: the number of CPU cores");
  public static final Variable<ClientIp> TRUSTED_PROXIES =
      declare(
          "KINHUB_TRUSTED_PROXIES",
          "",
          trustedProxies(),
          "comma-separated CIDRs of reverse proxies whose `X-Forwarded-For` is believed, e.g. `127.0.0.1/32,10.0.0.0/8`; from anyone else the header is ignored");

  /**
   * {@code KINHUB_RATE_LIMIT_<POLICY>}: one per policy of {@link RateLimitPolicy#defaults()},
   * defaulting to it.
   */
  public static final List<Variable<RateLimitPolicy>> RATE_LIMITS =
      RateLimitPolicy.defaults().stream().map(Variables::rateLimit).toList();

  public static final Variable<Set<String>> RATE_LIMIT_FAIL_OPEN =
      declare(
          "KINHUB_RATE_LIMIT_FAIL_OPEN",
          failOpenByDefault(),
          policyNames(),
          "policies that let requests through when Redis cannot decide; the others answer 503 (`sms-codes`, `sessions`, `accounts`, `qr-logins`, `invitations`, `gedcom-imports`, `password-changes`)");
  public static final Variable<Optional<String>> METRICS_TOKEN =
      declare(
          "KINHUB_METRICS_TOKEN",
          "",
          optional(
              secret(
                  s -> s.matches("[A-Za-z0-9._~+/=-]{16,256}"),
                  "16 to 256 of A-Z a-z 0-9 . _ ~ + / = -")),
          "lets a scraper read `/metrics` from another host with `Authorization: Bearer <token>` (16 to 256 of `A-Z a-z 0-9 . _ ~ + / = -`); unset: `/metrics` is served to loopback only");
  public static final Variable<Long> GEDCOM_MAX_MIB =
      declare(
          "KINHUB_GEDCOM_MAX_MIB",
          "64",
          mebibytes(1, 4096),
          "largest GEDCOM file accepted by an import, in MiB");
  public static final Variable<Integer> GEDCOM_MAX_LINE_BYTES =
      declare(
          "KINHUB_GEDCOM_MAX_LINE_BYTES",
          "65536",
          integer(256, 16 * 1024 * 1024),
          "longest line of a GEDCOM file, in bytes; a longer one is `413 too_large` naming the line");
  public static final Variable<Integer> GEDCOM_MAX_RECORD_LINES =
      declare(
          "KINHUB_GEDCOM_MAX_RECORD_LINES",
          "20000",
          integer(10, 10_000_000),
          "most lines of one GEDCOM record (an INDI with all its lines); more is `413 too_large` naming the line");
  public static final Variable<Integer> GEDCOM_MAX_RECORDS =
      declare(
          "KINHUB_GEDCOM_MAX_RECORDS",
          "1000000",
          integer(1, 100_000_000),
          "most level-0 records (persons, families, notes, …) of one GEDCOM file; more is `413 too_large` naming the line");
  public static final Variable<Integer> GEDCOM_MAX_CONCURRENT_IMPORTS =
      declare(
          "KINHUB_GEDCOM_MAX_CONCURRENT_IMPORTS",
          "2",
          integer(1, 1024),
          "GEDCOM imports (upload and import) this node runs at once; more get `503 unavailable` with `Retry-After`");
  public static final Variable<Integer> GEDCOM_MAX_CONCURRENT_EXPORTS =
      declare(
          "KINHUB_GEDCOM_MAX_CONCURRENT_EXPORTS",
          "8",
          integer(1, 1024),
          "GEDCOM exports (snapshot and download) this node runs at once; more get `503 unavailable` with `Retry-After`");
  public static final Variable<Duration> GEDCOM_UPLOAD_READ_TIMEOUT =
      declare(
          "KINHUB_GEDCOM_UPLOAD_READ_TIMEOUT",
          "10s",
          duration(Duration.ofMillis(100), Duration.ofMinutes(10)),
          "a GEDCOM upload that sends nothing for this long is cut off with `408 request_timeout`");
  public static final Variable<Integer> GEDCOM_UPLOAD_MIN_RATE =
      declare(
          "KINHUB_GEDCOM_UPLOAD_MIN_RATE",
          "16384",
          integer(0, 1_000_000_000),
          "bytes per second a GEDCOM upload must average after its first read timeout, else `408 request_timeout` (0: no minimum)");
  public static final Variable<Long> TREE_CACHE_MIB =
      declare(
          "KINHUB_TREE_CACHE_MIB",
          "64",
          mebibytes(0, 1_048_576),
          "gzip-compressed `GET /tree` bodies each node keeps (by tree version and audience), in MiB; the same budget again bounds the kinship graphs (privacy, relationships, generations)");
  public static final Variable<Integer> LOCKOUT_FAILURES =
      declare(
          "KINHUB_LOCKOUT_FAILURES",
          "5",
          integer(1, 1000),
          "consecutive failed password logins after which a login is locked");
  public static final Variable<Duration> LOCKOUT_WAIT_INCREMENT =
      declare(
          "KINHUB_LOCKOUT_WAIT_INCREMENT",
          "1m",
          duration(Duration.ofMillis(100), Duration.ofDays(1)),
          "lock time added per failure from the threshold on");
  public static final Variable<Duration> LOCKOUT_MAX_WAIT =
      declare(
          "KINHUB_LOCKOUT_MAX_WAIT",
          "15m",
          duration(Duration.ofMillis(100), Duration.ofDays(30)),
          "longest lock");
  public static final Variable<Duration> LOCKOUT_RESET_AFTER =
      declare(
          "KINHUB_LOCKOUT_RESET_AFTER",
          "12h",
          duration(Duration.ofSeconds(1), Duration.ofDays(365)),
          "failures are forgotten after this long without one");
  public static final Variable<Duration> NODE_HEARTBEAT =
      declare(
          "KINHUB_NODE_HEARTBEAT",
          "5s",
          duration(Duration.ofMillis(50), Duration.ofMinutes(1)),
          "how often each node writes its heartbeat (id, Redis identity, version) to the node registry in PostgreSQL and compares itself with the other nodes");
  public static final Variable<Duration> NODE_STALE_AFTER =
      declare(
          "KINHUB_NODE_STALE_AFTER",
          "30s",
          duration(Duration.ofMillis(500), Duration.ofHours(1)),
          "a node whose last heartbeat is older than this is no longer live (not listed in `/health`, not compared); at least three heartbeats");
  public static final Variable<Duration> DRAIN_TIMEOUT =
      declare(
          "KINHUB_DRAIN_TIMEOUT",
          "10s",
          duration(Duration.ZERO, Duration.ofMinutes(10)),
          "on SIGTERM, how long running requests and jobs may take to finish before the node stops anyway (new requests get `503`, WebSockets close with 1012 at once)");
  public static final Variable<Integer> FEED_TIMELINE_CAP =
      declare(
          "KINHUB_FEED_TIMELINE_CAP",
          "800",
          integer(10, 100_000),
          "posts kept in each user's Redis timeline and each family's Redis post list; older ones are read from PostgreSQL");
  public static final Variable<Integer> FEED_FANOUT_BATCH =
      declare(
          "KINHUB_FEED_FANOUT_BATCH",
          "500",
          integer(1, 10_000),
          "recipients of a new post handled per fan-out job (one Redis script per batch)");
  public static final Variable<Duration> FEED_ACTIVE_FOR =
      declare(
          "KINHUB_FEED_ACTIVE_FOR",
          "30d",
          duration(Duration.ofMinutes(1), Duration.ofDays(3650)),
          "a feed unread this long expires from Redis: its user gets no fan-out and the feed is rebuilt from PostgreSQL on return");
  public static final Variable<Integer> FEED_PULL_THRESHOLD =
      declare(
          "KINHUB_FEED_PULL_THRESHOLD",
          "1000",
          integer(1, 10_000_000),
          "families with more members than this are not fanned out: their posts are merged into members' feeds at read time");
  public static final Variable<Duration> FEED_COUNTER_FLUSH =
      declare(
          "KINHUB_FEED_COUNTER_FLUSH",
          "5s",
          duration(Duration.ofMillis(100), Duration.ofHours(1)),
          "how often one node (holding a lease) copies changed like, comment and view counters from Redis to PostgreSQL");
  public static final Variable<Integer> LIVE_SOCKETS_PER_USER =
      declare(
          "KINHUB_LIVE_SOCKETS_PER_USER",
          "20",
          integer(1, 10_000),
          "live-channel WebSockets (`/ws/live`) one user may hold open on one node");
  public static final Variable<Integer> LIVE_SOCKETS_PER_IP =
      declare(
          "KINHUB_LIVE_SOCKETS_PER_IP",
          "200",
          integer(1, 1_000_000),
          "live-channel WebSockets one client address may hold open on one node");
  public static final Variable<Integer> LIVE_SEND_QUEUE =
      declare(
          "KINHUB_LIVE_SEND_QUEUE",
          "256",
          integer(4, 100_000),
          "frames a live-channel socket may have waiting; a client that falls further behind is disconnected (close 1008)");

  /** Every variable, in the order of the README's table. */
  public static final List<Variable<?>> ALL = List.copyOf(declared);

  private Variables() {}

  /** The variable called {@code name}. */
  public static Optional<Variable<?>> named(String name) {
    return ALL.stream().filter(v -> v.name().equals(name)).findFirst();
  }

  private static <T> Variable<T> declare(
      String name, String defaultText, Parser<T> parser, String doc) {
    Variable<T> variable = new Variable<>(name, defaultText, parser, doc);
    declared.add(variable);
    return variable;
  }

  private static Variable<RateLimitPolicy> rateLimit(RateLimitPolicy policy) {
    String name = "KINHUB_RATE_LIMIT_" + policy.name().toUpperCase(Locale.ROOT).replace('-', '_');
    Parser<RateLimitPolicy> parser =
        (variable, text) -> {
          try {
            return RateLimitPolicy.parse(
                policy.name(), policy.method(), policy.path(), text, false);
          } catch (IllegalArgumentException e) {
            throw new InvalidConfigException(variable + ": " + e.getMessage());
          }
        };
    return declare(
        name,
        policy.spec(),
        parser,
        "rate limits of `"
            + policy.method()
            + " "
            + policy.path()
            + "`: `dimension:count/period[+count/period]`, comma-separated; dimensions `ip`, `login`, `phone`, `user`");
  }

  private static String failOpenByDefault() {
    return RateLimitPolicy.defaults().stream()
        .filter(RateLimitPolicy::failOpen)
        .map(RateLimitPolicy::name)
        .collect(Collectors.joining(","));
  }

  /** Comma-separated names of rate-limit policies. */
  private static Parser<Set<String>> policyNames() {
    return (name, text) -> {
      Set<String> names = new LinkedHashSet<>(Arrays.asList(text.split("\\s*,\\s*")));
      names.remove("");
      for (String policy : names) {
        if (RateLimitPolicy.defaults().stream().noneMatch(p -> p.name().equals(policy))) {
          throw new InvalidConfigException(name + " names an unknown policy '" + policy + "'");
        }
      }
      return Set.copyOf(names);
    };
  }
}
