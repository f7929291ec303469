package io.kinhub.bench;

import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.distributed.BucketProxy;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.github.bucket4j.redis.lettuce.cas.LettuceBasedProxyManager;
import io.kinhub.redis.connection.RedisConnections;
import io.kinhub.redis.connection.RedisSettings;
import io.kinhub.redis.ratelimit.Bandwidth;
import io.kinhub.redis.ratelimit.Bucket;
import io.kinhub.redis.ratelimit.RateLimiter;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.metrics.CommandLatencyRecorder;
import io.lettuce.core.protocol.ProtocolKeyword;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * 5. Rate limiter: Kinhub's {@link RateLimiter} (one {@code EVALSHA} per decision, time from Redis,
 * GCRA form of a token bucket) against Bucket4j's compare-and-swap proxy manager on Lettuce, on the
 * same Redis in the same run, with a bare {@code EVALSHA} of {@code return 1} as the ceiling.
 * Measures decisions per second with a bucket that never refuses (1 hot key, and many keys picked
 * at random) at several numbers of concurrent callers, Redis round trips and Redis commands per
 * decision, and over-grants of a small bucket under contention.
 */
final class LimiterScenario {
  static final String TITLE = "6. Rate limiter: Kinhub RateLimiter vs Bucket4j on the same Redis";

  /**
   * The throughput bucket: so large and so fast that it never refuses; what is measured is the
   * decision's cost.
   */
  private static final long BIG_CAPACITY = 1_000_000_000L;

  private static final Duration BIG_PERIOD = Duration.ofSeconds(1);

  /** The over-grant bucket: C = 100, refilled 100 per 10 s. */
  private static final long SMALL_CAPACITY = 100;

  private static final Duration SMALL_PERIOD = Duration.ofSeconds(10);
  private static final int OVERGRANT_CALLERS = 64;
  private static final int OVERGRANT_SECONDS = 3;
  private static final double GOAL_RATIO = 2.0;
  private static final String TRIVIAL_SCRIPT = "return 1";

  /**
   * Bucket4j keeps a bucket's key this long after it would be full again, so the runs see its
   * steady state.
   */
  private static final Duration BUCKET4J_KEEP = Duration.ofSeconds(60);

  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(1);

  enum Limiter {
    CEILING("bare EVALSHA (ceiling)"),
    OURS("Kinhub RateLimiter"),
    BUCKET4J("Bucket4j CAS");

    final String label;

    Limiter(String label) {
      this.label = label;
    }
  }

  private final Options options;
  private final Backends backends;
  private final boolean nodesStopped;

  LimiterScenario(Options options, Backends backends, boolean nodesStopped) {
    this.options = options;
    this.backends = backends;
    this.nodesStopped = nodesStopped;
  }

  /** The key counts of the cases: the hot key, and the "many keys" case unless it is 1 too. */
  private static List<Integer> keyCounts(Options options) {
    return options.limiterKeys() > 1 ? List.of(1, options.limiterKeys()) : List.of(1);
  }

  /** The planned length of the scenario in seconds, for the watchdog. */
  static long plannedSeconds(Options options) {
    long cases =
        (long) keyCounts(options).size()
            * options.limiterCallers().size()
            * Limiter.values().length;
    return cases * options.limiterWarmupSeconds()
        + cases * options.limiterRounds() * options.limiterDurationSeconds()
        + 2L * options.limiterRounds() * OVERGRANT_SECONDS
        + 10L * options.limiterRounds()
        + quietSeconds(options)
        + 10;
  }

  private static int quietSeconds(Options options) {
    return options.quick() ? 1 : 2;
  }

  /** One decision on key number {@code key}; true when granted. */
  private interface Decider {
    boolean decide(int key);
  }

  /** Counts the commands one Lettuce client sends (each one round trip), by command name. */
  private static final class CommandCounter implements CommandLatencyRecorder {
    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

    @Override
    public void recordCommandLatency(
        SocketAddress local,
        SocketAddress remote,
        ProtocolKeyword commandType,
        long firstResponseLatency,
        long completionLatency) {
      String name =
          new String(commandType.getBytes(), StandardCharsets.US_ASCII).toLowerCase(Locale.ROOT);
      counts.computeIfAbsent(name, n -> new LongAdder()).increment();
    }

    Map<String, Long> snapshot() {
      Map<String, Long> s = new TreeMap<>();
      counts.forEach((name, n) -> s.put(name, n.sum()));
      return s;
    }
  }

