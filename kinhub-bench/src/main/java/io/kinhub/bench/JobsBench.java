package io.kinhub.bench;

import io.kinhub.bench.runner.BenchRun;
import io.kinhub.bench.runner.Scenario;
import io.kinhub.redis.connection.RedisConnections;
import io.kinhub.redis.connection.RedisSettings;
import io.kinhub.redis.jobs.JobQueue;
import io.kinhub.redis.jobs.JobWorker;
import io.kinhub.redis.jobs.QueueSettings;
import io.lettuce.core.Consumer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import redis.embedded.RedisExecProvider;

/**
 * Job queue throughput and latency against a bare Redis Streams loop, on one embedded Redis 7.0.15,
 * in one run.
 *
 * <pre>
 * ./kinhub bench jobs [jobs] [rounds] [--out file]
 * </pre>
 */
public final class JobsBench implements Scenario {
  private static final int PRODUCERS = 16;

  /** Where one measured run's work went: per job, the Redis commands and the CPU on each side. */
  record Cost(
      String run,
      int jobs,
      Map<String, Long> calls,
      Map<String, Long> usec,
      long redisCpu,
      long jvmCpu) {}

  /** Reads Redis' command statistics and both processes' CPU around each measured run. */
  private static final class Profiler implements AutoCloseable {
    private final RedisStats stats;
    private final List<Long> redisPid;
    private final List<Cost> costs = new ArrayList<>();
    private RedisStats.Reading before;
    private CpuTime.Reading cpuBefore;

    Profiler(String url, Process redis) {
      this.stats = new RedisStats(url);
      this.redisPid = List.of(redis.pid());
    }

    void start() {
      before = stats.read();
      cpuBefore = CpuTime.start(redisPid);
    }

    void end(String run, int jobs) {
      CpuTime.Reading cpu = CpuTime.end(redisPid);
      RedisStats.Reading after = stats.read();
      costs.add(
          new Cost(
              run,
              jobs,
              RedisStats.delta(before.calls(), after.calls()),
              RedisStats.delta(before.usec(), after.usec()),
              cpu.backendsSince(cpuBefore),
              cpu.jvmSince(cpuBefore)));
    }

    @Override
    public void close() {
      stats.close();
    }
  }

  @Override
  public String name() {
    return "jobs";
  }

  @Override
  public String summary() {
    return "the job queue end to end vs a bare XADD/XREADGROUP/XACK loop";
  }

  @Override
  public String help() {
    return """
        Arguments: [jobs=100000] [rounds=3], --out FILE.
        """;
  }

