package io.kinhub.bench;

import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;

/**
 * 3. Revocation across nodes: a token is warmed in node A's near cache, logged out through node B,
 * and A is asked right after B's answer arrived. Measures the logout call and the time until A
 * answers 401, and counts the 200s A still gave after the logout returned (the contract says there
 * are none).
 */
final class RevocationScenario {
  static final String TITLE = "3. Revocation: warm on node A, log out on node B";
  private static final int SESSIONS_PER_ACCOUNT =
      50; // below the default cap of 100 sessions per user
  private static final int LOGIN_CONCURRENCY = 8;
  private static final Duration POLL_LIMIT = Duration.ofSeconds(5);
  private static final int MAX_TIMEOUTS = 10;

  private final Options options;
  private final Cluster cluster;
  private final Api api;

  RevocationScenario(Options options, Cluster cluster, Api api) {
    this.options = options;
    this.cluster = cluster;
    this.api = api;
  }

  Markdown run(List<Summary> summary) throws InterruptedException {
    Markdown md = new Markdown().heading(2, TITLE);
    String a = cluster.a();
    String b = cluster.b();
    int n = options.revocations();
    int accounts = (n + SESSIONS_PER_ACCOUNT - 1) / SESSIONS_PER_ACCOUNT;
    BenchMain.progress(
        "revocation: creating "
            + accounts
            + " accounts and logging in "
            + n
            + " sessions through node B ("
            + LOGIN_CONCURRENCY
            + " at once)");
    long setupStart = System.nanoTime();
    List<String> logins = new ArrayList<>();
    for (int i = 0; i < accounts; i++) {
      logins.add("revoke-" + i + "@bench.kinhub.test");
    }
    parallel(accounts, i -> api.createAccount(b, logins.get(i), "Revoke " + i));
    String[] tokens = new String[n];
    parallel(n, i -> tokens[i] = api.login(b, logins.get(i % accounts), "bench revocation " + i));
    double setupSeconds = (System.nanoTime() - setupStart) / 1e9;
    BenchMain.progress(
        "revocation: " + n + " sessions ready in " + Stats.f1(setupSeconds) + " s; revoking");

    double[] revokeMs = new double[n];
    double[] untilMs = new double[n];
    int measured = 0;
    int setupFailures = 0;
    int logoutFailures = 0;
    int timeouts = 0;
    long staleAnswers = 0;
    int iterationsWithStale = 0;
    int firstPoll401 = 0;
    long otherStatuses = 0;
    String firstProblem = null;
    boolean aborted = false;
    for (int i = 0; i < n; i++) {
      String token = tokens[i];
      HttpRequest meOnA = Api.meRequest(a, token);
      int w1 = api.status(meOnA);
      int w2 = api.status(meOnA);
      if (w1 != 200 || w2 != 200) {
        setupFailures++;
        if (firstProblem == null) {
          firstProblem =
              "iteration " + i + ": warming GET /api/v1/me on A answered " + w1 + ", " + w2;
        }
        continue;
      }
      long t0 = System.nanoTime();
      int logout = api.status(Api.logoutRequest(b, token));
      long t1 = System.nanoTime();
      if (logout != 204) {
        logoutFailures++;
        if (firstProblem == null) {
          firstProblem =
              "iteration " + i + ": DELETE /api/v1/me/sessions/current on B answered " + logout;
        }
        continue;
      }
      int stale = 0;
      int polls = 0;
      double until = Double.NaN;
      while (true) {
        int status = api.status(meOnA);
        long now = System.nanoTime();
        polls++;
        if (status == 401) {
          until = (now - t1) / 1e6;
          if (polls == 1) {
            firstPoll401++;
          }
          break;
        }
        if (status == 200) {
          stale++;
        } else {
          otherStatuses++;
        }
        if (now - t1 > POLL_LIMIT.toNanos()) {
          break;
        }
      }
      staleAnswers += stale;
      if (stale > 0) {
        iterationsWithStale++;
      }
      if (Double.isNaN(until)) {
        timeouts++;
        if (firstProblem == null) {
          firstProblem =
              "iteration "
                  + i
                  + ": node A still did not answer 401 "
                  + POLL_LIMIT.toSeconds()
                  + " s after the logout returned";
        }
        if (timeouts >= MAX_TIMEOUTS) {
          aborted = true;
          break;
        }
        continue;
      }
      revokeMs[measured] = (t1 - t0) / 1e6;
      untilMs[measured] = until;
      measured++;
    }
    double[] revoke = Arrays.copyOf(revokeMs, measured);
    double[] until = Arrays.copyOf(untilMs, measured);

    md.paragraph(
        n
            + " sessions of "
            + accounts
            + " accounts (at most "
            + SESSIONS_PER_ACCOUNT
            + " each, below the per-user cap) were created by password login through node B beforehand ("
            + LOGIN_CONCURRENCY
            + " concurrent, "
            + Stats.f1(setupSeconds)
            + " s). Then, one token at a time: GET /api/v1/me "
            + "twice on node A (warms A's near cache), DELETE /api/v1/me/sessions/current on node B (timed), then GET /api/v1/me "
            + "on A immediately and again until it answers 401 (bounded at "
            + POLL_LIMIT.toSeconds()
            + " s). "
            + "\"Until 401\" runs from the return of B's logout to A's 401, so it includes one request's round trip.");
    md.table(
        List.of("", "p50 ms", "p99 ms", "max ms", "samples"),
        List.of(
            List.of(
                "logout call on B (DELETE …/sessions/current)",
                Stats.f2(Stats.quantile(revoke, 0.5)),
                Stats.f2(Stats.quantile(revoke, 0.99)),
                Stats.f2(Stats.max(revoke)),
                Integer.toString(measured)),
            List.of(
                "logout returned → A answers 401",
                Stats.f2(Stats.quantile(until, 0.5)),
                Stats.f2(Stats.quantile(until, 0.99)),
                Stats.f2(Stats.max(until)),
                Integer.toString(measured))));
    md.bullet(
        "200 answers from A after B's logout had returned (stale): **"
            + staleAnswers
            + "** (in "
            + iterationsWithStale
            + " of "
            + measured
            + " iterations); goal 0");
    md.bullet(
        "A answered 401 to the very first request after the return: "
            + firstPoll401
            + " of "
            + measured);
    md.bullet("other statuses from A while polling: " + otherStatuses);
    md.bullet(
        "iterations not measured: "
            + setupFailures
            + " (warming failed), "
            + logoutFailures
            + " (logout not 204), "
            + timeouts
            + " (no 401 within "
            + POLL_LIMIT.toSeconds()
            + " s)"
            + (aborted ? "; **aborted after " + MAX_TIMEOUTS + " timeouts**" : ""));
    if (firstProblem != null) {
      md.bullet("first problem: " + firstProblem);
    }
    md.end();
    boolean complete = measured == n;
    summary.add(
        new Summary(
            "Revocation: 200s from node A after node B's logout returned ("
                + measured
                + " of "
                + n
                + ")",
            Long.toString(staleAnswers),
            "0",
            !complete
                ? "incomplete (" + (n - measured) + " not measured)"
                : staleAnswers == 0 ? "met" : "missed"));
    summary.add(
        new Summary(
            "Revocation: logout call on B, p50 / p99 / max",
            Stats.f2(Stats.quantile(revoke, 0.5))
                + " / "
                + Stats.f2(Stats.quantile(revoke, 0.99))
                + " / "
                + Stats.f2(Stats.max(revoke))
                + " ms",
            "",
            ""));
    summary.add(
        new Summary(
            "Revocation: logout returned → 401 on A, p50 / p99 / max",
            Stats.f2(Stats.quantile(until, 0.5))
                + " / "
                + Stats.f2(Stats.quantile(until, 0.99))
                + " / "
                + Stats.f2(Stats.max(until))
                + " ms",
            "",
            ""));
    return md;
  }

  /**
   * Runs {@code task(0..count-1)} on at most {@link #LOGIN_CONCURRENCY} virtual threads; rethrows
   * the first failure.
   */
  private static void parallel(int count, IntConsumer task) throws InterruptedException {
    AtomicInteger next = new AtomicInteger();
    AtomicReference<RuntimeException> failure = new AtomicReference<>();
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < LOGIN_CONCURRENCY; w++) {
      threads.add(
          Thread.ofVirtual()
              .start(
                  () -> {
                    int i;
                    while (failure.get() == null && (i = next.getAndIncrement()) < count) {
                      try {
                        task.accept(i);
                      } catch (RuntimeException e) {
                        failure.compareAndSet(null, e);
                      }
                    }
                  }));
    }
    // Argon2id takes tens of milliseconds per login; allow a generous 2 s each on one core
    BenchMain.joinAll(threads, Duration.ofSeconds(60 + 2L * count));
    if (failure.get() != null) {
      throw failure.get();
    }
  }
}