  /** One timed run of one limiter. */
  private record Run(
      Limiter limiter,
      int keys,
      int callers,
      int round,
      double seconds,
      long decisions,
      long granted,
      long errors,
      String firstError,
      Map<String, Long> client,
      Map<String, Long> server,
      Map<String, Long> serverUsec) {
    double perSecond() {
      return decisions / seconds;
    }
  }

  private record OverGrant(int round, Limiter limiter, Run run, long allowed) {
    long excess() {
      return run.granted() - allowed;
    }
  }

  Markdown run(List<Summary> summary) throws InterruptedException {
    Markdown md = new Markdown().heading(2, TITLE);
    String url = backends.redisUrl();
    Deque<AutoCloseable> closing = new ArrayDeque<>();
    try (RedisStats stats = new RedisStats(url)) {
      Map<Limiter, CommandCounter> counters = new LinkedHashMap<>();
      Map<Limiter, ClientResources> resources = new LinkedHashMap<>();
      for (Limiter l : Limiter.values()) {
        CommandCounter counter = new CommandCounter();
        ClientResources r =
            DefaultClientResources.builder().commandLatencyRecorder(counter).build();
        closing.push(() -> r.shutdown(0, 2, TimeUnit.SECONDS).get(5, TimeUnit.SECONDS));
        counters.put(l, counter);
        resources.put(l, r);
      }
      RedisSettings settings = new RedisSettings(url, "bench:", COMMAND_TIMEOUT);

      // Kinhub: the RateLimiter on RedisConnections, as the server uses it
      RedisConnections ours = RedisConnections.connect(settings, resources.get(Limiter.OURS));
      closing.push(ours);
      RateLimiter limiter = new RateLimiter(ours);

      // the ceiling: a bare EVALSHA of a trivial script on a connection made the same way
      RedisConnections ceiling = RedisConnections.connect(settings, resources.get(Limiter.CEILING));
      closing.push(ceiling);
      String trivialSha = ceiling.sync().scriptLoad(TRIVIAL_SCRIPT);

      // Bucket4j: its compare-and-swap proxy manager on one Lettuce connection with the same
      // timeouts
      RedisURI uri = RedisURI.create(url);
      uri.setTimeout(COMMAND_TIMEOUT);
      RedisClient bucket4jClient = RedisClient.create(resources.get(Limiter.BUCKET4J), uri);
      closing.push(() -> bucket4jClient.shutdown(Duration.ZERO, Duration.ofSeconds(2)));
      bucket4jClient.setOptions(
          ClientOptions.builder()
              .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
              .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT))
              .build());
      StatefulRedisConnection<String, byte[]> bucket4jConnection =
          bucket4jClient.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
      closing.push(bucket4jConnection);
      LettuceBasedProxyManager<String> proxies =
          Bucket4jLettuce.casBasedBuilder(bucket4jConnection)
              .expirationAfterWrite(
                  ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(BUCKET4J_KEEP))
              .build();

      int manyKeys = options.limiterKeys();
      Bandwidth big = Bandwidth.of(BIG_CAPACITY, BIG_PERIOD);
      BucketConfiguration bigConfig =
          BucketConfiguration.builder()
              .addLimit(
                  limit -> limit.capacity(BIG_CAPACITY).refillGreedy(BIG_CAPACITY, BIG_PERIOD))
              .build();
      @SuppressWarnings({"unchecked", "rawtypes"})
      List<Bucket>[] ourBuckets = new List[manyKeys];
      BucketProxy[] bucket4jBuckets = new BucketProxy[manyKeys];
      String[][] ceilingKeys = new String[manyKeys][];
      for (int k = 0; k < manyKeys; k++) {
        ourBuckets[k] = List.of(new Bucket("big", "k" + k, big));
        bucket4jBuckets[k] = proxies.builder().build("bench:b4j:big:k" + k, () -> bigConfig);
        ceilingKeys[k] = new String[] {"bench:ceiling:k" + k};
      }
      Map<Limiter, Decider> deciders = new LinkedHashMap<>();
      deciders.put(
          Limiter.CEILING,
          k -> {
            Long one = ceiling.sync().evalsha(trivialSha, ScriptOutputType.INTEGER, ceilingKeys[k]);
            return one != null && one == 1L;
          });
      deciders.put(Limiter.OURS, k -> limiter.tryConsume("bench-big", ourBuckets[k], 1).allowed());
      deciders.put(Limiter.BUCKET4J, k -> bucket4jBuckets[k].tryConsume(1));

