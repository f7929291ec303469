package io.kinhub.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kinhub.bench.runner.BenchRun;
import io.kinhub.bench.runner.Scenario;
import io.kinhub.redis.connection.RedisConnections;
import io.kinhub.redis.connection.RedisSettings;
import io.kinhub.redis.jobs.JobQueue;
import io.kinhub.redis.jobs.JobWorker;
import io.kinhub.redis.jobs.QueueSettings;
import io.kinhub.server.app.Kinhub;
import io.kinhub.server.config.Config;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.resource.DefaultClientResources;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * The feed's fan-out and read path on one node with its own embedded Redis and PostgreSQL:
 *
 * <ol>
 *   <li>fan-out of one post to N active members (default 10,000): time from the POST until the last
 *       timeline has it, Redis commands per recipient — and the same fan-out done naively (one job
 *       and one ZADD per recipient) in the same run, as a ratio;
 *   <li>{@code GET /api/v1/feed} on a warm node: p50/p99, Redis script calls and commands per
 *       request, PostgreSQL transactions per request;
 *   <li>Redis memory of one user's timeline (20, 128 and 800 posts).
 * </ol>
 *
 * <pre>
 * java -cp kinhub-bench/target/kinhub-bench.jar io.kinhub.bench.FeedBench [members] [--out file]
 * </pre>
 */
public final class FeedBench implements Scenario {
  private static final String PREFIX = "kinhub:";
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  /** Instantiated by the runner ({@code io.kinhub.bench.Bench}). */
  public FeedBench() {}

  @Override
  public String name() {
    return "feed";
  }

  @Override
  public String summary() {
    return "feed fan-out and read path (one node)";
  }

  @Override
  public String help() {
    return """
        Arguments: [members] (10000), --out FILE.
        """;
  }

  @Override
  public int run(BenchRun run) throws Exception {
    String[] args = run.args();
    int members = args.length > 0 && !args[0].startsWith("--") ? Integer.parseInt(args[0]) : 10_000;
    Path dir = run.tempDir("kinhub-feed-bench-");
    StringBuilder report = new StringBuilder();
    try (Backends backends = Backends.start(dir)) {
      Map<String, String> env = Cluster.env(backends, dir.resolve("node"), "feed-bench");
      env.put("KINHUB_REDIS_PREFIX", PREFIX);
      env.put("KINHUB_FEED_PULL_THRESHOLD", Integer.toString(members * 2)); // measure the push path
      try (Kinhub node = Kinhub.start(Config.from(env));
          RedisStats stats = new RedisStats(backends.redisUrl());
          StatefulRedisConnection<String, String> redis =
              RedisClient.create(backends.redisUrl()).connect()) {
        awaitTrusted(node);
        run(node, backends, stats, redis, members, report);
      }
    } finally {
      deleteTree(dir);
    }
    run.report(report);
    return 0;
  }

  private static void run(
      Kinhub node,
      Backends backends,
      RedisStats stats,
      StatefulRedisConnection<String, String> redis,
      int members,
      StringBuilder report)
      throws Exception {
    Api api = new Api();
    String base = node.baseUrl();
    long ownerId = api.createAccount(base, "owner@feed.bench", "Owner");
    String owner = api.login(base, "owner@feed.bench", "bench");
    long family = api.createFamily(base, owner, "Bench family");
    List<Long> ids = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(backends.jdbcUrl())) {
      c.createStatement()
          .execute(
              "INSERT INTO account (login, display_name) SELECT 'm' || g || '@feed.bench', 'Member ' || g "
                  + "FROM generate_series(1, "
                  + members
                  + ") g");
      c.createStatement()
          .execute(
              "INSERT INTO family_member (family_id, account_id, role) SELECT "
                  + family
                  + ", id, 'member' FROM account WHERE login LIKE 'm%@feed.bench'");
      try (ResultSet rs =
          c.createStatement()
              .executeQuery("SELECT account_id FROM family_member WHERE family_id = " + family)) {
        while (rs.next()) {
          ids.add(rs.getLong(1));
        }
      }
    }
    // every member is active: their timeline is built (as after a read)
    List<RedisFuture<Long>> built = new ArrayList<>();
    for (long id : ids) {
      built.add(redis.async().zadd(PREFIX + "{feed}:tl:" + id, ScoredValue.just(0, "0")));
    }
    for (RedisFuture<Long> f : built) {
      f.get();
    }
    System.err.printf("feed bench: %d members, timelines built%n", ids.size());

