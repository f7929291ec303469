package io.kinhub.redis.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.kinhub.redis.TestRedis;
import io.kinhub.redis.connection.RedisConnections;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Locks with fencing tokens on a real Redis, taken by two "nodes" (separate connections and lock
 * services).
 */
class RedisLocksTest {
  private String prefix;
  private RedisConnections redisA;
  private RedisConnections redisB;
  private RedisLocks nodeA;
  private RedisLocks nodeB;

  @BeforeEach
  void connect() {
    prefix = TestRedis.newPrefix();
    redisA = TestRedis.get().connect(prefix);
    redisB = TestRedis.get().connect(prefix);
    nodeA = new RedisLocks(redisA);
    nodeB = new RedisLocks(redisB);
  }

  @AfterEach
  void close() {
    nodeA.close();
    nodeB.close();
    redisA.close();
    redisB.close();
  }

  @Test
  void secondHolder_isRefusedWhileTheFirstHolds_andGetsALargerFenceAfterRelease() {
    FencedLease first =
        nodeA.tryAcquire("report", LockOptions.ttl(Duration.ofSeconds(10))).orElseThrow();
    assertThat(first.isHeld()).isTrue();
    assertThat(nodeB.tryAcquire("report", LockOptions.ttl(Duration.ofSeconds(10)))).isEmpty();

    assertThat(first.release()).isTrue();
    assertThat(first.isHeld()).isFalse();
    FencedLease second =
        nodeB.tryAcquire("report", LockOptions.ttl(Duration.ofSeconds(10))).orElseThrow();
    assertThat(second.fence()).isGreaterThan(first.fence());
    second.close();
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> redisA.sync().exists(redisA.key("lock:{report}")) == 0);
  }

  @Test
  void releaseByANonOwner_isRefused_andTheOwnersLockStays() {
    FencedLease stale =
        nodeA.tryAcquire("job", LockOptions.ttl(Duration.ofMillis(100))).orElseThrow();
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> redisA.sync().exists(redisA.key("lock:{job}")) == 0);
    FencedLease owner =
        nodeB.tryAcquire("job", LockOptions.ttl(Duration.ofSeconds(10))).orElseThrow();

    assertThat(stale.release()).isFalse();
    assertThat(stale.extend()).isFalse();
    Long byStranger =
        redisA
            .sync()
            .eval(
                "return redis.call('GET', KEYS[1]) == ARGV[1] and redis.call('DEL', KEYS[1]) or 0",
                ScriptOutputType.INTEGER,
                new String[] {redisA.key("lock:{job}")},
                "not-the-owner");
    assertThat(byStranger).isZero();
    assertThat(redisA.sync().get(redisA.key("lock:{job}"))).isEqualTo(owner.token());
    assertThat(owner.isHeld()).isTrue();
    assertThat(owner.fence()).isGreaterThan(stale.fence());
    owner.close();
  }

  @Test
  void expiredHolder_isNoLongerHeldLocally_andEnsureHeldThrows() {
    FencedLease lease =
        nodeA.tryAcquire("short", LockOptions.ttl(Duration.ofMillis(60))).orElseThrow();
    await().atMost(Duration.ofSeconds(5)).until(() -> !lease.isHeld());
    assertThat(lease.remaining()).isEqualTo(Duration.ZERO);
    assertThatThrownBy(lease::ensureHeld).isInstanceOf(LockLostException.class);
    lease.close();
  }

  @Test
  void watchdog_keepsALongHolderAlive() throws Exception {
    AtomicInteger lost = new AtomicInteger();
    FencedLease lease =
        nodeA
            .tryAcquire(
                "long", LockOptions.ttl(Duration.ofSeconds(1)).watched(l -> lost.incrementAndGet()))
            .orElseThrow();
    Thread.sleep(3_500); // the work: three and a half times the time to live

    assertThat(lease.isHeld()).isTrue();
    assertThat(lost).hasValue(0);
    assertThat(nodeB.tryAcquire("long", LockOptions.ttl(Duration.ofSeconds(1)))).isEmpty();
    assertThat(redisA.sync().get(redisA.key("lock:{long}"))).isEqualTo(lease.token());
    lease.close();
  }

  @Test
  void watchdog_stopsAfterRelease() throws Exception {
    AtomicInteger lost = new AtomicInteger();
    FencedLease lease =
        nodeA
            .tryAcquire(
                "done",
                LockOptions.ttl(Duration.ofMillis(150)).watched(l -> lost.incrementAndGet()))
            .orElseThrow();
    assertThat(nodeA.watchedLeases()).isEqualTo(1);
    lease.close();
    assertThat(nodeA.watchedLeases()).isZero();

    // put the released holder's token back: a watchdog still running would keep renewing this key
    redisA.sync().set(redisA.key("lock:{done}"), lease.token(), SetArgs.Builder.px(300));
    Thread.sleep(1_000); // twenty watchdog periods
    assertThat(redisA.sync().exists(redisA.key("lock:{done}")))
        .as("nobody renewed the key")
        .isZero();
    assertThat(lost).as("a released lease is never reported lost").hasValue(0);
    assertThat(lease.isHeld()).isFalse();
    assertThat(nodeA.gatesInUse()).isZero();
  }

  @Test
  void watchdog_tellsTheHolderWhenTheLockWasTakenAway() {
    CountDownLatch lost = new CountDownLatch(1);
    FencedLease lease =
        nodeA
            .tryAcquire(
                "stolen", LockOptions.ttl(Duration.ofMillis(150)).watched(l -> lost.countDown()))
            .orElseThrow();
    redisA
        .sync()
        .set(
            redisA.key("lock:{stolen}"),
            "someone-else"); // an operator, or a failover that lost the key

    await().atMost(Duration.ofSeconds(5)).until(() -> lost.getCount() == 0);
    assertThat(lease.isHeld()).isFalse();
    assertThat(nodeA.watchedLeases()).isZero();
    assertThat(lease.release()).isFalse();
    assertThat(redisA.sync().get(redisA.key("lock:{stolen}"))).isEqualTo("someone-else");
  }

  @Test
  void tryAcquire_waitsForTheHolder_andGivesUpAtItsTimeout() throws Exception {
    FencedLease holder =
        nodeA.tryAcquire("queue", LockOptions.ttl(Duration.ofSeconds(10))).orElseThrow();
    assertThat(
            nodeB.tryAcquire(
                "queue",
                LockOptions.ttl(Duration.ofSeconds(10)).waitingUpTo(Duration.ofMillis(200))))
        .isEmpty();

    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      Future<Optional<FencedLease>> waiter =
          pool.submit(
              () ->
                  nodeB.tryAcquire(
                      "queue",
                      LockOptions.ttl(Duration.ofSeconds(10)).waitingUpTo(Duration.ofSeconds(20))));
      Thread.sleep(100);
      holder.close();
      FencedLease next = waiter.get(20, TimeUnit.SECONDS).orElseThrow();
      assertThat(next.fence()).isGreaterThan(holder.fence());
      next.close();
    }
  }

  @Test
  void fences_stayLargerThanEveryEarlierOne_evenWhenRedisLostTheCounter() {
    long previous = 0;
    for (int i = 0; i < 20; i++) {
      try (FencedLease lease =
          nodeA.tryAcquire("counter", LockOptions.ttl(Duration.ofSeconds(5))).orElseThrow()) {
        assertThat(lease.fence()).isGreaterThan(previous);
        previous = lease.fence();
      }
    }
    redisA.sync().del(redisA.key("lock:{counter}:fence"));
    try (FencedLease lease =
        nodeB.tryAcquire("counter", LockOptions.ttl(Duration.ofSeconds(5))).orElseThrow()) {
      assertThat(lease.fence()).isGreaterThan(previous);
    }
  }

  @Test
  void twoNodesContending_neverOverlap_overHundredsOfRounds() throws Exception {
    int rounds = 400;
    String counter = redisA.key("invariant");
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger overlaps = new AtomicInteger();
    AtomicInteger done = new AtomicInteger();
    List<Future<?>> workers = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
      for (int w = 0; w < 8; w++) {
        RedisLocks locks = w % 2 == 0 ? nodeA : nodeB;
        RedisConnections redis = w % 2 == 0 ? redisA : redisB;
        workers.add(
            pool.submit(
                () -> {
                  while (done.get() < rounds) {
                    Optional<FencedLease> got =
                        locks.tryAcquire(
                            "hot",
                            LockOptions.ttl(Duration.ofSeconds(10))
                                .waitingUpTo(Duration.ofSeconds(10)));
                    if (got.isEmpty()) {
                      continue;
                    }
                    try (FencedLease lease = got.get()) {
                      if (done.get() >= rounds) {
                        return null;
                      }
                      if (inside.incrementAndGet() != 1) {
                        overlaps.incrementAndGet();
                      }
                      // a read-modify-write that loses updates unless the lock excludes the other
                      // holders
                      long value =
                          Long.parseLong(
                              Objects.requireNonNullElse(redis.sync().get(counter), "0"));
                      redis.sync().set(counter, Long.toString(value + 1));
                      done.incrementAndGet();
                      inside.decrementAndGet();
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> worker : workers) {
        worker.get(60, TimeUnit.SECONDS);
      }
    }
    assertThat(overlaps).hasValue(0);
    assertThat(redisA.sync().get(counter)).isEqualTo(Integer.toString(done.get()));
    assertThat(done.get()).isEqualTo(rounds);
    assertThat(nodeA.gatesInUse()).isZero();
    assertThat(nodeB.gatesInUse()).isZero();
  }

  @Test
  void badNamesAndOptions_areRefused() {
    assertThatThrownBy(() -> nodeA.tryAcquire("", LockOptions.ttl(Duration.ofSeconds(1))))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> nodeA.tryAcquire("a{b}", LockOptions.ttl(Duration.ofSeconds(1))))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> LockOptions.ttl(Duration.ofMillis(5)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> LockOptions.ttl(Duration.ofSeconds(1)).waitingUpTo(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