      // what Redis executes without us (only this benchmark's own INFO when the nodes are stopped)
      int quiet = quietSeconds(options);
      BenchMain.progress(
          "limiter: " + quiet + " s without load, to measure Redis' background commands");
      Map<String, Long> q0 = stats.snapshot();
      long tq0 = System.nanoTime();
      Thread.sleep(Duration.ofSeconds(quiet));
      Map<String, Long> q1 = stats.snapshot();
      double quietSeconds = (System.nanoTime() - tq0) / 1e9;
      Map<String, Double> backgroundRate = new TreeMap<>();
      RedisStats.delta(q0, q1)
          .forEach(
              (cmd, n) -> {
                if (!cmd.equals("info")) {
                  backgroundRate.put(cmd, n / quietSeconds);
                }
              });

      List<Run> runs = new ArrayList<>();
      List<Integer> keyCounts = keyCounts(options);
      int rounds = options.limiterRounds();
      for (int round = 1; round <= rounds; round++) {
        List<Limiter> order =
            round % 2 == 1
                ? List.of(Limiter.CEILING, Limiter.OURS, Limiter.BUCKET4J)
                : List.of(Limiter.BUCKET4J, Limiter.OURS, Limiter.CEILING);
        for (int keys : keyCounts) {
          if (keys > 1) {
            prime(bucket4jBuckets, keys);
          }
          for (int callers : options.limiterCallers()) {
            for (Limiter l : order) {
              if (round == 1 && options.limiterWarmupSeconds() > 0) {
                drive(
                    l,
                    deciders.get(l),
                    keys,
                    callers,
                    options.limiterWarmupSeconds(),
                    round,
                    null,
                    null);
              }
              Run r =
                  drive(
                      l,
                      deciders.get(l),
                      keys,
                      callers,
                      options.limiterDurationSeconds(),
                      round,
                      counters.get(l),
                      stats);
              BenchMain.progress(
                  String.format(
                      Locale.ROOT,
                      "limiter: round %d/%d, %s, %d key%s, %d callers: %,.0f decisions/s%s",
                      round,
                      rounds,
                      l.label,
                      keys,
                      keys == 1 ? "" : "s",
                      callers,
                      r.perSecond(),
                      r.errors() > 0 ? ", " + r.errors() + " errors" : ""));
              runs.add(r);
            }
          }
        }
      }

      // over-grants: a fresh small bucket per run, hammered by 64 callers
      BucketConfiguration smallConfig =
          BucketConfiguration.builder()
              .addLimit(
                  limit ->
                      limit.capacity(SMALL_CAPACITY).refillGreedy(SMALL_CAPACITY, SMALL_PERIOD))
              .build();
      Bandwidth small = Bandwidth.of(SMALL_CAPACITY, SMALL_PERIOD);
      double ratePerSecond = (double) SMALL_CAPACITY / SMALL_PERIOD.toSeconds();
      List<OverGrant> overGrants = new ArrayList<>();
      for (int round = 1; round <= rounds; round++) {
        List<Limiter> order =
            round % 2 == 1
                ? List.of(Limiter.OURS, Limiter.BUCKET4J)
                : List.of(Limiter.BUCKET4J, Limiter.OURS);
        for (Limiter l : order) {
          String name = "og-" + round + "-" + System.nanoTime();
          Decider d;
          if (l == Limiter.OURS) {
            List<Bucket> one = List.of(new Bucket("small", name, small));
            d = k -> limiter.tryConsume("bench-small", one, 1).allowed();
          } else {
            BucketProxy one = proxies.builder().build("bench:b4j:small:" + name, () -> smallConfig);
            d = k -> one.tryConsume(1);
          }
          Run r =
              drive(l, d, 1, OVERGRANT_CALLERS, OVERGRANT_SECONDS, round, counters.get(l), stats);
          long allowed = (long) Math.floor(SMALL_CAPACITY + ratePerSecond * r.seconds()) + 1;
          OverGrant og = new OverGrant(round, l, r, allowed);
          BenchMain.progress(
              "limiter: over-grant round "
                  + round
                  + "/"
                  + rounds
                  + ", "
                  + l.label
                  + ": granted "
                  + r.granted()
                  + " of "
                  + r.decisions()
                  + ", allowed "
                  + allowed
                  + " (excess "
                  + og.excess()
                  + ")");
          overGrants.add(og);
        }
      }

