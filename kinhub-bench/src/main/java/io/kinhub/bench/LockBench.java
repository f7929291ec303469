package io.kinhub.bench;

import io.kinhub.bench.runner.BenchRun;
import io.kinhub.bench.runner.Machine;
import io.kinhub.bench.runner.Scenario;
import io.kinhub.redis.connection.RedisConnections;
import io.kinhub.redis.connection.RedisSettings;
import io.kinhub.redis.lock.FencedLease;
import io.kinhub.redis.lock.LockOptions;
import io.kinhub.redis.lock.RedisLocks;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.redisson.Redisson;
import org.redisson.api.RLock;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/**
 * Lock acquire+release pairs per second: Kinhub's {@link RedisLocks} (one script that also issues a
 * fencing token, one compare-and-delete script) against Redisson's {@link RLock} (its defaults: a
 * connection pool, pub/sub wake-up of waiters), both with an explicit lease time (no watchdog), on
 * the same embedded Redis in the same run, at several numbers of concurrent callers, each caller on
 * its own key ("distinct") or all on one key ("contended"). Cases alternate between the two
 * libraries round by round; medians of the rounds are reported.
 *
 * <pre>
 * ./kinhub bench lock [--seconds 4] [--rounds 3]
 *     [--callers 1,8,64] [--out file]</pre>
 */
public final class LockBench implements Scenario {
  private static final Duration LEASE = Duration.ofSeconds(30);
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final double GOAL = 1.5;

  private interface Pair {
    /** One acquire + release of {@code key}; false when the lock could not be had in time. */
    boolean run(String key) throws Exception;
  }

  /** Instantiated by the runner ({@code io.kinhub.bench.Bench}). */
  public LockBench() {}

  @Override
  public String name() {
    return "lock";
  }

  @Override
  public String summary() {
    return "RedisLocks vs Redisson RLock (Redis only)";
  }

  @Override
  public String help() {
    return """
        Options: --seconds N (4), --rounds N (3), --callers LIST (1,8,64), --out FILE.
        """;
  }

