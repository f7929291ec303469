package io.kinhub.server.jobs;

import com.zaxxer.hikari.HikariDataSource;
import io.kinhub.redis.connection.RedisConnections;
import io.kinhub.redis.connection.RedisSettings;
import io.kinhub.redis.jobs.JobQueue;
import io.kinhub.redis.jobs.QueueSettings;
import io.lettuce.core.resource.DefaultClientResources;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A job worker in a JVM of its own, for the crash tests: handles queue {@code effects} by recording
 * each job's effect in PostgreSQL idempotently ({@code ON CONFLICT DO NOTHING} on the job's key).
 * Arguments: redis URL, key prefix, JDBC URL, table prefix, visibility timeout ms, "hang" or
 * "work". In "hang" mode a job with payload {@code hang} marks itself started and then never
 * finishes.
 */
public final class EffectWorkerProcess {
  public static void main(String[] args) throws Exception {
    String redisUrl = args[0];
    String prefix = args[1];
    String jdbcUrl = args[2];
    String table = args[3];
    Duration visibility = Duration.ofMillis(Long.parseLong(args[4]));
    boolean hang = args[5].equals("hang");
    HikariDataSource db = new HikariDataSource();
    db.setJdbcUrl(jdbcUrl);
    db.setMaximumPoolSize(4);
    RedisConnections redis =
        RedisConnections.connect(
            new RedisSettings(redisUrl, prefix, Duration.ofSeconds(2)),
            DefaultClientResources.create());
    JobQueue queue =
        new JobQueue(
            "effects",
            redis,
            QueueSettings.defaults()
                .withConcurrency(4)
                .withVisibilityTimeout(visibility)
                .withRetries(10, Duration.ofMillis(50), Duration.ofSeconds(1)),
            new SimpleMeterRegistry());
    queue.startWorker(
        "worker-" + ProcessHandle.current().pid(),
        job -> {
          if (hang && job.payload().equals("hang")) {
            record(db, table + "_started", job.payload());
            new CountDownLatch(1).await(); // stuck until killed
          }
          Thread.sleep(ThreadLocalRandom.current().nextInt(1, 6));
          record(db, table + "_effects", job.payload());
        });
    System.out.println("worker ready");
    new CountDownLatch(1).await();
  }

  private static void record(HikariDataSource db, String table, String key) throws Exception {
    try (Connection c = db.getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "INSERT INTO "
                    + table
                    + " (job_key) VALUES (?) ON CONFLICT (job_key) DO NOTHING")) {
      s.setString(1, key);
      s.executeUpdate();
    }
  }
}
