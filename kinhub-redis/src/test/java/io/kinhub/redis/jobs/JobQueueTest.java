package io.kinhub.redis.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kinhub.redis.TestRedis;
import io.kinhub.redis.connection.RedisConnections;
import io.lettuce.core.KillArgs;
import io.lettuce.core.XReadArgs;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Redis Streams job queue on a real Redis. */
class JobQueueTest {
  private RedisConnections nodeA;
  private RedisConnections nodeB;
  private final List<JobWorker> workers = new CopyOnWriteArrayList<>();

  @BeforeEach
  void connect() {
    String prefix = TestRedis.newPrefix();
    nodeA = TestRedis.get().connect(prefix);
    nodeB = TestRedis.get().connect(prefix);
  }

  @AfterEach
  void close() {
    workers.forEach(w -> w.close(Duration.ofSeconds(2)));
    nodeA.close();
    nodeB.close();
  }

  private JobQueue queue(RedisConnections redis, QueueSettings settings) {
    return new JobQueue("test", redis, settings, new SimpleMeterRegistry());
  }

  private JobWorker work(JobQueue queue, String name, JobHandler handler) {
    JobWorker w = queue.startWorker(name, handler);
    workers.add(w);
    return w;
  }

  @Test
  void enqueuedJobs_areHandledAndAcknowledged_duplicatesByKeyAreNoOps() {
    JobQueue q = queue(nodeA, QueueSettings.defaults());
    Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
    work(
        q,
        "a",
        job -> runs.computeIfAbsent(job.payload(), p -> new AtomicInteger()).incrementAndGet());

    String viaAsync = q.enqueueAsync("async").toCompletableFuture().join();
    String first = q.enqueue("one", Duration.ZERO, "key-1", Duration.ofMinutes(1));
    String duplicate = q.enqueue("one again", Duration.ZERO, "key-1", Duration.ofMinutes(1));
    q.enqueue("two");

    assertThat(duplicate).isEqualTo(first);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                runs.containsKey("one")
                    && runs.containsKey("two")
                    && runs.containsKey("async")
                    && q.pending() == 0);
    assertThat(viaAsync).isNotBlank();
    assertThat(runs).doesNotContainKey("one again");
    assertThat(runs.get("one").get()).isEqualTo(1);
    assertThat(nodeA.sync().xlen(nodeA.key("{q:test}:stream"))).isZero();
  }

  @Test
  void failingJob_isRetriedWithBackoff_thenDeadLettered_andCanBeRequeued() {
    JobQueue q =
        queue(
            nodeA,
            QueueSettings.defaults().withRetries(3, Duration.ofMillis(100), Duration.ofSeconds(1)));
    List<Long> attemptsAt = new CopyOnWriteArrayList<>();
    AtomicInteger succeedFrom = new AtomicInteger(Integer.MAX_VALUE);
    work(
        q,
        "a",
        job -> {
          attemptsAt.add(System.nanoTime());
          if (attemptsAt.size() < succeedFrom.get()) {
            throw new IllegalStateException("provider said no (attempt " + job.attempt() + ")");
          }
        });

    q.enqueue("doomed");

    await().atMost(Duration.ofSeconds(10)).until(() -> q.dead(10).size() == 1);
    assertThat(attemptsAt).hasSize(3);
    // backoff 100 ms then 200 ms, each with jitter in [0.5, 1.5): never earlier than half of it
    assertThat(attemptsAt.get(1) - attemptsAt.get(0))
        .isGreaterThanOrEqualTo(Duration.ofMillis(45).toNanos());
    assertThat(attemptsAt.get(2) - attemptsAt.get(1))
        .isGreaterThanOrEqualTo(Duration.ofMillis(95).toNanos());
    DeadJob dead = q.dead(10).get(0);
    assertThat(dead.payload()).isEqualTo("doomed");
    assertThat(dead.attempts()).isEqualTo(3);
    assertThat(dead.error()).contains("provider said no (attempt 3)");

    succeedFrom.set(4);
    assertThat(q.requeueDead(dead.entryId())).isTrue();
    await().atMost(Duration.ofSeconds(10)).until(() -> attemptsAt.size() == 4 && q.pending() == 0);
    assertThat(q.dead(10)).isEmpty();
    assertThat(q.requeueDead(dead.entryId())).isFalse();
  }

  @Test
  void delayedJob_neverRunsEarly_andRunsOnceWithTwoNodesPromoting() {
    JobQueue a = queue(nodeA, QueueSettings.defaults());
    JobQueue b = queue(nodeB, QueueSettings.defaults());
    List<Long> ranAt = new CopyOnWriteArrayList<>();
    work(a, "a", job -> ranAt.add(System.currentTimeMillis()));
    work(b, "b", job -> ranAt.add(System.currentTimeMillis()));

    long enqueuedAt = System.currentTimeMillis();
    for (int i = 0; i < 20; i++) {
      a.enqueue("later-" + i, Duration.ofMillis(800), null, Duration.ZERO);
    }
    for (int i = 0; i < 50; i++) { // both nodes race to move the due jobs
      a.promoteDue();
      b.promoteDue();
    }

    await().atMost(Duration.ofSeconds(10)).until(() -> ranAt.size() >= 20 && a.pending() == 0);
    assertThat(ranAt)
        .hasSize(20)
        .allSatisfy(t -> assertThat(t - enqueuedAt).isGreaterThanOrEqualTo(790));
  }

  @Test
  void entryIds_areOrderedAsRedisOrdersThem() {
    assertThat(JobWorker.compareEntryIds("1-10", "1-9")).isPositive();
    assertThat(JobWorker.compareEntryIds("10-0", "9-99")).isPositive();
    assertThat(JobWorker.compareEntryIds("1764523455123-0", "1764523455123-0")).isZero();
    assertThat(JobWorker.compareEntryIds("999-5", "1000-0")).isNegative();
  }

  @Test
  void acknowledgedJobs_leaveTheStream_andEachRunsOnce() {
    JobQueue q = queue(nodeA, QueueSettings.defaults().withConcurrency(32));
    Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
    work(
        q,
        "a",
        job -> runs.computeIfAbsent(job.payload(), p -> new AtomicInteger()).incrementAndGet());
    work(
        queue(nodeB, QueueSettings.defaults().withConcurrency(32)),
        "b",
        job -> runs.computeIfAbsent(job.payload(), p -> new AtomicInteger()).incrementAndGet());
    int jobs = 3_000;
    for (int i = 0; i < jobs; i++) {
      q.enqueueAsync("job-" + i);
    }

    await().atMost(Duration.ofSeconds(30)).until(() -> runs.size() == jobs && q.pending() == 0);
    assertThat(runs.values()).allMatch(n -> n.get() == 1);
    // trimmed by whole listpack nodes (100 entries each by default): at most the newest node's
    // acknowledged entries are left behind
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> nodeA.sync().xlen(nodeA.key("{q:test}:stream")) <= 100);
  }

  @Test
  void aJobThatRunsLong_neitherLosesItsEntry_norLetsAcknowledgedOnesPileUp() throws Exception {
    int cap = 500;
    JobQueue q =
        queue(nodeA, QueueSettings.defaults().withConcurrency(16).withAcknowledgedCap(cap));
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    AtomicInteger handled = new AtomicInteger();
    work(
        q,
        "a",
        job -> {
          if (job.payload().equals("long")) {
            release.await();
          }
          handled.incrementAndGet();
        });
    q.enqueue("long");
    await().atMost(Duration.ofSeconds(5)).until(() -> q.pending() == 1);
    String stream = nodeA.key("{q:test}:stream");
    int jobs = 5_000;
    long longest = 0;
    for (int i = 0; i < jobs; i++) {
      q.enqueue("short-" + i);
      if (i % 250 == 0) {
        longest = Math.max(longest, nodeA.sync().xlen(stream));
      }
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> handled.get() == jobs);
    longest = Math.max(longest, nodeA.sync().xlen(stream));

    // the running job's entry is still there (a reclaim would find its payload) ...
    assertThat(
            nodeA
                .sync()
                .xrange(
                    stream, io.lettuce.core.Range.create("-", "+"), io.lettuce.core.Limit.from(1)))
        .extracting(m -> m.getBody().get("payload"))
        .containsExactly("long");
    // ... and the acknowledged ones behind it stay bounded by the cap (plus one ack batch and the
    // entries not yet read)
    assertThat(longest).isLessThan(cap + 512 + 1_000);
    release.countDown();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> handled.get() == jobs + 1 && q.pending() == 0);
  }

  @Test
  void anEntryHeldByADeadConsumer_survivesTheTrimming_andIsReclaimed() {
    JobQueue q =
        queue(nodeA, QueueSettings.defaults().withVisibilityTimeout(Duration.ofSeconds(2)));
    q.enqueue("orphan");
    takeOneAndDie();
    List<String> handled = new CopyOnWriteArrayList<>();
    work(q, "survivor", job -> handled.add(job.payload()));
    for (int i = 0; i < 2_000; i++) {
      q.enqueueAsync("after-" + i);
    }

    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> handled.contains("orphan") && handled.size() == 2_001 && q.pending() == 0);
  }

  /** A consumer takes the oldest job and dies without acknowledging it. */
  private void takeOneAndDie() {
    var taken =
        nodeB
            .sync()
            .xreadgroup(
                JobQueue.consumer("crashed"),
                XReadArgs.Builder.count(1),
                XReadArgs.StreamOffset.lastConsumed(nodeB.key("{q:test}:stream")));
    assertThat(taken).hasSize(1);
  }

  @Test
  void jobOfAConsumerThatDied_isReclaimedAfterTheVisibilityTimeout() {
    JobQueue q =
        queue(nodeA, QueueSettings.defaults().withVisibilityTimeout(Duration.ofSeconds(1)));
    q.enqueue("orphan");
    takeOneAndDie();
    List<String> handled = new CopyOnWriteArrayList<>();

    work(q, "survivor", job -> handled.add(job.payload()));

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> handled.contains("orphan") && q.pending() == 0);
  }

  @Test
  void blockedWorkerWhoseConnectionIsKilled_recoversAndKeepsConsuming() {
    JobQueue q = queue(nodeA, QueueSettings.defaults());
    List<String> handled = new CopyOnWriteArrayList<>();
    work(q, "a", job -> handled.add(job.payload()));
    q.enqueue("before");
    await().atMost(Duration.ofSeconds(10)).until(() -> handled.contains("before"));

    // every normal client but this one, the worker's blocked XREADGROUP connection included
    long killed = nodeB.sync().clientKill(KillArgs.Builder.typeNormal().skipme());
    assertThat(killed).isPositive();
    // the producer's own connection was killed too: it reconnects by itself
    await()
        .atMost(Duration.ofSeconds(10))
        .ignoreExceptions()
        .until(() -> q.enqueue("after") != null);

    await().atMost(Duration.ofSeconds(15)).until(() -> handled.contains("after"));
  }

  @Test
  void jobsReadAhead_areReleasedWhenTheWorkerCloses_andRunElsewhereAtOnce() throws Exception {
    // visibility timeout far beyond the test: only a release can hand the read-ahead jobs on in
    // time
    QueueSettings settings =
        QueueSettings.defaults().withConcurrency(1).withVisibilityTimeout(Duration.ofMinutes(5));
    JobQueue q = queue(nodeA, settings);
    java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
    JobWorker a =
        q.startWorker(
            "a",
            job -> {
              started.countDown();
              Thread.sleep(1_500);
            });
    q.enqueue("first");
    assertThat(started.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    q.enqueue("second"); // read ahead by a, waiting for its one slot
    await().atMost(Duration.ofSeconds(5)).until(() -> q.pending() == 2);

    a.close(Duration.ofSeconds(5));
    List<String> handled = new CopyOnWriteArrayList<>();
    work(queue(nodeB, settings), "b", job -> handled.add(job.payload()));

    await().atMost(Duration.ofSeconds(10)).until(() -> handled.contains("second"));
    assertThat(handled).doesNotContain("first");
    await().atMost(Duration.ofSeconds(5)).until(() -> q.pending() == 0);
  }

  @Test
  void gracefulClose_letsRunningJobsFinish() {
    JobQueue q = queue(nodeA, QueueSettings.defaults());
    List<String> finished = new CopyOnWriteArrayList<>();
    JobWorker w =
        q.startWorker(
            "a",
            job -> {
              Thread.sleep(300);
              finished.add(job.payload());
            });
    q.enqueue("slow");
    await().atMost(Duration.ofSeconds(5)).until(() -> w.inFlight() == 1);

    w.close(Duration.ofSeconds(5));

    assertThat(finished).containsExactly("slow");
    assertThat(q.pending()).isZero();
  }
}
