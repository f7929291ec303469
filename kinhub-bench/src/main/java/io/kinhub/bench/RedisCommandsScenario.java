package io.kinhub.bench;

import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;

/**
 * 2. Redis commands per authenticated request on a near-cache hit: {@code INFO commandstats} before
 * and after a fixed number of {@code GET /api/v1/me} with a warm token, minus what Redis executed
 * over the same wall time right afterwards with no requests (the nodes' heartbeats and health
 * probes).
 */
final class RedisCommandsScenario {
  static final String TITLE = "2. Redis commands per authenticated request (near-cache hit)";

  private final Options options;
  private final Cluster cluster;
  private final Api api;

  RedisCommandsScenario(Options options, Cluster cluster, Api api) {
    this.options = options;
    this.cluster = cluster;
    this.api = api;
  }

  Markdown run(List<Summary> summary) throws InterruptedException {
    Markdown md = new Markdown().heading(2, TITLE);
    String base = cluster.a();
    String login = "redis-count@bench.kinhub.test";
    api.createAccount(base, login, "Redis Count");
    String token = api.login(base, login, "bench redis count");
    HttpRequest me = Api.meRequest(base, token);
    for (int i = 0; i < 3; i++) {
      int status = api.status(me);
      if (status != 200) {
        throw new IllegalStateException("GET /api/v1/me with a fresh token answered " + status);
      }
    }
    int n = options.meRequests();
    int concurrency = options.meConcurrency();
    BenchMain.progress(
        "redis commands: " + n + " GET /api/v1/me on node A, " + concurrency + " concurrent");

    try (RedisStats redis = new RedisStats(cluster.backends().redisUrl())) {
      Metrics m0 = Metrics.scrape(api, base);
      Map<String, Long> s0 = redis.snapshot();
      long t0 = System.nanoTime();
      long[] outcome = issue(me, n, concurrency);
      long t1 = System.nanoTime();
      Map<String, Long> s1 = redis.snapshot();
      long t1b = System.nanoTime();
      Metrics m1 = Metrics.scrape(api, base);
      Duration busy = Duration.ofNanos(t1 - t0);
      BenchMain.progress(
          "redis commands: " + busy.toMillis() + " ms of requests; now as long without requests");
      long quietUntil = t1b + (t1 - t0);
      while (System.nanoTime() - quietUntil < 0) {
        Thread.sleep(Math.max(1, (quietUntil - System.nanoTime()) / 1_000_000));
      }
      Map<String, Long> s2 = redis.snapshot();
      long t2 = System.nanoTime();

      Map<String, Long> raw = RedisStats.delta(s0, s1);
      Map<String, Long> background = RedisStats.delta(s1, s2);
      long rawTotal = RedisStats.total(raw);
      long backgroundTotal = RedisStats.total(background);
      long net = rawTotal - backgroundTotal;
      long ok = outcome[0];

      md.paragraph(
          n
              + " × GET /api/v1/me on node A with one token already in A's near cache, "
              + concurrency
              + " concurrent clients (java.net.http), took "
              + busy.toMillis()
              + " ms ("
              + Stats.f0(n / (busy.toNanos() / 1e9))
              + " req/s): "
              + ok
              + " × 200, "
              + outcome[1]
              + " other statuses, "
              + outcome[2]
              + " errors. "
              + "Redis `INFO commandstats` was read before and after them (\"during\"), and again after as long a quiet "
              + "period ("
              + Duration.ofNanos(t2 - t1).toMillis()
              + " ms, \"background\": node A's and B's heartbeats "
              + "every 100 ms and health probes every 500 ms, plus this benchmark's one `INFO` per reading, which cancels out).");
      long hits = m1.nearCache("hit") - m0.nearCache("hit");
      long misses = m1.nearCache("miss") - m0.nearCache("miss");
      long bypasses = m1.nearCache("bypass") - m0.nearCache("bypass");

      // Commands Redis ran in the quiet period are the nodes' background work; the same commands
      // during the
      // requests are compared by count. Commands that never ran in the quiet period are the
      // requests' own.
      long requestOnly = 0;
      long sharedDifference = 0;
      List<String> requestOnlyNames = new ArrayList<>();
      List<List<String>> rows = new ArrayList<>();
      for (String cmd : union(raw, background)) {
        long d = raw.getOrDefault(cmd, 0L);
        long b = background.getOrDefault(cmd, 0L);
        boolean only = b == 0;
        if (only) {
          requestOnly += d;
          requestOnlyNames.add("`" + cmd + "` × " + d);
        } else {
          sharedDifference += d - b;
        }
        rows.add(
            List.of(
                "`" + cmd + "`",
                Long.toString(d),
                Long.toString(b),
                Long.toString(d - b),
                only ? "only during the requests" : "background"));
      }
      rows.add(
          List.of(
              "**total**",
              "**" + rawTotal + "**",
              "**" + backgroundTotal + "**",
              "**" + net + "**",
              ""));
      md.table(
          List.of(
              "command", "during requests", "background (same wall time)", "difference", "kind"),
          rows);

      // A window of the same length holds one heartbeat more or less per node (EVALSHA and the
      // commands of its
      // script) and one health probe (INFO) more or less per node: that is the resolution of the
      // difference.
      long scripts = background.getOrDefault("evalsha", 0L) + background.getOrDefault("eval", 0L);
      long perHeartbeat =
          scripts == 0
              ? 7
              : Math.round(
                  (double) (backgroundTotal - background.getOrDefault("info", 0L)) / scripts);
      long tolerance = 2 * (2 * perHeartbeat + 1);
      double perRequestNet = ok == 0 ? Double.NaN : (double) net / ok;
      double perRequestRaw = ok == 0 ? Double.NaN : (double) rawTotal / ok;
      // a near-cache miss of a live session reads Redis twice: GET of the token pointer, HGETALL of
      // the record
      long explainedByMisses = 2 * (misses + bypasses);
      long unexplained =
          requestOnly + Math.max(0, sharedDifference - tolerance) - explainedByMisses;
      md.paragraph(
          "Redis commands per request: **"
              + Stats.f4(perRequestNet)
              + "** ("
              + net
              + " commands) after subtracting "
              + "the background; "
              + Stats.f4(perRequestRaw)
              + " raw (everything Redis executed during the requests, "
              + "background included). Goal: 0.");
      md.bullet(
          "commands that ran only during the requests: "
              + requestOnly
              + (requestOnlyNames.isEmpty()
                  ? ""
                  : " (" + String.join(", ", requestOnlyNames) + ")"));
      md.bullet(
          "difference in the background commands: "
              + sharedDifference
              + " (resolution ±"
              + tolerance
              + ": one heartbeat of "
              + perHeartbeat
              + " commands and one probe more or less per node and window)");
      md.bullet(
          "node A's near cache during the requests (from /metrics): "
              + hits
              + " hits, "
              + misses
              + " misses, "
              + bypasses
              + " bypasses; a miss of a live session costs 2 commands (`GET` of the token pointer, `HGETALL` of the "
              + "session), so misses explain "
              + explainedByMisses
              + ". Entries are dropped after KINHUB_NEAR_CACHE_MAX_AGE "
              + "(default 5 s) even when nothing changed, and concurrent requests for an expired entry each load it");
      md.bullet("commands per near-cache hit not explained by misses: " + unexplained);
      md.end();
      String verdict;
      if (ok != n) {
        verdict = "invalid (not every request answered 200)";
      } else if (unexplained <= 0 && misses + bypasses == 0) {
        verdict = "met";
      } else if (unexplained <= 0) {
        verdict =
            "met on hits; "
                + (misses + bypasses)
                + " misses (max-age reloads) cost "
                + explainedByMisses
                + " commands";
      } else {
        verdict = "missed (" + unexplained + " commands not explained by misses)";
      }
      summary.add(
          new Summary(
              "Redis commands per GET /api/v1/me with a warm token (" + n + " requests)",
              Stats.f4(perRequestNet)
                  + " ± "
                  + Stats.f4((double) tolerance / Math.max(1, ok))
                  + " ("
                  + net
                  + " commands net of background; raw "
                  + Stats.f4(perRequestRaw)
                  + ")",
              "0",
              verdict));
    }
    return md;
  }

  private static Set<String> union(Map<String, Long> a, Map<String, Long> b) {
    Set<String> s = new TreeSet<>(a.keySet());
    s.addAll(b.keySet());
    return s;
  }

  /**
   * Sends {@code n} requests from {@code concurrency} workers; returns {200s, other statuses,
   * errors}.
   */
  private long[] issue(HttpRequest request, int n, int concurrency) throws InterruptedException {
    AtomicLong remaining = new AtomicLong(n);
    AtomicLong ok = new AtomicLong();
    AtomicLong other = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    List<Thread> workers = new ArrayList<>();
    for (int i = 0; i < concurrency; i++) {
      workers.add(
          Thread.ofVirtual()
              .name("bench-me-" + i)
              .start(
                  () -> {
                    while (remaining.getAndDecrement() > 0) {
                      try {
                        if (api.status(request) == 200) {
                          ok.incrementAndGet();
                        } else {
                          other.incrementAndGet();
                        }
                      } catch (RuntimeException e) {
                        errors.incrementAndGet();
                      }
                    }
                  }));
    }
    BenchMain.joinAll(workers, Duration.ofSeconds(60 + n / 100));
    return new long[] {ok.get(), other.get(), errors.get()};
  }
}
