package io.kinhub.server.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kinhub.redis.connection.RedisConnections;
import io.kinhub.redis.connection.RedisSettings;
import io.kinhub.redis.lock.RedisLocks;
import io.kinhub.server.backing.Database;
import io.kinhub.server.node.Singleton;
import io.kinhub.server.sms.OutboxPruning;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One node at a time: a Redis lock per task and fenced PostgreSQL writes. The paused holder is a
 * real separate JVM stopped with SIGSTOP, so its watchdog is frozen with it, as in a long GC pause
 * or a suspended VM.
 */
class SingletonTest {
  private final ClientResources resources = DefaultClientResources.create();
  private String prefix;
  private String table;
  private String task;
  private RedisConnections redis;
  private Database db;
  private RedisLocks locks;
  private Singleton singleton;
  private Process child;

  @BeforeEach
  void setUp() {
    prefix = TestBackends.newPrefix();
    String id = UUID.randomUUID().toString().substring(0, 8);
    table = "fenced_" + id;
    task = "test-" + id;
    redis =
        RedisConnections.connect(
            new RedisSettings(TestBackends.get().redisUrl(), prefix, Duration.ofSeconds(2)),
            resources);
    db = Database.connect(TestBackends.get().databaseUrl(), 4, "test-node");
    locks = new RedisLocks(redis);
    singleton = new Singleton(locks, db, "test-node");
    db.withHandle(
        h ->
            h.execute(
                "CREATE TABLE "
                    + table
                    + " (id INT PRIMARY KEY, holder TEXT NOT NULL, fence BIGINT NOT NULL)"));
    db.withHandle(h -> h.execute("INSERT INTO " + table + " VALUES (1, 'nobody', 0)"));
  }

  @AfterEach
  void tearDown() throws Exception {
    if (child != null && child.isAlive()) {
      new ProcessBuilder("kill", "-CONT", Long.toString(child.pid())).start().waitFor();
      child.destroyForcibly().waitFor();
    }
    db.withHandle(h -> h.execute("DROP TABLE IF EXISTS " + table));
    singleton.close();
    locks.close();
    redis.close();
    db.close();
    resources.shutdown().get();
  }

  @Test
  void holderPausedPastItsLocksExpiry_cannotWriteWithItsStaleFence_andTheNewHoldersWriteStands()
      throws Exception {
    Path log = Path.of("target", table + "-holder.log");
    String java = ProcessHandle.current().info().command().orElse("java");
    child =
        new ProcessBuilder(
                java,
                "-Xmx128m",
                "-cp",
                System.getProperty("java.class.path"),
                FencedHolderProcess.class.getName(),
                TestBackends.get().redisUrl(),
                prefix,
                TestBackends.get().databaseUrl(),
                task,
                table)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> Files.exists(log) && Files.readString(log).contains("WROTE "));
    long staleFence =
        Long.parseLong(Files.readString(log).replaceAll("(?s).*WROTE (\\d+).*", "$1"));

    signal("-STOP");
    String lockKey = redis.key("lock:{singleton:" + task + "}");
    await().atMost(Duration.ofSeconds(30)).until(() -> redis.sync().exists(lockKey) == 0);

    CountDownLatch acquired = new CountDownLatch(1);
    CompletableFuture<Optional<Long>> takeover =
        CompletableFuture.supplyAsync(
            () ->
                singleton.runIfFree(
                    task,
                    Duration.ofSeconds(10),
                    fenced -> {
                      acquired.countDown();
                      // may wait for the row lock if the pause caught the old holder inside a
                      // transaction
                      fenced.inTransaction(
                          h ->
                              h.createUpdate(
                                      "UPDATE "
                                          + table
                                          + " SET holder = 'B', fence = :f WHERE id = 1")
                                  .bind("f", fenced.fence())
                                  .execute());
                      return fenced.fence();
                    }));
    assertThat(acquired.await(30, TimeUnit.SECONDS)).isTrue();
    signal("-CONT");
    long newFence = takeover.get(30, TimeUnit.SECONDS).orElseThrow();

    assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(child.exitValue()).as(Files.readString(log)).isEqualTo(3);
    assertThat(Files.readString(log)).contains("REFUSED");
    assertThat(newFence).isGreaterThan(staleFence);
    String row =
        db.withHandle(
            h ->
                h.createQuery("SELECT holder || ' ' || fence FROM " + table + " WHERE id = 1")
                    .mapTo(String.class)
                    .one());
    assertThat(row).isEqualTo("B " + newFence);
  }

  @Test
  void whileOneNodeRunsTheTask_anotherNodeDoesNot() throws Exception {
    RedisConnections otherRedis =
        RedisConnections.connect(
            new RedisSettings(TestBackends.get().redisUrl(), prefix, Duration.ofSeconds(2)),
            resources);
    try (RedisLocks otherLocks = new RedisLocks(otherRedis);
        Singleton other = new Singleton(otherLocks, db, "other-node")) {
      CountDownLatch running = new CountDownLatch(1);
      CountDownLatch finish = new CountDownLatch(1);
      CompletableFuture<Optional<String>> first =
          CompletableFuture.supplyAsync(
              () ->
                  singleton.runIfFree(
                      task,
                      Duration.ofMillis(600),
                      fenced -> {
                        running.countDown();
                        try {
                          finish.await(
                              30,
                              TimeUnit
                                  .SECONDS); // longer than the lock's time to live: the watchdog
                          // renews
                        } catch (InterruptedException e) {
                          Thread.currentThread().interrupt();
                        }
                        return "first";
                      }));
      assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();
      Thread.sleep(1_800); // three times the time to live
      Optional<String> whileRunning =
          other.runIfFree(task, Duration.ofSeconds(5), fenced -> "second");
      assertThat(whileRunning).isEmpty();
      finish.countDown();
      Optional<String> firstResult = first.get(30, TimeUnit.SECONDS);
      assertThat(firstResult).contains("first");
      Optional<String> afterwards =
          other.runIfFree(task, Duration.ofSeconds(5), fenced -> "second");
      assertThat(afterwards).contains("second");
    } finally {
      otherRedis.close();
    }
  }

  @Test
  void outboxPruning_deletesOnlyExpiredMessages_andRecordsItsFence() {
    String phone = "+99" + System.nanoTime() % 1_000_000_000L;
    db.withHandle(
        h ->
            h.createUpdate(
                    "INSERT INTO sms_outbox (job_id, phone, text, sent_at)"
                        + " SELECT :p || '-old-' || g, :p, 'old', now() - interval '2 days' FROM generate_series(1, 2500) g")
                .bind("p", phone)
                .execute());
    db.withHandle(
        h ->
            h.createUpdate(
                    "INSERT INTO sms_outbox (job_id, phone, text) VALUES (:p || '-new', :p, 'new')")
                .bind("p", phone)
                .execute());

    long fence =
        singleton
            .runIfFree(
                OutboxPruning.TASK,
                Duration.ofSeconds(30),
                fenced -> {
                  new OutboxPruning(OutboxPruning.RETENTION).run(fenced);
                  return fenced.fence();
                })
            .orElseThrow();

    List<String> left =
        db.withHandle(
            h ->
                h.createQuery("SELECT text FROM sms_outbox WHERE phone = :p")
                    .bind("p", phone)
                    .mapTo(String.class)
                    .list());
    assertThat(left).containsExactly("new");
    long recorded =
        db.withHandle(
            h ->
                h.createQuery("SELECT fence FROM singleton_fence WHERE task = :t")
                    .bind("t", OutboxPruning.TASK)
                    .mapTo(Long.class)
                    .one());
    assertThat(recorded).isGreaterThanOrEqualTo(fence);
  }

  private void signal(String signal) throws Exception {
    assertThat(new ProcessBuilder("kill", signal, Long.toString(child.pid())).start().waitFor())
        .isZero();
  }
}