  @Override
  public int run(BenchRun run) throws Exception {
    String[] args = run.args();
    int jobs = args.length > 0 && !args[0].startsWith("--") ? Integer.parseInt(args[0]) : 100_000;
    int rounds = args.length > 1 && !args[1].startsWith("--") ? Integer.parseInt(args[1]) : 3;
    Path out = null;
    for (int i = 0; i < args.length - 1; i++) {
      if (args[i].equals("--out")) {
        out = Path.of(args[i + 1]);
      }
    }
    Path dir = Files.createTempDirectory("kinhub-jobs-bench");
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Process redis =
        new ProcessBuilder(
                RedisExecProvider.defaultProvider().get().getAbsolutePath(),
                "--port",
                Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                dir.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("redis.log").toFile())
            .start();
    ClientResources resources = DefaultClientResources.create();
    StringBuilder report = new StringBuilder();
    Profiler profiler = null;
    try {
      awaitPort(port);
      String url = "redis://127.0.0.1:" + port;
      profiler = new Profiler(url, redis);
      report
          .append("## Jobs: end-to-end throughput and latency\n\n")
          .append("Command: `./kinhub bench jobs ")
          .append(jobs)
          .append(' ')
          .append(rounds)
          .append(
              "`. One embedded Redis 7.0.15 (no persistence), producers, workers and Redis on the same ")
          .append(Runtime.getRuntime().availableProcessors())
          .append(" cores. ")
          .append(jobs)
          .append(" jobs per run, ")
          .append(PRODUCERS)
          .append(
              " concurrent producers, no-op handler; a run ends when the last job is acknowledged.\n\n")
          .append(
              "| round | bare XADD / XREADGROUP / XACK loop (jobs/s) | JobQueue, 1 worker node (jobs/s) | JobQueue, 2 worker nodes (jobs/s) |\n|---|---|---|---|\n");
      List<Double> bare = new ArrayList<>();
      List<Double> one = new ArrayList<>();
      List<Double> two = new ArrayList<>();
      Profiler warm = null;
      bareLoop(url, resources, jobs / 5, "warm", warm); // warm-up
      queueRun(url, resources, jobs / 5, 1, "warm", warm);
      for (int r = 1; r <= rounds; r++) {
        bare.add(bareLoop(url, resources, jobs, "bare" + r, profiler));
        one.add(queueRun(url, resources, jobs, 1, "one" + r, profiler));
        two.add(queueRun(url, resources, jobs, 2, "two" + r, profiler));
        report
            .append("| ")
            .append(r)
            .append(" | ")
            .append(fmt(bare.getLast()))
            .append(" | ")
            .append(fmt(one.getLast()))
            .append(" | ")
            .append(fmt(two.getLast()))
            .append(" |\n");
        System.err.printf(
            "round %d: bare %.0f, one %.0f, two %.0f jobs/s%n",
            r, bare.getLast(), one.getLast(), two.getLast());
      }
      double mb = median(bare);
      double m1 = median(one);
      double m2 = median(two);
      report
          .append("| **median** | **")
          .append(fmt(mb))
          .append("** | **")
          .append(fmt(m1))
          .append("** | **")
          .append(fmt(m2))
          .append("** |\n\nJobQueue ÷ bare loop (medians): 1 node ")
          .append(String.format("%.2f", m1 / mb))
          .append(", 2 nodes ")
          .append(String.format("%.2f", m2 / mb))
          .append(". Goals: ≥ 25,000 jobs/s and ≥ 0.6 × the bare loop with one worker node.\n\n");
      appendCosts(report, profiler.costs, rounds);
      long[] latency = latencyRun(url, resources, 1000, Duration.ofSeconds(10));
      report
          .append("Enqueue → handler start at a steady 1,000 jobs/s for 10 s (one worker node, ")
          .append(latency.length)
          .append(" jobs): p50 ")
          .append(String.format("%.2f", percentile(latency, 50) / 1e6))
          .append(" ms, p99 ")
          .append(String.format("%.2f", percentile(latency, 99) / 1e6))
          .append(" ms, max ")
          .append(String.format("%.2f", latency[latency.length - 1] / 1e6))
          .append(" ms.\n\n")
          .append(
              "Producers use `JobQueue.enqueueAsync` (one `XADD` per job, up to 64 in flight per producer, as the bare loop). Per ")
          .append(
              "job the queue then makes one `XREADGROUP` per batch and one `EVALSHA` per batch of finished jobs to settle them ")
          .append(
              "(XACK, then XTRIM MINID of what every worker has settled); jobs with an idempotency key or a delay go through a Lua script instead of the plain `XADD`.\n");
      run.report(report.append('\n'));
    } finally {
      if (profiler != null) {
        profiler.close();
      }
      resources.shutdown();
      redis.destroy();
      redis.waitFor(10, TimeUnit.SECONDS);
    }
    return 0;
  }

