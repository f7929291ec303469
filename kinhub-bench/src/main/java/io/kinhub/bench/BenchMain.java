package io.kinhub.bench;

import io.kinhub.bench.runner.BenchRun;
import io.kinhub.bench.runner.Machine;
import io.kinhub.bench.runner.RunHeader;
import io.kinhub.bench.runner.Scenario;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Kinhub's benchmark: starts an embedded Redis, an embedded PostgreSQL and two Kinhub nodes in this
 * JVM (all on 127.0.0.1), then measures in one run
 *
 * <ol>
 *   <li>the hot-path ratio: {@code GET /api/v1/me} throughput ÷ {@code GET /health} throughput
 *       ({@link HotPathScenario}),
 *   <li>Redis commands per authenticated request on a near-cache hit ({@link
 *       RedisCommandsScenario}),
 *   <li>revocation across nodes: logout duration, time until the other node refuses the token,
 *       stale answers ({@link RevocationScenario}),
 *   <li>password logins per second per core ({@link LoginScenario}),
 *   <li>QR-code logins across nodes (browser WebSocket on A, phone on B) and idle QR WebSockets
 *       held open ({@link QrScenario}),
 *   <li>rate-limit decisions per second, Redis round trips per decision and over-grants of Kinhub's
 *       {@code RateLimiter} against Bucket4j's compare-and-swap proxy manager on the same Redis
 *       ({@link LimiterScenario}),
 * </ol>
 *
 * and prints a Markdown report to stdout (and to {@code --out}). Progress goes to stderr. Every
 * step is bounded in count and time, a watchdog ends the run if the whole takes far longer than
 * planned, and everything started is stopped at the end, also on failure or Ctrl-C.
 *
 * <pre>
 *   ./mvnw -q -B -o install -DskipTests
 *   ./kinhub bench main --out docs/bench-results.md
 *   ./kinhub bench main --quick     # smoke test, about a minute
 *   ./kinhub bench main --only limiter   # Redis only, no nodes
 * </pre>
 */
public final class BenchMain implements Scenario {
  private static final long STARTED = System.nanoTime();

  private BenchRun run;

  @Override
  public String name() {
    return "main";
  }

  @Override
  public String summary() {
    return "hot path, Redis commands, revocation, logins, QR, rate limiter (two nodes)";
  }

  @Override
  public String help() {
    return Options.USAGE;
  }

  @Override
  public boolean writesOwnHeader() {
    return true;
  }

  @Override
  public int run(BenchRun run) {
    Options options;
    try {
      options = Options.parse(List.of(run.args()), Machine.cores());
    } catch (Options.UsageException e) {
      throw new IllegalArgumentException(e.getMessage());
    }
    this.run = run;
    return run(options, run.args());
  }

  private void push(AutoCloseable resource) {
    run.closeAtEnd(resource);
  }

  private void closeAll() {
    run.close();
  }

