package io.kinhub.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * 1. Hot path ratio: throughput of authenticated {@code GET /api/v1/me} divided by that of {@code
 * GET /health} on the same node with the same load driver, in alternating runs (ABBA order, so a
 * drift of the machine during the run favours neither), after one warm-up run of each.
 */
final class HotPathScenario {
  static final String TITLE = "1. Hot path: GET /api/v1/me vs GET /health";
  private static final double GOAL = 0.90;

  private final Options options;
  private final Cluster cluster;
  private final Api api;
  private final LoadDriver driver;

  HotPathScenario(Options options, Cluster cluster, Api api, LoadDriver driver) {
    this.options = options;
    this.cluster = cluster;
    this.api = api;
    this.driver = driver;
  }

  private record Round(int number, String order, LoadDriver.Result health, LoadDriver.Result me) {
    double ratio() {
      return me.requestsPerSecond() / health.requestsPerSecond();
    }
  }

  Markdown run(List<Summary> summary) {
    Markdown md = new Markdown().heading(2, TITLE);
    String base = cluster.a();
    String login = "hot-path@bench.kinhub.test";
    api.createAccount(base, login, "Hot Path");
    String token = api.login(base, login, "bench hot path");
    for (int i = 0; i < 3; i++) {
      int status = api.get(base + "/api/v1/me", token).status();
      if (status != 200) {
        throw new IllegalStateException("GET /api/v1/me with a fresh token answered " + status);
      }
    }
    String health = base + "/health";
    String me = base + "/api/v1/me";

    Metrics before = Metrics.scrape(api, base);
    if (options.warmupSeconds() > 0) {
      BenchMain.progress(
          "hot path: warm-up, " + options.warmupSeconds() + " s of /health and of /me");
      driver.run(health, null, options.warmupSeconds());
      driver.run(me, token, options.warmupSeconds());
    }
    List<Round> rounds = new ArrayList<>();
    for (int r = 1; r <= options.rounds(); r++) {
      boolean healthFirst = r % 2 == 1;
      BenchMain.progress(
          "hot path: round "
              + r
              + "/"
              + options.rounds()
              + ", "
              + options.durationSeconds()
              + " s per run");
      LoadDriver.Result h;
      LoadDriver.Result m;
      if (healthFirst) {
        h = driver.run(health, null, options.durationSeconds());
        m = driver.run(me, token, options.durationSeconds());
      } else {
        m = driver.run(me, token, options.durationSeconds());
        h = driver.run(health, null, options.durationSeconds());
      }
      rounds.add(new Round(r, healthFirst ? "/health, /me" : "/me, /health", h, m));
    }
    Metrics after = Metrics.scrape(api, base);

    double medianHealth =
        Stats.median(rounds.stream().map(x -> x.health().requestsPerSecond()).toList());
    double medianMe = Stats.median(rounds.stream().map(x -> x.me().requestsPerSecond()).toList());
    double medianRatio = Stats.median(rounds.stream().map(Round::ratio).toList());
    boolean clean = rounds.stream().allMatch(x -> x.health().clean() && x.me().clean());

    md.paragraph(
        "Node A ("
            + base
            + "), one token, load driver: "
            + driver.describe()
            + ". "
            + (options.warmupSeconds() > 0
                ? "One warm-up run of "
                    + options.warmupSeconds()
                    + " s of each endpoint first (not shown). "
                : "")
            + "Each round runs both endpoints for "
            + options.durationSeconds()
            + " s; the order alternates.");
    if (driver instanceof Wrk wrk) {
      md.paragraph(
          "Commands: `"
              + String.join(" ", wrk.command(health, null, options.durationSeconds()))
              + "` and `"
              + String.join(" ", wrk.command(me, "<token>", options.durationSeconds()))
                  .replace("Authorization: Bearer <token>", "'Authorization: Bearer <token>'")
              + "`");
    }
    List<List<String>> rows = new ArrayList<>();
    for (Round r : rounds) {
      rows.add(
          List.of(
              Integer.toString(r.number()),
              r.order(),
              Stats.f0(r.health().requestsPerSecond()),
              Stats.f0(r.me().requestsPerSecond()),
              Stats.f3(r.ratio()),
              Stats.f2(r.health().p50Ms()) + " / " + Stats.f2(r.health().p99Ms()),
              Stats.f2(r.me().p50Ms()) + " / " + Stats.f2(r.me().p99Ms()),
              (r.health().non2xx() + r.me().non2xx())
                  + " / "
                  + (r.health().errors() + r.me().errors())));
    }
    rows.add(
        List.of(
            "**median**",
            "",
            "**" + Stats.f0(medianHealth) + "**",
            "**" + Stats.f0(medianMe) + "**",
            "**" + Stats.f3(medianRatio) + "**",
            "",
            "",
            ""));
    md.table(
        List.of(
            "round",
            "order",
            "/health req/s",
            "/me req/s",
            "ratio /me ÷ /health",
            "/health p50 / p99 ms",
            "/me p50 / p99 ms",
            "non-2xx / socket errors"),
        rows);
    md.paragraph(
        "Ratio of the medians: "
            + Stats.f3(medianMe / medianHealth)
            + ". Goal: median ratio >= "
            + Stats.f2(GOAL)
            + ".");
    long hits = after.nearCache("hit") - before.nearCache("hit");
    long misses = after.nearCache("miss") - before.nearCache("miss");
    long bypasses = after.nearCache("bypass") - before.nearCache("bypass");
    long deaf = after.deafness() - before.deafness();
    md.paragraph(
        "Node A's session near cache during the warm-up and the rounds (from /metrics): "
            + hits
            + " hits, "
            + misses
            + " misses, "
            + bypasses
            + " bypasses (bus not trusted), "
            + deaf
            + " trust resets. Misses come from "
            + "the entry's maximum age (KINHUB_NEAR_CACHE_MAX_AGE, default 5 s); the "
            + options.connections()
            + " concurrent requests that find it expired may each load it from Redis.");
    if (!clean) {
      md.paragraph(
          "**Warning:** some runs had non-2xx answers or socket errors; their throughput is not comparable.");
    }
    String verdict = !clean ? "invalid (errors)" : medianRatio >= GOAL ? "met" : "missed";
    summary.add(
        new Summary(
            "Hot path: /me ÷ /health throughput (median of " + rounds.size() + " rounds)",
            Stats.f3(medianRatio)
                + " ("
                + Stats.f0(medianMe)
                + " vs "
                + Stats.f0(medianHealth)
                + " req/s)",
            ">= " + Stats.f2(GOAL),
            verdict));
    return md;
  }
}