  @Override
  public int run(BenchRun run) throws Exception {
    String[] args = run.args();
    int seconds = 4;
    int rounds = 3;
    List<Integer> callers = List.of(1, 8, 64);
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--seconds" -> seconds = Integer.parseInt(args[i + 1]);
        case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
        case "--callers" ->
            callers = Arrays.stream(args[i + 1].split(",")).map(Integer::parseInt).toList();
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (seconds < 1
        || seconds > 600
        || rounds < 1
        || rounds > 20
        || callers.stream().anyMatch(c -> c < 1 || c > 512)) {
      throw new IllegalArgumentException("--seconds 1..600, --rounds 1..20, --callers 1..512 each");
    }
    Path dir = run.tempDir("kinhub-lock-bench");
    ClientResources resources = DefaultClientResources.create();
    StringBuilder report = new StringBuilder();
    try (Backends backends = Backends.startRedisOnly(dir)) {
      String url = backends.redisUrl();
      RedisConnections connections =
          RedisConnections.connect(
              new RedisSettings(url, "bench:", Duration.ofSeconds(5)), resources);
      RedisLocks locks = new RedisLocks(connections);
      Config config = new Config();
      config.useSingleServer().setAddress(url);
      RedissonClient redisson = Redisson.create(config);
      try {
        Pair ours =
            key -> {
              Optional<FencedLease> lease =
                  locks.tryAcquire(key, LockOptions.ttl(LEASE).waitingUpTo(WAIT));
              if (lease.isEmpty()) {
                return false;
              }
              lease.get().close();
              return true;
            };
        Pair oursSync =
            key -> {
              Optional<FencedLease> lease =
                  locks.tryAcquire(key, LockOptions.ttl(LEASE).waitingUpTo(WAIT));
              if (lease.isEmpty()) {
                return false;
              }
              return lease.get().release();
            };
        Pair theirs =
            key -> {
              RLock lock = redisson.getLock("bench:redisson:" + key);
              if (!lock.tryLock(WAIT.toMillis(), LEASE.toMillis(), TimeUnit.MILLISECONDS)) {
                return false;
              }
              lock.unlock();
              return true;
            };
        report
            .append(
                "## Locks: acquire+release pairs per second, Kinhub RedisLocks vs Redisson RLock\n\n")
            .append("Command: `./kinhub bench lock --seconds ")
            .append(seconds)
            .append(" --rounds ")
            .append(rounds)
            .append(" --callers ")
            .append(String.join(",", callers.stream().map(String::valueOf).toList()))
            .append(
                "`. One embedded Redis 7.0.15 (no persistence); callers (platform threads), both clients and Redis on the same ")
            .append(Runtime.getRuntime().availableProcessors())
            .append(" cores (load average at start: ")
            .append(Machine.loadAverage())
            .append(
                "). Kinhub: `tryAcquire` (one script: SET NX PX + fence) and then either `close()` (try-with-resources: the ")
            .append(
                "compare-and-delete script is sent and not waited for) or `release()` (waits for the script's answer), on one ")
            .append("multiplexed Lettuce connection. Redisson ")
            .append(redissonVersion())
            .append(
                " with its default single-server configuration: `tryLock(wait, leaseTime)` and `unlock()`. Both with a 30 s lease ")
            .append(
                "(no watchdog) and up to 30 s of waiting. \"distinct\": each caller its own key; \"contended\": all callers one key. ")
            .append(seconds)
            .append(" s per case, ")
            .append(rounds)
            .append(" rounds, median reported; the first round is preceded by a ")
            .append("warm-up of each case.\n\n")
            .append(
                "| callers | keys | Kinhub `close()` pairs/s | Kinhub `release()` pairs/s | Redisson pairs/s | ")
            .append(
                "`close()` ÷ Redisson | `release()` ÷ Redisson | rounds (close / release / Redisson) |\n")
            .append("|---|---|---|---|---|---|---|---|\n");
        List<String> verdicts = new ArrayList<>();
        for (int c : callers) {
          for (boolean contended : List.of(false, true)) {
            run(ours, c, contended, 1);
            run(oursSync, c, contended, 1);
            run(theirs, c, contended, 1);
            List<Double> a = new ArrayList<>();
            List<Double> s2 = new ArrayList<>();
            List<Double> b = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
              // the order alternates so that neither library always runs right after the other's
              // warm caches
              if (r % 2 == 0) {
                a.add(run(ours, c, contended, seconds));
                s2.add(run(oursSync, c, contended, seconds));
                b.add(run(theirs, c, contended, seconds));
              } else {
                b.add(run(theirs, c, contended, seconds));
                s2.add(run(oursSync, c, contended, seconds));
                a.add(run(ours, c, contended, seconds));
              }
              System.err.printf(
                  Locale.ROOT,
                  "locks: callers %d %s round %d: kinhub close %.0f/s release %.0f/s redisson %.0f/s%n",
                  c,
                  contended ? "contended" : "distinct",
                  r + 1,
                  a.getLast(),
                  s2.getLast(),
                  b.getLast());
            }
            double ma = Stats.median(a);
            double ms = Stats.median(s2);
            double mb = Stats.median(b);
            report.append(
                String.format(
                    Locale.ROOT,
                    "| %d | %s | %.0f | %.0f | %.0f | %.2f× | %.2f× | %s / %s / %s |%n",
                    c,
                    contended ? "contended" : "distinct",
                    ma,
                    ms,
                    mb,
                    ma / mb,
                    ms / mb,
                    join(a),
                    join(s2),
                    join(b)));
            verdicts.add(
                String.format(
                    Locale.ROOT,
                    "%d %s: %.2f× (close), %.2f× (release)",
                    c,
                    contended ? "contended" : "distinct",
                    ma / mb,
                    ms / mb));
          }
        }
        report
            .append("\nGoal ≥ ")
            .append(GOAL)
            .append("× Redisson: ")
            .append(String.join("; ", verdicts))
            .append(".\n");
      } finally {
        redisson.shutdown();
        locks.close();
        connections.close();
      }
    } finally {
      resources.shutdown(0, 2, TimeUnit.SECONDS).get(5, TimeUnit.SECONDS);
    }
    run.report(report);
    return 0;
  }

  /** From the Maven metadata Redisson's jar carries (the shaded jar's manifest is Kinhub's own). */
  private static String redissonVersion() {
    try (InputStream in =
        Redisson.class.getResourceAsStream(
            "/META-INF/maven/org.redisson/redisson/pom.properties")) {
      Properties p = new Properties();
      if (in != null) {
        p.load(in);
      }
      return p.getProperty("version", "(version unknown)");
    } catch (IOException e) {
      return "(version unknown)";
    }
  }

  private static String join(List<Double> values) {
    return String.join(
        ", ", values.stream().map(v -> String.format(Locale.ROOT, "%.0f", v)).toList());
  }

  /** Runs {@code callers} threads for {@code seconds}; pairs per second. */
  private static double run(Pair pair, int callers, boolean contended, int seconds)
      throws Exception {
    LongAdder pairs = new LongAdder();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    CountDownLatch ready = new CountDownLatch(callers);
    CountDownLatch go = new CountDownLatch(1);
    String run = Long.toString(System.nanoTime(), 36);
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < callers; i++) {
      String key = contended ? "hot-" + run : "k" + i + "-" + run;
      Thread t =
          Thread.ofPlatform()
              .name("lock-caller-" + i)
              .start(
                  () -> {
                    ready.countDown();
                    try {
                      go.await();
                      while (!stop.get()) {
                        if (pair.run(key)) {
                          pairs.increment();
                        }
                      }
                    } catch (Throwable e) {
                      failure.compareAndSet(null, e);
                    }
                  });
      threads.add(t);
    }
    ready.await();
    long start = System.nanoTime();
    go.countDown();
    Thread.sleep(seconds * 1000L);
    long counted = pairs.sum();
    double elapsed = (System.nanoTime() - start) / 1e9;
    stop.set(true);
    for (Thread t : threads) {
      t.join(60_000);
    }
    if (failure.get() != null) {
      throw new IllegalStateException("a caller failed", failure.get());
    }
    return counted / elapsed;
  }
}
