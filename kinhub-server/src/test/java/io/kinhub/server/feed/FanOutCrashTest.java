package io.kinhub.server.feed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kinhub.redis.connection.RedisConnections;
import io.kinhub.redis.connection.RedisSettings;
import io.kinhub.redis.jobs.JobQueue;
import io.kinhub.redis.jobs.QueueSettings;
import io.kinhub.server.system.TestBackends;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.resource.DefaultClientResources;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A fan-out worker killed (SIGKILL) in the middle of its batches: another finishes them; no
 * timeline misses the post or has it twice.
 */
class FanOutCrashTest {
  private static final long VISIBILITY_MS = 2000;
  private static final int USERS = 2000;
  private static final int BATCH = 250;
  private final List<Process> processes = new ArrayList<>();

  @AfterEach
  void stopWorkers() {
    processes.forEach(Process::destroyForcibly);
  }

  private Process startWorker(String prefix, String mode) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    Process p =
        new ProcessBuilder(
                java,
                "-Xmx192m",
                "-cp",
                System.getProperty("java.class.path"),
                FanOutWorkerProcess.class.getName(),
                TestBackends.get().redisUrl(),
                prefix,
                Long.toString(VISIBILITY_MS),
                mode)
            .redirectErrorStream(true)
            .redirectOutput(
                new File("target/fanout-worker-" + prefix.replace(":", "") + "-" + mode + ".log"))
            .start();
    processes.add(p);
    return p;
  }

  @Test
  void workerKilledMidFanOut_anotherFinishes_everyTimelineHasThePostExactlyOnce() throws Exception {
    String prefix = TestBackends.newPrefix();
    RedisConnections redis =
        RedisConnections.connect(
            new RedisSettings(TestBackends.get().redisUrl(), prefix, Duration.ofSeconds(2)),
            DefaultClientResources.create());
    try (StatefulRedisConnection<String, String> admin = TestBackends.get().connectRedis()) {
      FanOut fanOut = new FanOut(redis, 800);
      long olderPost = 1000;
      long post = 2000;
      List<Long> users = new ArrayList<>();
      List<RedisFuture<Long>> writes = new ArrayList<>();
      for (long u = 1; u <= USERS; u++) {
        users.add(u);
        // built timelines of active users (sentinel "0") that already hold an older post
        writes.add(
            admin
                .async()
                .zadd(
                    fanOut.timelineKey(u),
                    ScoredValue.just(0, "0"),
                    ScoredValue.just(olderPost, Long.toString(olderPost))));
      }
      for (var w : writes) {
        w.get();
      }
      JobQueue queue =
          new JobQueue("feed-fanout", redis, QueueSettings.defaults(), new SimpleMeterRegistry());
      for (int from = 0; from < USERS; from += BATCH) {
        queue.enqueue(FanOut.batchPayload(post, users.subList(from, from + BATCH)));
      }

      Process doomed =
          startWorker(prefix, "stall"); // writes its batches' timelines, then stalls before the ack
      await().atMost(Duration.ofSeconds(60)).until(() -> withPost(admin, fanOut, post) >= BATCH);
      long before = withPost(admin, fanOut, post);
      assertThat(before).as("killed mid fan-out").isLessThan(USERS);
      doomed.destroyForcibly().waitFor();

      startWorker(prefix, "work");
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> withPost(admin, fanOut, post) == USERS && queue.pending() == 0);

      List<RedisFuture<List<String>>> timelines = new ArrayList<>();
      for (long u = 1; u <= USERS; u++) {
        timelines.add(admin.async().zrange(fanOut.timelineKey(u), 0, -1));
      }
      for (int i = 0; i < USERS; i++) {
        assertThat(timelines.get(i).get())
            .as("timeline of " + (i + 1))
            .containsExactly("0", Long.toString(olderPost), Long.toString(post));
      }
      assertThat(queue.dead(10)).isEmpty();
    } finally {
      redis.close();
    }
  }

  private static long withPost(
      StatefulRedisConnection<String, String> admin, FanOut fanOut, long post) {
    List<RedisFuture<Double>> scores = new ArrayList<>();
    for (long u = 1; u <= USERS; u++) {
      scores.add(admin.async().zscore(fanOut.timelineKey(u), Long.toString(post))); // pipelined
    }
    long n = 0;
    for (var score : scores) {
      try {
        if (score.get() != null) {
          n++;
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    return n;
  }
}
