package io.kinhub.bench;

import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * 4. Password logins per second per core: {@code POST /api/v1/sessions} with the right password
 * from as many concurrent clients as the machine has cores, for a fixed time, on node A. The logins
 * rotate over enough accounts that no user reaches the per-user session cap (which would add an
 * eviction to some logins).
 */
final class LoginScenario {
  static final String TITLE = "4. Password logins per second per core";

  /** Keycloak's sizing guide: 15 password logins per second per vCPU. */
  private static final double ANCHOR_PER_CORE = 15;

  private static final int SESSIONS_PER_ACCOUNT = 80;

  private final Options options;
  private final Cluster cluster;
  private final Api api;

  LoginScenario(Options options, Cluster cluster, Api api) {
    this.options = options;
    this.cluster = cluster;
    this.api = api;
  }

  private record Run(double seconds, long ok, long other, long errors, Histogram latency) {
    double perSecond() {
      return ok / seconds;
    }
  }

  Markdown run(List<Summary> summary) throws InterruptedException {
    Markdown md = new Markdown().heading(2, TITLE);
    String base = cluster.a();
    int cores = Runtime.getRuntime().availableProcessors();
    int clients = options.loginConcurrency();
    int seconds = options.loginDurationSeconds();
    int warmup = options.warmupSeconds();
    // assume at most 50 logins/s per client, keep every account below the per-user cap
    int accounts =
        (int)
            Math.max(
                2L * clients,
                (50L * clients * (warmup + seconds) + SESSIONS_PER_ACCOUNT - 1)
                    / SESSIONS_PER_ACCOUNT);
    BenchMain.progress("logins: creating " + accounts + " accounts on node A");
    List<String> logins = new ArrayList<>();
    for (int i = 0; i < accounts; i++) {
      logins.add("login-" + i + "@bench.kinhub.test");
    }
    AtomicLong nextAccount = new AtomicLong();
    List<Thread> creators = new ArrayList<>();
    List<RuntimeException> failures = Collections.synchronizedList(new ArrayList<>());
    for (int w = 0; w < clients; w++) {
      creators.add(
          Thread.ofVirtual()
              .start(
                  () -> {
                    long i;
                    while (failures.isEmpty() && (i = nextAccount.getAndIncrement()) < accounts) {
                      try {
                        api.createAccount(base, logins.get((int) i), "Login " + i);
                      } catch (RuntimeException e) {
                        failures.add(e);
                      }
                    }
                  }));
    }
    BenchMain.joinAll(creators, Duration.ofSeconds(60 + 2L * accounts));
    if (!failures.isEmpty()) {
      throw failures.get(0);
    }
    List<HttpRequest> requests = new ArrayList<>();
    for (int i = 0; i < accounts; i++) {
      requests.add(Api.loginRequest(base, logins.get(i), Api.PASSWORD, "bench login " + i));
    }

    Metrics before = Metrics.scrape(api, base);
    AtomicLong next = new AtomicLong();
    if (warmup > 0) {
      BenchMain.progress("logins: warm-up, " + warmup + " s");
      drive(requests, next, clients, warmup);
    }
    BenchMain.progress("logins: " + seconds + " s, " + clients + " concurrent clients");
    Run run = drive(requests, next, clients, seconds);
    Metrics after = Metrics.scrape(api, base);
    long evictions = after.invalidations() - before.invalidations();

    double perSecond = run.perSecond();
    double perCore = perSecond / cores;
    md.paragraph(
        "POST /api/v1/sessions with the right password on node A from "
            + clients
            + " concurrent clients "
            + "(java.net.http, in the nodes' JVM) for "
            + seconds
            + " s"
            + (warmup > 0 ? " after a " + warmup + " s warm-up" : "")
            + ", rotating over "
            + accounts
            + " accounts. Each login verifies an Argon2id hash (19 MiB, t=2, p=1; at most "
            + "KINHUB_PASSWORD_HASH_CONCURRENCY = cores at once), reads the account from PostgreSQL and creates the session in Redis.");
    md.table(
        List.of(
            "logins (201)",
            "other statuses",
            "errors",
            "elapsed s",
            "logins/s",
            "cores",
            "logins/s per core",
            "latency p50 / p99 ms"),
        List.of(
            List.of(
                Long.toString(run.ok()),
                Long.toString(run.other()),
                Long.toString(run.errors()),
                Stats.f2(run.seconds()),
                Stats.f1(perSecond),
                Integer.toString(cores),
                "**" + Stats.f1(perCore) + "**",
                Stats.f1(run.latency().quantileMs(0.5))
                    + " / "
                    + Stats.f1(run.latency().quantileMs(0.99)))));
    md.paragraph(
        "Anchor: Keycloak's sizing guide plans "
            + Stats.f0(ANCHOR_PER_CORE)
            + " password logins per second per vCPU; "
            + "this is "
            + Stats.f2(perCore / ANCHOR_PER_CORE)
            + " × that. Sessions evicted by the per-user cap during the "
            + "warm-up and the run (near-cache invalidations on A): "
            + evictions
            + ".");
    boolean clean = run.other() == 0 && run.errors() == 0;
    summary.add(
        new Summary(
            "Password logins per second per core (" + clients + " clients, " + cores + " cores)",
            Stats.f1(perCore) + " (" + Stats.f1(perSecond) + " logins/s)",
            "anchor: Keycloak " + Stats.f0(ANCHOR_PER_CORE) + "/vCPU",
            !clean
                ? "invalid (" + (run.other() + run.errors()) + " failed logins)"
                : Stats.f2(perCore / ANCHOR_PER_CORE) + " × anchor"));
    return md;
  }

  private Run drive(List<HttpRequest> requests, AtomicLong next, int clients, int seconds)
      throws InterruptedException {
    long started = System.nanoTime();
    long deadline = started + Duration.ofSeconds(seconds).toNanos();
    AtomicLong ok = new AtomicLong();
    AtomicLong other = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    List<Histogram> histograms = Collections.synchronizedList(new ArrayList<>());
    List<Thread> workers = new ArrayList<>();
    for (int w = 0; w < clients; w++) {
      workers.add(
          Thread.ofVirtual()
              .name("bench-login-" + w)
              .start(
                  () -> {
                    Histogram h = new Histogram();
                    while (System.nanoTime() - deadline < 0) {
                      HttpRequest r =
                          requests.get((int) (next.getAndIncrement() % requests.size()));
                      long t0 = System.nanoTime();
                      try {
                        int status = api.status(r);
                        h.recordNanos(System.nanoTime() - t0);
                        if (status == 201) {
                          ok.incrementAndGet();
                        } else {
                          other.incrementAndGet();
                        }
                      } catch (RuntimeException e) {
                        errors.incrementAndGet();
                      }
                    }
                    histograms.add(h);
                  }));
    }
    BenchMain.joinAll(workers, Duration.ofSeconds(seconds + 60L));
    double elapsed = (System.nanoTime() - started) / 1e9;
    Histogram all = new Histogram();
    histograms.forEach(all::merge);
    return new Run(elapsed, ok.get(), other.get(), errors.get(), all);
  }
}
