package io.kinhub.server.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kinhub.redis.connection.RedisConnections;
import io.kinhub.redis.connection.RedisSettings;
import io.kinhub.redis.jobs.JobQueue;
import io.kinhub.redis.jobs.QueueSettings;
import io.kinhub.server.system.TestBackends;
import io.lettuce.core.resource.DefaultClientResources;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.File;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Workers in separate JVMs are killed with SIGKILL; no job is lost and every effect is recorded
 * exactly once.
 */
class WorkerCrashTest {
  private static final long VISIBILITY_MS = 2000;
  private final List<Process> processes = new ArrayList<>();
  private String prefix;
  private String table;
  private RedisConnections redis;
  private JobQueue queue;

  @BeforeEach
  void setUp() throws SQLException {
    prefix = TestBackends.newPrefix();
    table = "crash_" + UUID.randomUUID().toString().substring(0, 8);
    sql(
        "CREATE TABLE "
            + table
            + "_effects (job_key TEXT PRIMARY KEY, at TIMESTAMPTZ NOT NULL DEFAULT now())");
    sql("CREATE TABLE " + table + "_started (job_key TEXT PRIMARY KEY)");
    redis =
        RedisConnections.connect(
            new RedisSettings(TestBackends.get().redisUrl(), prefix, Duration.ofSeconds(2)),
            DefaultClientResources.create());
    queue = new JobQueue("effects", redis, QueueSettings.defaults(), new SimpleMeterRegistry());
  }

  @AfterEach
  void tearDown() throws SQLException {
    processes.forEach(Process::destroyForcibly);
    redis.close();
    sql("DROP TABLE IF EXISTS " + table + "_effects");
    sql("DROP TABLE IF EXISTS " + table + "_started");
  }

  private static void sql(String statement) throws SQLException {
    try (Connection c = DriverManager.getConnection(TestBackends.get().databaseUrl());
        Statement s = c.createStatement()) {
      s.execute(statement);
    }
  }

  private long count(String suffix, String where) throws SQLException {
    try (Connection c = DriverManager.getConnection(TestBackends.get().databaseUrl());
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table + suffix + where)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private Process startWorker(String mode) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    Process p =
        new ProcessBuilder(
                java,
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path"),
                EffectWorkerProcess.class.getName(),
                TestBackends.get().redisUrl(),
                prefix,
                TestBackends.get().databaseUrl(),
                table,
                Long.toString(VISIBILITY_MS),
                mode)
            .redirectErrorStream(true)
            .redirectOutput(new File("target/" + table + "-worker-" + processes.size() + ".log"))
            .start();
    processes.add(p);
    return p;
  }

  private static void kill9(Process p) throws InterruptedException {
    p.destroyForcibly(); // SIGKILL: no shutdown hook, nothing released
    p.waitFor();
  }

  @Test
  void jobOfAWorkerKilledWhileHandlingIt_isCompletedByAnotherAfterTheVisibilityTimeout()
      throws Exception {
    Process stuck = startWorker("hang");
    queue.enqueue("hang");
    await().atMost(Duration.ofSeconds(60)).until(() -> count("_started", "") == 1);

    kill9(stuck);
    startWorker("work");

    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> count("_effects", " WHERE job_key = 'hang'") == 1);
    await().atMost(Duration.ofSeconds(10)).until(() -> queue.pending() == 0);
  }

  @Test
  void tenThousandJobs_withRandomWorkerKills_everyEffectExactlyOnce_noneMissing() throws Exception {
    int jobs = 10_000;
    for (int i = 0; i < jobs; i++) {
      queue.enqueue("effect-" + i, Duration.ZERO, "effect-" + i, Duration.ofHours(1));
    }
    // producers retrying after a timeout send duplicates: the idempotency key makes them no-ops
    for (int i = 0; i < jobs; i += 10) {
      queue.enqueue("effect-" + i, Duration.ZERO, "effect-" + i, Duration.ofHours(1));
    }
    List<Process> pool = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      pool.add(startWorker("work"));
    }
    Random random = new Random(42);
    long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
    int kills = 0;
    while (count("_effects", "") < jobs && System.nanoTime() < deadline) {
      Thread.sleep(700 + random.nextInt(800));
      if (kills < 8) {
        int victim = random.nextInt(pool.size());
        kill9(pool.get(victim));
        pool.set(victim, startWorker("work"));
        kills++;
      }
    }

    assertThat(count("_effects", "")).isEqualTo(jobs);
    assertThat(kills).isPositive();
    await().atMost(Duration.ofSeconds(30)).until(() -> queue.pending() == 0);
    assertThat(queue.dead(10)).isEmpty();
  }
}