      report(md, summary, runs, overGrants, backgroundRate, quietSeconds, ratePerSecond);
    } finally {
      while (!closing.isEmpty()) {
        try {
          closing.pop().close();
        } catch (Exception e) {
          System.err.println("bench: limiter: while closing: " + e);
        }
      }
    }
    return md;
  }

  /**
   * Runs {@code callers} platform threads that each call {@code decider} in a loop for {@code
   * seconds}; when {@code counter} is given, also reads the client's command counts and Redis'
   * commandstats before and after.
   */
  private Run drive(
      Limiter limiter,
      Decider decider,
      int keys,
      int callers,
      int seconds,
      int round,
      CommandCounter counter,
      RedisStats stats)
      throws InterruptedException {
    long[] decisions = new long[callers];
    long[] granted = new long[callers];
    long[] errors = new long[callers];
    AtomicReference<String> firstError = new AtomicReference<>();
    CountDownLatch go = new CountDownLatch(1);
    long[] deadline = new long[1];
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < callers; i++) {
      int me = i;
      threads.add(
          Thread.ofPlatform()
              .daemon()
              .name("bench-limiter-" + i)
              .start(
                  () -> {
                    try {
                      go.await();
                    } catch (InterruptedException e) {
                      return;
                    }
                    long end = deadline[0];
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    long d = 0;
                    long g = 0;
                    long e = 0;
                    while (System.nanoTime() - end < 0 && !Thread.currentThread().isInterrupted()) {
                      int k = keys == 1 ? 0 : random.nextInt(keys);
                      try {
                        if (decider.decide(k)) {
                          g++;
                        }
                        d++;
                      } catch (RuntimeException ex) {
                        e++;
                        firstError.compareAndSet(null, ex.toString());
                        try {
                          Thread.sleep(1); // a failing Redis answers at once: do not spin
                        } catch (InterruptedException ie) {
                          break;
                        }
                      }
                    }
                    decisions[me] = d;
                    granted[me] = g;
                    errors[me] = e;
                  }));
    }
    Map<String, Long> client0 = counter == null ? Map.of() : counter.snapshot();
    RedisStats.Reading server0 = stats == null ? null : stats.read();
    long t0 = System.nanoTime();
    deadline[0] = t0 + Duration.ofSeconds(seconds).toNanos();
    go.countDown();
    BenchMain.joinAll(threads, Duration.ofSeconds(seconds + 30L));
    long t1 = System.nanoTime();
    Map<String, Long> client =
        counter == null ? Map.of() : RedisStats.delta(client0, counter.snapshot());
    RedisStats.Reading server1 = stats == null ? null : stats.read();
    Map<String, Long> server =
        server0 == null ? Map.of() : RedisStats.delta(server0.calls(), server1.calls());
    Map<String, Long> usec =
        server0 == null ? Map.of() : RedisStats.delta(server0.usec(), server1.usec());
    return new Run(
        limiter,
        keys,
        callers,
        round,
        (t1 - t0) / 1e9,
        sum(decisions),
        sum(granted),
        sum(errors),
        firstError.get(),
        client,
        server,
        usec);
  }

  /**
   * Creates (or refreshes) every Bucket4j key of the many-keys cases, 8 callers at a time, so that
   * those cases measure Bucket4j's steady state and not its first touches of keys (a missing state
   * costs it extra round trips). Kinhub's keys need none: they vanish by design as soon as the
   * bucket is full again, about a millisecond here.
   */
  private static void prime(BucketProxy[] buckets, int keys) throws InterruptedException {
    long t0 = System.nanoTime();
    AtomicInteger next = new AtomicInteger();
    AtomicLong errors = new AtomicLong();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      threads.add(
          Thread.ofPlatform()
              .daemon()
              .name("bench-limiter-prime-" + i)
              .start(
                  () -> {
                    int k;
                    while ((k = next.getAndIncrement()) < keys) {
                      try {
                        buckets[k].tryConsume(1);
                      } catch (RuntimeException e) {
                        errors.incrementAndGet();
                      }
                    }
                  }));
    }
    BenchMain.joinAll(threads, Duration.ofSeconds(60 + keys / 100));
    BenchMain.progress(
        "limiter: "
            + keys
            + " Bucket4j keys created or refreshed in "
            + Duration.ofNanos(System.nanoTime() - t0).toMillis()
            + " ms"
            + (errors.get() > 0 ? ", " + errors.get() + " errors" : ""));
  }

  private static long sum(long[] values) {
    long s = 0;
    for (long v : values) {
      s += v;
    }
    return s;
  }

  private void report(
      Markdown md,
      List<Summary> summary,
      List<Run> runs,
      List<OverGrant> overGrants,
      Map<String, Double> backgroundRate,
      double quietSeconds,
      double ratePerSecond) {
    String bucket4jVersion = mavenVersion("com.bucket4j", "bucket4j_jdk17-lettuce");
    String lettuceVersion = mavenVersion("io.lettuce", "lettuce-core");
    int rounds = options.limiterRounds();
    md.paragraph(
        "Three clients of the same Redis, each on a Lettuce "
            + lettuceVersion
            + " connection of its own (one "
            + "shared connection per client, as Kinhub uses it; command timeout "
            + COMMAND_TIMEOUT.toMillis()
            + " ms):");
    md.bullet(
        "**Kinhub RateLimiter**: `RateLimiter.tryConsume(group, [bucket], 1)` on `RedisConnections`: one `EVALSHA` "
            + "per decision; the script reads Redis `TIME`, `GET`s the bucket's theoretical arrival time and `SET`s it with "
            + "`PXAT` when it grants (GCRA form of a token bucket)");
    md.bullet(
        "**Bucket4j CAS**: `com.bucket4j:bucket4j_jdk17-lettuce` "
            + bucket4jVersion
            + ", `Bucket4jLettuce.casBasedBuilder(connection)` with `expirationAfterWrite(basedOnTimeForRefillingBucketUpToMax("
            + BUCKET4J_KEEP.toSeconds()
            + " s))`, then `proxyManager.builder().build(key, () -> configuration).tryConsume(1)`; "
            + "Bucket4j's compare-and-swap on Redis (what it offers there): `GET` of the state, the computation in the "
            + "client on the client's clock, then `EVAL` of a compare-and-set script (sent in full every time), retried "
            + "from the `GET` when another caller changed the state in between");
    md.bullet(
        "**bare EVALSHA (ceiling)**: `EVALSHA` of `"
            + TRIVIAL_SCRIPT
            + "` with the key as `KEYS[1]` on a "
            + "`RedisConnections` made like Kinhub's: the cost of one script round trip through Lettuce, the most a "
            + "one-round-trip limiter can reach here");
    md.end();
    md.paragraph(
        "The same bucket for both limiters: capacity "
            + Stats.f0(BIG_CAPACITY)
            + " tokens refilled greedily over "
            + BIG_PERIOD.toSeconds()
            + " s, so it never refuses and the figures are the cost of a decision. Cases: 1 hot key, and "
            + options.limiterKeys()
            + " keys of which every call picks one at random; "
            + callersText()
            + " concurrent callers "
            + "(platform threads in this JVM, each calling in a loop). Every case runs "
            + options.limiterDurationSeconds()
            + " s"
            + (options.limiterWarmupSeconds() > 0
                ? ", after a "
                    + options.limiterWarmupSeconds()
                    + " s warm-up of the same case "
                    + "in the first round"
                : "")
            + "; "
            + rounds
            + " round"
            + (rounds == 1 ? "" : "s")
            + ", the order of the "
            + "limiters reversed every other round. Decisions per second are the median over the rounds. "
            + "**Round trips** are the commands each client sent, counted in Lettuce (a `CommandLatencyRecorder` on its own "
            + "`ClientResources`); **Redis commands** are Redis' `INFO commandstats` over the run, which also counts the "
            + "commands scripts issue, net of the background (`INFO` left out).");
    if (nodesStopped) {
      md.paragraph("Nodes A and B were stopped before this scenario, so Redis serves it alone.");
    }
    double backgroundPerSecond =
        backgroundRate.values().stream().mapToDouble(Double::doubleValue).sum();
    md.paragraph(
        "Background: "
            + Stats.f1(backgroundPerSecond)
            + " Redis commands per second besides `INFO` over "
            + Stats.f1(quietSeconds)
            + " s without load"
            + (backgroundRate.isEmpty() ? "" : " (" + perCommandRates(backgroundRate) + ")")
            + "; subtracted from the commandstats of each run in proportion to its length.");

    // aggregate per case
    List<List<String>> rows = new ArrayList<>();
    Map<String, Double> medians = new LinkedHashMap<>();
    boolean oursOneRoundTrip = true;
    long oursDecisions = 0;
    long oursRoundTrips = 0;
    long oursEvalsha = 0;
    long oursErrors = 0;
    long bucket4jDecisions = 0;
    long bucket4jRoundTrips = 0;
    long allErrors = 0;
    for (int keys : keyCounts(options)) {
      for (int callers : options.limiterCallers()) {
        for (Limiter l : Limiter.values()) {
          List<Run> mine =
              runs.stream()
                  .filter(r -> r.limiter() == l && r.keys() == keys && r.callers() == callers)
                  .toList();
          if (mine.isEmpty()) {
            continue;
          }
          double median = Stats.median(mine.stream().map(Run::perSecond).toList());
          medians.put(l + "/" + keys + "/" + callers, median);
        }
      }
    }
    for (int keys : keyCounts(options)) {
      for (int callers : options.limiterCallers()) {
        for (Limiter l : Limiter.values()) {
          List<Run> mine =
              runs.stream()
                  .filter(r -> r.limiter() == l && r.keys() == keys && r.callers() == callers)
                  .toList();
          if (mine.isEmpty()) {
            continue;
          }
          long decisions = mine.stream().mapToLong(Run::decisions).sum();
          long granted = mine.stream().mapToLong(Run::granted).sum();
          long errors = mine.stream().mapToLong(Run::errors).sum();
          double seconds = mine.stream().mapToDouble(Run::seconds).sum();
          Map<String, Long> client = new TreeMap<>();
          Map<String, Long> server = new TreeMap<>();
          Map<String, Long> usec = new TreeMap<>();
          for (Run r : mine) {
            r.client().forEach((c, n) -> client.merge(c, n, Long::sum));
            r.server().forEach((c, n) -> server.merge(c, n, Long::sum));
            r.serverUsec().forEach((c, n) -> usec.merge(c, n, Long::sum));
          }
          long scriptCalls = server.getOrDefault("evalsha", 0L) + server.getOrDefault("eval", 0L);
          long scriptUsec = usec.getOrDefault("evalsha", 0L) + usec.getOrDefault("eval", 0L);
          long roundTrips = RedisStats.total(client);
          Map<String, Double> net = net(server, backgroundRate, seconds);
          double commands = net.values().stream().mapToDouble(Double::doubleValue).sum();
          double median = medians.get(l + "/" + keys + "/" + callers);
          String ratio = "";
          String ofCeiling = "";
          Double b4j = medians.get(Limiter.BUCKET4J + "/" + keys + "/" + callers);
          Double ceil = medians.get(Limiter.CEILING + "/" + keys + "/" + callers);
          if (l == Limiter.OURS && b4j != null) {
            ratio = "**" + Stats.f2(median / b4j) + " ×**";
          }
          if (l != Limiter.CEILING && ceil != null) {
            ofCeiling = Stats.f0(100 * median / ceil) + " %";
          }
          if (l == Limiter.OURS) {
            oursDecisions += decisions;
            oursRoundTrips += roundTrips;
            oursEvalsha += client.getOrDefault("evalsha", 0L);
            oursErrors += errors;
            if (roundTrips != decisions + errors
                || client.getOrDefault("evalsha", 0L) != roundTrips) {
              oursOneRoundTrip = false;
            }
          } else if (l == Limiter.BUCKET4J) {
            bucket4jDecisions += decisions;
            bucket4jRoundTrips += roundTrips;
          }
          allErrors += errors;
          String perRound =
              mine.stream()
                  .map(r -> Stats.f0(r.perSecond()))
                  .reduce((a, b) -> a + ", " + b)
                  .orElse("");
          rows.add(
              List.of(
                  keys == 1 ? "1 (hot)" : Stats.f0(keys),
                  Integer.toString(callers),
                  l.label,
                  "**" + Stats.f0(median) + "**" + (mine.size() > 1 ? " (" + perRound + ")" : ""),
                  ratio,
                  ofCeiling,
                  Stats.f3(decisions == 0 ? Double.NaN : (double) roundTrips / decisions)
                      + " ("
                      + perCommandCounts(client, decisions)
                      + ")",
                  Stats.f3(decisions == 0 ? Double.NaN : commands / decisions)
                      + " ("
                      + perCommandNet(net, decisions)
                      + ")",
                  Stats.f1(scriptCalls == 0 ? Double.NaN : (double) scriptUsec / scriptCalls),
                  Long.toString(decisions - granted),
                  errors
                      + (mine.stream().anyMatch(r -> r.firstError() != null)
                          ? ": "
                              + mine.stream()
                                  .map(Run::firstError)
                                  .filter(e -> e != null)
                                  .findFirst()
                                  .orElse("")
                          : "")));
        }
      }
    }
    md.table(
        List.of(
            "keys",
            "callers",
            "limiter",
            "decisions/s, median" + (rounds > 1 ? " (each round)" : ""),
            "Kinhub ÷ Bucket4j",
            "of the ceiling",
            "round trips per decision (per command)",
            "Redis commands per decision, net (per command)",
            "Redis µs per script call",
            "refused",
            "errors"),
        rows);
    List<String> ceilingRatios = new ArrayList<>();
    for (int callers : options.limiterCallers()) {
      Double c = medians.get(Limiter.CEILING + "/1/" + callers);
      Double b = medians.get(Limiter.BUCKET4J + "/1/" + callers);
      if (c != null && b != null) {
        ceilingRatios.add(
            callers + " caller" + (callers == 1 ? "" : "s") + ": " + Stats.f2(c / b) + " ×");
      }
    }
    md.paragraph(
        "Kinhub ÷ Bucket4j is the ratio of the medians. Round trips of Bucket4j above 2 per decision are "
            + "compare-and-swap retries (another caller changed the bucket between its `GET` and its `EVAL`) or first "
            + "touches of a key (no state yet: one more `GET` and a `SET NX` script); before the many-keys cases of each "
            + "round every Bucket4j key is created or refreshed, so those cases see its steady state. \"Redis µs per script "
            + "call\" is Redis' own time per `EVALSHA`/`EVAL` (commandstats `usec`, the commands the script calls included). "
            + "On the hot key the ceiling ÷ Bucket4j is "
            + String.join(", ", ceilingRatios)
            + ": no limiter of one "
            + "round trip can exceed that here. "
            + "Goal: Kinhub >= "
            + Stats.f0(GOAL_RATIO)
            + " × Bucket4j on the hot key, exactly one Redis round trip per decision.");

    // over-grants
    md.paragraph(
        "**Over-grants**: a fresh bucket of capacity C = "
            + SMALL_CAPACITY
            + " refilled "
            + SMALL_CAPACITY
            + " per "
            + SMALL_PERIOD.toSeconds()
            + " s (r = "
            + Stats.f0(ratePerSecond)
            + "/s), started full, hammered by "
            + OVERGRANT_CALLERS
            + " callers for "
            + OVERGRANT_SECONDS
            + " s; at most allowed = floor(C + r × elapsed) + 1 "
            + "grants (elapsed from the start signal to the last answer; +1 for the boundary). Positive excess = over-grant.");
    List<List<String>> ogRows = new ArrayList<>();
    for (OverGrant og : overGrants) {
      Run r = og.run();
      ogRows.add(
          List.of(
              Integer.toString(og.round()),
              og.limiter().label,
              Stats.f3(r.seconds()),
              Stats.f0(r.decisions()),
              Long.toString(r.granted()),
              Long.toString(og.allowed()),
              "**" + og.excess() + "**",
              Stats.f3(
                  r.decisions() == 0
                      ? Double.NaN
                      : (double) RedisStats.total(r.client()) / r.decisions()),
              Long.toString(r.errors())));
      allErrors += r.errors();
    }
    md.table(
        List.of(
            "round",
            "limiter",
            "elapsed s",
            "decisions",
            "granted",
            "allowed",
            "granted − allowed",
            "round trips per decision",
            "errors"),
        ogRows);

    // summary lines
    List<String> hotRatios = new ArrayList<>();
    boolean hotMet = true;
    for (int callers : options.limiterCallers()) {
      Double o = medians.get(Limiter.OURS + "/1/" + callers);
      Double b = medians.get(Limiter.BUCKET4J + "/1/" + callers);
      if (o == null || b == null) {
        continue;
      }
      hotRatios.add(Stats.f2(o / b) + " ×");
      hotMet &= o / b >= GOAL_RATIO;
    }
    summary.add(
        new Summary(
            "Rate limiter: Kinhub ÷ Bucket4j decisions/s on 1 hot key ("
                + callersText()
                + " callers"
                + (rounds > 1 ? ", medians of " + rounds + " rounds" : "")
                + ")",
            String.join(" / ", hotRatios),
            ">= " + Stats.f0(GOAL_RATIO) + " ×",
            allErrors > 0 ? "invalid (" + allErrors + " errors)" : hotMet ? "met" : "missed"));
    summary.add(
        new Summary(
            "Rate limiter: Redis round trips per decision (Kinhub; Bucket4j), all cases",
            Stats.f4(oursDecisions == 0 ? Double.NaN : (double) oursRoundTrips / oursDecisions)
                + " ("
                + oursEvalsha
                + " EVALSHA for "
                + oursDecisions
                + " decisions); Bucket4j "
                + Stats.f3(
                    bucket4jDecisions == 0
                        ? Double.NaN
                        : (double) bucket4jRoundTrips / bucket4jDecisions),
            "1, exactly",
            oursDecisions == 0 || oursErrors > 0
                ? "invalid"
                : oursOneRoundTrip ? "met" : "missed"));
    long oursWorst =
        overGrants.stream()
            .filter(o -> o.limiter() == Limiter.OURS)
            .mapToLong(OverGrant::excess)
            .max()
            .orElse(Long.MIN_VALUE);
    long b4jWorst =
        overGrants.stream()
            .filter(o -> o.limiter() == Limiter.BUCKET4J)
            .mapToLong(OverGrant::excess)
            .max()
            .orElse(Long.MIN_VALUE);
    summary.add(
        new Summary(
            "Rate limiter: over-grants, C = "
                + SMALL_CAPACITY
                + " + "
                + Stats.f0(ratePerSecond)
                + "/s under "
                + OVERGRANT_CALLERS
                + " callers for "
                + OVERGRANT_SECONDS
                + " s (granted − allowed, worst of "
                + rounds
                + ")",
            "Kinhub " + oursWorst + "; Bucket4j " + b4jWorst,
            "<= 0 (Kinhub)",
            oursWorst <= 0 ? "met" : "missed"));
  }

  private String callersText() {
    List<String> c = options.limiterCallers().stream().map(String::valueOf).toList();
    return c.size() == 1
        ? c.get(0)
        : String.join(", ", c.subList(0, c.size() - 1)) + " and " + c.get(c.size() - 1);
  }

  /**
   * Commandstats of a run less the background rate over its length, per command, leaving out INFO.
   */
  private static Map<String, Double> net(
      Map<String, Long> server, Map<String, Double> backgroundRate, double seconds) {
    Map<String, Double> net = new TreeMap<>();
    server.forEach(
        (cmd, n) -> {
          if (!cmd.equals("info")) {
            net.put(cmd, n - backgroundRate.getOrDefault(cmd, 0.0) * seconds);
          }
        });
    return net;
  }

  private static String perCommandCounts(Map<String, Long> counts, long decisions) {
    if (counts.isEmpty() || decisions == 0) {
      return "none";
    }
    List<String> parts = new ArrayList<>();
    counts.forEach((cmd, n) -> parts.add("`" + cmd + "` " + Stats.f3((double) n / decisions)));
    return String.join(", ", parts);
  }

  private static String perCommandNet(Map<String, Double> net, long decisions) {
    List<String> parts = new ArrayList<>();
    net.forEach(
        (cmd, n) -> {
          if (Math.abs(n) / Math.max(1, decisions) >= 0.0005) {
            parts.add("`" + cmd + "` " + Stats.f3(n / decisions));
          }
        });
    return parts.isEmpty() ? "none" : String.join(", ", parts);
  }

  private static String perCommandRates(Map<String, Double> rates) {
    List<String> parts = new ArrayList<>();
    rates.forEach((cmd, r) -> parts.add("`" + cmd + "` " + Stats.f1(r) + "/s"));
    return String.join(", ", parts);
  }

  /**
   * The version of a library on the class path, from its {@code META-INF/maven/.../pom.properties}.
   */
  private static String mavenVersion(String group, String artifact) {
    String resource = "/META-INF/maven/" + group + "/" + artifact + "/pom.properties";
    try (InputStream in = LimiterScenario.class.getResourceAsStream(resource)) {
      if (in == null) {
        return "(version unknown)";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "(version unknown)");
    } catch (IOException e) {
      return "(version unknown)";
    }
  }
}