  private int run(Options options, String[] args) {
    startWatchdog(options.timeLimitSeconds());

    String head = RunHeader.markdown("Kinhub benchmark results", args, options.quick());

    List<Summary> summary = new ArrayList<>();
    List<Markdown> sections = new ArrayList<>();
    Markdown setup = new Markdown().heading(2, "Set-up");
    boolean failed = false;
    Path tmp = null;
    try {
      tmp = run.tempDir("kinhub-bench-");
      setup.bullet("scenarios: " + String.join(", ", options.scenarios()));
      Backends backends;
      Cluster cluster = null;
      if (options.needsNodes()) {
        progress("starting Redis and PostgreSQL under " + tmp);
        backends = Backends.start(tmp);
        push(backends);
        progress("starting nodes A and B");
        cluster = Cluster.start(backends, tmp.resolve("nodes"));
        push(cluster);
        Api api = new Api();
        push(api);
        StringBuilder driverNotes = new StringBuilder();
        LoadDriver driver = LoadDriver.choose(options, driverNotes);
        push(driver);
        setup.bullet(backends.describe());
        setup.bullet(cluster.describe());
        setup.bullet("load driver for the hot path: " + driver.describe());
        if (!driverNotes.isEmpty()) {
          setup.bullet("**" + driverNotes + "**");
        }
        setup.bullet(
            "the benchmark clients, the nodes and the backends share this machine's "
                + Machine.cores()
                + " cores; absolute numbers are of this machine only");
        setup.end();

        Cluster nodes = cluster;
        if (options.runs("hotpath")) {
          failed |=
              scenario(
                  sections,
                  HotPathScenario.TITLE,
                  () -> new HotPathScenario(options, nodes, api, driver).run(summary));
        }
        if (options.runs("commands")) {
          failed |=
              scenario(
                  sections,
                  RedisCommandsScenario.TITLE,
                  () -> new RedisCommandsScenario(options, nodes, api).run(summary));
        }
        if (options.runs("revocation")) {
          failed |=
              scenario(
                  sections,
                  RevocationScenario.TITLE,
                  () -> new RevocationScenario(options, nodes, api).run(summary));
        }
        if (options.runs("login")) {
          failed |=
              scenario(
                  sections,
                  LoginScenario.TITLE,
                  () -> new LoginScenario(options, nodes, api).run(summary));
        }
        if (options.runs("qr")) {
          failed |=
              scenario(
                  sections,
                  QrScenario.TITLE,
                  () -> new QrScenario(options, nodes, api).run(summary));
        }
      } else {
        progress(
            "starting Redis under "
                + tmp
                + " (no PostgreSQL and no nodes: the chosen scenarios need Redis only)");
        backends = Backends.startRedisOnly(tmp);
        push(backends);
        setup.bullet(backends.describe());
        setup.bullet("no Kinhub nodes (not needed by the chosen scenarios)");
        setup.bullet(
            "the benchmark clients and Redis share this machine's "
                + Machine.cores()
                + " cores; absolute numbers are of this machine only");
        setup.end();
      }
      if (options.runs("limiter")) {
        if (cluster != null) {
          // the nodes' heartbeats and health probes would otherwise share Redis with the limiter
          // cases
          progress(
              "stopping nodes A and B before the rate-limiter scenario, so Redis serves it alone");
          cluster.close();
        }
        boolean nodesStopped = cluster != null;
        failed |=
            scenario(
                sections,
                LimiterScenario.TITLE,
                () -> new LimiterScenario(options, backends, nodesStopped).run(summary));
      }
    } catch (Exception | Error e) {
      failed = true;
      setup.paragraph("**Set-up failed:** " + e);
      setup.code("", stackTrace(e));
      System.err.println("bench: set-up failed: " + e);
    } finally {
      progress("stopping nodes, Redis and PostgreSQL");
      closeAll();
    }

    Markdown report = new Markdown();
    report.heading(2, "Summary");
    List<List<String>> rows = new ArrayList<>();
    for (Summary s : summary) {
      rows.add(List.of(s.measure(), s.result(), s.goal(), s.verdict()));
    }
    if (rows.isEmpty()) {
      report.paragraph("No measurement completed.");
    } else {
      report.table(List.of("measure", "result", "goal / anchor", "verdict"), rows);
    }
    report.append(setup);
    sections.forEach(report::append);
    report.paragraph(
        "Load average at the end (1, 5, 15 min): "
            + Machine.loadAverage()
            + ". Total time: "
            + Duration.ofNanos(System.nanoTime() - STARTED).toSeconds()
            + " s.");

    run.report(head + report);
    return failed ? 1 : 0;
  }

  /** A scenario's body: measures and returns its section. */
  interface Body {
    Markdown run() throws Exception;
  }

  /**
   * Runs one scenario; a failure becomes its section and does not stop the others. Returns true on
   * failure.
   */
  static boolean scenario(List<Markdown> sections, String title, Body body) {
    long t0 = System.nanoTime();
    try {
      Markdown md = body.run();
      md.paragraph("_(" + Duration.ofNanos(System.nanoTime() - t0).toSeconds() + " s)_");
      sections.add(md);
      return false;
    } catch (Exception | Error e) {
      Throwable cause = e;
      Markdown md;
      if (e instanceof PartlyFailed partly) {
        // what was measured before the failure stays in the report
        md = partly.section;
        cause = partly.getCause();
      } else {
        md = new Markdown().heading(2, title);
      }
      System.err.println("bench: " + title + " failed: " + cause);
      md.paragraph(
          (e instanceof PartlyFailed ? "**Failed** (the first failure above): " : "**Failed:** ")
              + cause);
      md.code("", stackTrace(cause));
      sections.add(md);
      return true;
    }
  }

  /**
   * A scenario that failed after measuring part of what it measures: its section so far, and the
   * first failure.
   */
  static final class PartlyFailed extends Exception {
    final transient Markdown section;

    PartlyFailed(Markdown section, Throwable cause) {
      super(cause.toString(), cause);
      this.section = section;
    }
  }

  private static String stackTrace(Throwable e) {
    StringWriter w = new StringWriter();
    e.printStackTrace(new PrintWriter(w));
    return w.toString().lines().limit(25).reduce((a, b) -> a + "\n" + b).orElse("");
  }

  /** A progress line on stderr with the seconds since start. */
  static void progress(String message) {
    System.err.printf(
        Locale.ROOT, "[bench %6.1f s] %s%n", (System.nanoTime() - STARTED) / 1e9, message);
  }

  /** Joins every thread within one overall limit, or fails (the threads are then interrupted). */
  static void joinAll(List<Thread> threads, Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    for (Thread t : threads) {
      long left = deadline - System.nanoTime();
      if (left <= 0 || !t.join(Duration.ofNanos(left))) {
        threads.forEach(Thread::interrupt);
        throw new IllegalStateException(
            "workers did not finish within " + limit.toSeconds() + " s");
      }
    }
  }

  /** Ends the process (status 3) if it is still running after {@code seconds}. */
  static void startWatchdog(long seconds) {
    Thread.ofPlatform()
        .daemon()
        .name("bench-watchdog")
        .start(
            () -> {
              try {
                Thread.sleep(Duration.ofSeconds(seconds));
              } catch (InterruptedException e) {
                return;
              }
              System.err.println(
                  "bench: the run exceeded its time limit of "
                      + seconds
                      + " s; stopping everything");
              System.exit(3);
            });
  }
}