    // 1. fan-out of one post through the node
    RedisStats.Reading fanBefore = stats.read();
    Map<String, Long> before = fanBefore.calls();
    long started = System.nanoTime();
    String postId = postJson(base, owner, family, "Fan-out benchmark post");
    double fanOutMs = untilAllHave(redis, ids, postId, started);
    RedisStats.Reading fanAfter = stats.read();
    Map<String, Long> delta = RedisStats.delta(before, fanAfter.calls());
    long polls = delta.getOrDefault("zrank", 0L) + delta.getOrDefault("info", 0L);
    long fanOutCommands = RedisStats.total(delta) - polls;
    // time Redis spent in the fan-out scripts themselves (the batch scripts run as EVALSHA)
    long fanOutScriptUsec =
        fanAfter.usec().getOrDefault("evalsha", 0L) - fanBefore.usec().getOrDefault("evalsha", 0L);
    System.err.printf("feed bench: fan-out %.0f ms%n", fanOutMs);

    // the same, naively: one job per recipient, each one ZADD
    RedisConnections connections =
        RedisConnections.connect(
            new RedisSettings(backends.redisUrl(), PREFIX, Duration.ofSeconds(5)),
            DefaultClientResources.create());
    JobQueue naive =
        new JobQueue(
            "naive-fanout",
            connections,
            QueueSettings.defaults().withConcurrency(4),
            new SimpleMeterRegistry());
    String naivePost = "1";
    before = stats.snapshot();
    long naiveStarted = System.nanoTime();
    double naiveMs;
    try (JobWorker worker =
        naive.startWorker(
            "naive",
            job ->
                connections
                    .sync()
                    .zadd(
                        PREFIX + "{feed}:tl:" + job.payload(),
                        Double.parseDouble(naivePost),
                        naivePost))) {
      List<CompletionStage<String>> enqueued = new ArrayList<>();
      for (long id : ids) {
        enqueued.add(naive.enqueueAsync(Long.toString(id)));
      }
      for (var f : enqueued) {
        f.toCompletableFuture().get();
      }
      naiveMs = untilAllHave(redis, ids, naivePost, naiveStarted);
    }
    delta = RedisStats.delta(before, stats.snapshot());
    polls = delta.getOrDefault("zrank", 0L) + delta.getOrDefault("info", 0L);
    long naiveCommands = RedisStats.total(delta) - polls;
    connections.close();
    System.err.printf("feed bench: naive fan-out %.0f ms%n", naiveMs);

    // 2. GET /api/v1/feed on a warm node
    for (int i = 0; i < 300; i++) {
      get(base + "/api/v1/feed?limit=20", owner);
    }
    int requests = 3000;
    long idleXacts = xacts(backends);
    Thread.sleep(2000);
    idleXacts = xacts(backends) - idleXacts;
    // what the node does by itself (bus heartbeats, job housekeeping) over a quiet window, to
    // subtract
    Map<String, Long> quietBefore = stats.snapshot();
    Thread.sleep(5000);
    Map<String, Long> quiet = RedisStats.delta(quietBefore, stats.snapshot());
    double quietScriptsPerSecond =
        (quiet.getOrDefault("evalsha", 0L) + quiet.getOrDefault("eval", 0L)) / 5.0;
    long[] nanos = new long[requests];
    long xactsBefore = xacts(backends);
    before = stats.snapshot();
    long readStarted = System.nanoTime();
    for (int i = 0; i < requests; i++) {
      long t = System.nanoTime();
      get(base + "/api/v1/feed?limit=20", owner);
      nanos[i] = System.nanoTime() - t;
    }
    long readNanos = System.nanoTime() - readStarted;
    delta = RedisStats.delta(before, stats.snapshot());
    Thread.sleep(2000); // PostgreSQL publishes backend statistics with a delay of up to a second
    long readXacts = xacts(backends) - xactsBefore;
    Arrays.sort(nanos);
    long scripts = delta.getOrDefault("evalsha", 0L) + delta.getOrDefault("eval", 0L);
    long backgroundScripts = Math.round(quietScriptsPerSecond * readNanos / 1e9);
    long readCommands = RedisStats.total(delta) - delta.getOrDefault("info", 0L);

    // 3. memory of a timeline
    long[] sizes = {20, 128, 800};
    long[] bytes = new long[sizes.length];
    for (int s = 0; s < sizes.length; s++) {
      String key = PREFIX + "{feed}:tl:memory-" + sizes[s];
      List<ScoredValue<String>> values = new ArrayList<>();
      values.add(ScoredValue.just(0, "0"));
      long id = 5_000_000_000_000_000L / 4096 * 4096; // ids of today's size (16 digits)
      for (int i = 0; i < sizes[s]; i++) {
        long v = id + i * 4096L * 1000;
        values.add(ScoredValue.just(v, Long.toString(v)));
      }
      redis.sync().zadd(key, values.toArray(ScoredValue[]::new));
      bytes[s] = redis.sync().memoryUsage(key);
    }