  private static double bareLoop(
      String url, ClientResources resources, int jobs, String name, Profiler profiler)
      throws Exception {
    RedisClient client = RedisClient.create(resources, url);
    try (StatefulRedisConnection<String, String> producer = client.connect();
        StatefulRedisConnection<String, String> consumer = client.connect()) {
      String stream = "bare:" + name;
      producer
          .sync()
          .xgroupCreate(
              XReadArgs.StreamOffset.from(stream, "0"), "g", XGroupCreateArgs.Builder.mkstream());
      LongAdder acked = new LongAdder();
      if (profiler != null) {
        profiler.start();
      }
      long start = System.nanoTime();
      Thread reader =
          Thread.ofPlatform()
              .start(
                  () -> {
                    while (acked.sum() < jobs) {
                      List<StreamMessage<String, String>> batch =
                          consumer
                              .sync()
                              .xreadgroup(
                                  Consumer.from("g", "c"),
                                  XReadArgs.Builder.count(256).block(Duration.ofMillis(500)),
                                  XReadArgs.StreamOffset.lastConsumed(stream));
                      if (batch.isEmpty()) {
                        continue;
                      }
                      String[] ids =
                          batch.stream().map(StreamMessage::getId).toArray(String[]::new);
                      consumer.sync().xack(stream, "g", ids);
                      acked.add(ids.length);
                    }
                  });
      try (ExecutorService producers = Executors.newVirtualThreadPerTaskExecutor()) {
        for (int p = 0; p < PRODUCERS; p++) {
          int from = p * jobs / PRODUCERS;
          int to = (p + 1) * jobs / PRODUCERS;
          producers.submit(
              () -> {
                List<RedisFuture<String>> pending = new ArrayList<>();
                for (int i = from; i < to; i++) {
                  pending.add(
                      producer
                          .async()
                          .xadd(stream, Map.of("id", Integer.toString(i), "payload", "x")));
                  if (pending.size() == 64) {
                    pending.forEach(f -> f.toCompletableFuture().join());
                    pending.clear();
                  }
                }
                pending.forEach(f -> f.toCompletableFuture().join());
              });
        }
      }
      reader.join();
      double seconds = (System.nanoTime() - start) / 1e9;
      if (profiler != null) {
        profiler.end(name, jobs);
      }
      producer.sync().del(stream);
      return jobs / seconds;
    } finally {
      client.shutdown();
    }
  }

  private static double queueRun(
      String url, ClientResources resources, int jobs, int nodes, String name, Profiler profiler)
      throws Exception {
    String prefix = "jb-" + name + ":";
    List<RedisConnections> connections = new ArrayList<>();
    List<JobWorker> workers = new ArrayList<>();
    LongAdder done = new LongAdder();
    try {
      RedisConnections producerSide =
          RedisConnections.connect(
              new RedisSettings(url, prefix, Duration.ofSeconds(5)), resources);
      connections.add(producerSide);
      JobQueue producerQueue =
          new JobQueue("bench", producerSide, QueueSettings.defaults(), new SimpleMeterRegistry());
      for (int n = 0; n < nodes; n++) {
        RedisConnections c =
            RedisConnections.connect(
                new RedisSettings(url, prefix, Duration.ofSeconds(5)), resources);
        connections.add(c);
        JobQueue q =
            new JobQueue(
                "bench",
                c,
                QueueSettings.defaults().withConcurrency(64),
                new SimpleMeterRegistry());
        workers.add(q.startWorker("node" + n, job -> done.increment()));
      }
      if (profiler != null) {
        profiler.start();
      }
      long start = System.nanoTime();
      try (ExecutorService producers = Executors.newVirtualThreadPerTaskExecutor()) {
        for (int p = 0; p < PRODUCERS; p++) {
          int from = p * jobs / PRODUCERS;
          int to = (p + 1) * jobs / PRODUCERS;
          producers.submit(
              () -> {
                // pipelined like the bare loop: up to 64 enqueues in flight per producer
                List<CompletableFuture<String>> inFlight = new ArrayList<>();
                for (int i = from; i < to; i++) {
                  inFlight.add(producerQueue.enqueueAsync("x").toCompletableFuture());
                  if (inFlight.size() == 64) {
                    inFlight.forEach(CompletableFuture::join);
                    inFlight.clear();
                  }
                }
                inFlight.forEach(CompletableFuture::join);
              });
        }
      }
      while (done.sum() < jobs) {
        Thread.sleep(2);
      }
      while (producerQueue.pending() > 0) {
        Thread.sleep(2); // the last acknowledgements
      }
      double rate = jobs / ((System.nanoTime() - start) / 1e9);
      if (profiler != null) {
        profiler.end(name, jobs);
      }
      return rate;
    } finally {
      workers.forEach(w -> w.close(Duration.ofSeconds(5)));
      if (!connections.isEmpty()) {
        connections
            .getFirst()
            .sync()
            .del(
                prefix + "{q:bench}:stream",
                prefix + "{q:bench}:delayed",
                prefix + "{q:bench}:acked");
      }
      connections.forEach(RedisConnections::close);
    }
  }

  private static long[] latencyRun(
      String url, ClientResources resources, int perSecond, Duration length) throws Exception {
    String prefix = "jb-latency:";
    RedisConnections producerSide =
        RedisConnections.connect(new RedisSettings(url, prefix, Duration.ofSeconds(5)), resources);
    RedisConnections workerSide =
        RedisConnections.connect(new RedisSettings(url, prefix, Duration.ofSeconds(5)), resources);
    int total = (int) (perSecond * length.toSeconds());
    long[] latencies = new long[total];
    AtomicLong count = new AtomicLong();
    JobQueue producerQueue =
        new JobQueue("latency", producerSide, QueueSettings.defaults(), new SimpleMeterRegistry());
    JobQueue workerQueue =
        new JobQueue(
            "latency",
            workerSide,
            QueueSettings.defaults().withConcurrency(64),
            new SimpleMeterRegistry());
    JobWorker worker =
        workerQueue.startWorker(
            "latency",
            job -> {
              long started = System.nanoTime();
              int i = (int) count.getAndIncrement();
              if (i < latencies.length) {
                latencies[i] = started - Long.parseLong(job.payload());
              }
            });
    try {
      long interval = 1_000_000_000L / perSecond;
      long next = System.nanoTime();
      for (int i = 0; i < total; i++) {
        while (System.nanoTime() < next) {
          Thread.onSpinWait();
        }
        producerQueue.enqueue(Long.toString(System.nanoTime()));
        next += interval;
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (count.get() < total && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
    } finally {
      worker.close(Duration.ofSeconds(5));
      producerSide.close();
      workerSide.close();
    }
    long[] measured = Arrays.copyOf(latencies, (int) Math.min(total, count.get()));
    Arrays.sort(measured);
    return measured;
  }

  /**
   * Per job, averaged over the rounds of each kind: Redis commands (calls and the µs Redis spent in
   * them, from INFO commandstats), and the CPU the Redis process and this JVM used.
   */
  private static void appendCosts(StringBuilder report, List<Cost> costs, int rounds) {
    report.append(
        "Where each job's work went (per job, mean of the rounds; commands and µs inside Redis from"
            + " `INFO commandstats`, CPU from /proc; the JVM runs the producers too):\n\n"
            + "| run | Redis commands per job (µs inside Redis) | µs inside Redis per job | Redis CPU µs per job |"
            + " JVM CPU µs per job |\n|---|---|---:|---:|---:|\n");
    for (String kind : List.of("bare", "one", "two")) {
      Map<String, Double> calls = new java.util.TreeMap<>();
      Map<String, Double> micros = new java.util.TreeMap<>();
      double usec = 0;
      double redisCpu = 0;
      double jvmCpu = 0;
      int n = 0;
      for (Cost c : costs) {
        if (!c.run().startsWith(kind)) {
          continue;
        }
        n++;
        c.calls().forEach((k, v) -> calls.merge(k, (double) v / c.jobs(), Double::sum));
        c.usec().forEach((k, v) -> micros.merge(k, (double) v / c.jobs(), Double::sum));
        usec += c.usec().values().stream().mapToLong(Long::longValue).sum() / (double) c.jobs();
        redisCpu += c.redisCpu() / 1e3 / c.jobs();
        jvmCpu += c.jvmCpu() / 1e3 / c.jobs();
      }
      if (n == 0) {
        continue;
      }
      int rounds0 = n;
      StringBuilder perJob = new StringBuilder();
      calls.forEach(
          (k, v) -> {
            double each = v / rounds0;
            if (each >= 0.001) {
              perJob
                  .append(perJob.isEmpty() ? "" : ", ")
                  .append(k)
                  .append(
                      String.format(
                          " %.3f (%.2f µs)", each, micros.getOrDefault(k, 0.0) / rounds0));
            }
          });
      report.append(
          String.format(
              "| %s | %s | %.2f | %.2f | %.2f |%n",
              kind, perJob, usec / n, redisCpu / n, jvmCpu / n));
    }
    report.append('\n');
  }

  private static void awaitPort(int port) throws InterruptedException {
    for (int i = 0; i < 500; i++) {
      try (Socket ignored = new Socket(InetAddress.getLoopbackAddress(), port)) {
        return;
      } catch (IOException e) {
        Thread.sleep(20);
      }
    }
    throw new IllegalStateException("Redis did not start on port " + port);
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(null);
    return sorted.get(sorted.size() / 2);
  }

  private static double percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }

  private static String fmt(double jobsPerSecond) {
    return String.format("%,.0f", jobsPerSecond);
  }
}