    report.append("## Feed fan-out and reads (issue 14)\n\n");
    report.append(
        String.format(
            "One node, embedded Redis 7.0.15 and PostgreSQL 17, %d cores (load average %s at the end); %,d active members of one family.%n%n",
            Runtime.getRuntime().availableProcessors(),
            Files.readString(Path.of("/proc/loadavg")).split(" ")[0],
            ids.size()));
    report.append("| measure | result | goal |\n|---|---|---|\n");
    report.append(
        String.format(
            "| fan-out of one post: POST until the last of %,d timelines has it | **%.0f ms** | ≤ 2 s |%n",
            ids.size(), fanOutMs));
    report.append(
        String.format(
            "| time Redis spent running scripts during the fan-out (commandstats usec of EVALSHA: the batches, plus any heartbeat) | %.1f ms (%.2f µs per recipient) | |%n",
            fanOutScriptUsec / 1000.0, (double) fanOutScriptUsec / ids.size()));
    report.append(
        String.format(
            "| Redis commands per recipient (INFO commandstats, scripts' inner commands included; jobs, bus and everything else too) | **%.2f** | |%n",
            (double) fanOutCommands / ids.size()));
    report.append(
        String.format(
            "| naive fan-out (one job and one ZADD per recipient, same queue, same concurrency) | %.0f ms, %.2f commands per recipient | |%n",
            naiveMs, (double) naiveCommands / ids.size()));
    report.append(
        String.format(
            "| naive ÷ batched: time, commands | **%.1f×**, **%.1f×** | |%n",
            naiveMs / fanOutMs, (double) naiveCommands / fanOutCommands));
    report.append(
        String.format(
            "| `GET /api/v1/feed?limit=20` warm, sequential, p50 / p99 | **%.2f / %.2f ms** (%,.0f req/s) | |%n",
            nanos[requests / 2] / 1e6,
            nanos[requests * 99 / 100] / 1e6,
            requests / (readNanos / 1e9)));
    report.append(
        String.format(
            "| Redis round trips (script calls) per feed request, minus the node's own background scripts (%.1f/s when quiet) | **%.3f** (%d − %d for %d requests; %.1f commands per request in all) | 1 |%n",
            quietScriptsPerSecond,
            (double) (scripts - backgroundScripts) / requests,
            scripts,
            backgroundScripts,
            requests,
            (double) readCommands / requests));
    report.append(
        String.format(
            "| PostgreSQL transactions per feed request (pg_stat_database xact_commit, minus %d idle over 2 s) | **%.3f** | 0 |%n",
            idleXacts, Math.max(0, readXacts - idleXacts) / (double) requests));
    report.append(
        String.format(
            "| Redis memory of one timeline with 20 / 128 / 800 posts (MEMORY USAGE) | %,d / %,d / %,d bytes | |%n%n",
            bytes[0], bytes[1], bytes[2]));
  }

  private static double untilAllHave(
      StatefulRedisConnection<String, String> redis, List<Long> ids, String postId, long started)
      throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    int from = 0;
    while (System.nanoTime() < deadline) {
      List<RedisFuture<Long>> ranks = new ArrayList<>();
      for (int i = from; i < ids.size(); i++) {
        ranks.add(redis.async().zrank(PREFIX + "{feed}:tl:" + ids.get(i), postId));
      }
      int missing = -1;
      for (int i = 0; i < ranks.size(); i++) {
        if (ranks.get(i).get() == null && missing < 0) {
          missing = from + i;
        }
      }
      if (missing < 0) {
        return (System.nanoTime() - started) / 1e6;
      }
      from = missing; // everything before the first missing one has it already
      Thread.sleep(5);
    }
    throw new IllegalStateException("fan-out of " + postId + " did not finish within 5 minutes");
  }

  private static String postJson(String base, String token, long family, String text)
      throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(base + "/api/v1/families/" + family + "/posts"))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"" + text + "\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 201) {
      throw new IllegalStateException("POST posts answered " + r.statusCode() + ": " + r.body());
    }
    return new ObjectMapper().readTree(r.body()).get("id").asText();
  }

  private static void get(String url, String token) throws Exception {
    HttpResponse<byte[]> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + token)
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    if (r.statusCode() != 200) {
      throw new IllegalStateException(url + " answered " + r.statusCode());
    }
  }

  private static long xacts(Backends backends) throws Exception {
    try (Connection c = DriverManager.getConnection(backends.jdbcUrl());
        ResultSet rs =
            c.createStatement()
                .executeQuery("SELECT sum(xact_commit + xact_rollback) FROM pg_stat_database")) {
      rs.next();
      return rs.getLong(1) - 1; // this query's own transaction
    }
  }

  private static void awaitTrusted(Kinhub node) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!node.cacheTrusted() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
  }

  private static void deleteTree(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temporary directory: the OS cleans up
    }
  }
}
