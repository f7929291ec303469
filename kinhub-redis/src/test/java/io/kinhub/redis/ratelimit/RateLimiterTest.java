package io.kinhub.redis.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.kinhub.redis.TestRedis;
import io.kinhub.redis.connection.RedisConnections;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Lua token-bucket limiter on a real Redis: exact under contention, all-or-nothing, keys that
 * expire.
 */
class RateLimiterTest {
  private String prefix;
  private RedisConnections nodeA;
  private RedisConnections nodeB;

  @BeforeEach
  void connect() {
    prefix = TestRedis.newPrefix();
    nodeA = TestRedis.get().connect(prefix);
    nodeB = TestRedis.get().connect(prefix);
  }

  @AfterEach
  void close() {
    nodeA.close();
    nodeB.close();
  }

  @Test
  void concurrentCallersOnTwoNodes_neverGetMoreThanCapacityPlusRefill_andNotFarLess()
      throws Exception {
    Bandwidth bandwidth = Bandwidth.of(20, Duration.ofSeconds(2)); // C = 20, r = 10/s
    List<Bucket> buckets = List.of(new Bucket("hot", "one", bandwidth));
    RateLimiter a = new RateLimiter(nodeA);
    RateLimiter b = new RateLimiter(nodeB);
    AtomicLong granted = new AtomicLong();
    long runNanos = Duration.ofSeconds(3).toNanos();
    long start = System.nanoTime();
    List<Future<?>> workers = new ArrayList<>();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < 32; i++) {
        RateLimiter limiter = i % 2 == 0 ? a : b;
        workers.add(
            pool.submit(
                () -> {
                  while (System.nanoTime() - start < runNanos) {
                    if (limiter.tryConsume("exact", buckets, 1).allowed()) {
                      granted.incrementAndGet();
                    }
                  }
                }));
      }
      for (Future<?> w : workers) {
        w.get();
      }
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    double bound = 20 + 10 * elapsed + 1;

    assertThat((double) granted.get()).isLessThanOrEqualTo(bound);
    assertThat((double) granted.get()).isGreaterThanOrEqualTo(0.85 * (20 + 10 * (elapsed - 0.2)));
  }

  @Test
  void decisionIsAllOrNothing_aRefusedBucketChargesNoOther() {
    RateLimiter limiter = new RateLimiter(nodeA);
    Bandwidth perPhone = Bandwidth.of(1, Duration.ofHours(1));
    Bandwidth perIp = Bandwidth.of(2, Duration.ofHours(1));
    Bucket ip = new Bucket("ip", "198.51.100.7", perIp);
    Bucket phoneA = new Bucket("phone", "+4915100000001", perPhone);
    Bucket phoneB = new Bucket("phone", "+4915100000002", perPhone);
    Bucket phoneC = new Bucket("phone", "+4915100000003", perPhone);
    Bucket otherIp = new Bucket("ip", "198.51.100.8", perIp);

    assertThat(limiter.tryConsume("sms", List.of(phoneA, ip), 1).allowed()).isTrue();
    // refused by the phone bucket: the IP bucket keeps its token
    assertThat(limiter.tryConsume("sms", List.of(phoneA, ip), 1).allowed()).isFalse();
    assertThat(limiter.tryConsume("sms", List.of(phoneB, ip), 1).allowed()).isTrue();
    // refused by the IP bucket: phone C keeps its token
    assertThat(limiter.tryConsume("sms", List.of(phoneC, ip), 1).allowed()).isFalse();
    assertThat(limiter.tryConsume("sms", List.of(phoneC, otherIp), 1).allowed()).isTrue();
  }

  @Test
  void refusal_saysWhenToRetry_roundedUpToWholeSeconds() {
    RateLimiter limiter = new RateLimiter(nodeA);
    List<Bucket> minute = List.of(new Bucket("m", "k", Bandwidth.of(1, Duration.ofSeconds(60))));
    Decision first = limiter.tryConsume("retry", minute, 1);
    Decision second = limiter.tryConsume("retry", minute, 1);

    assertThat(first.allowed()).isTrue();
    assertThat(first.buckets().get(0).remaining()).isZero();
    assertThat(second.allowed()).isFalse();
    assertThat(second.retryAfter()).isBetween(Duration.ofSeconds(58), Duration.ofSeconds(60));
    assertThat(second.retryAfterSeconds()).isEqualTo(60);
  }

  @Test
  void requestLargerThanCapacity_isRefusedForGood() {
    Decision d =
        new RateLimiter(nodeA)
            .tryConsume(
                "big", List.of(new Bucket("b", "k", Bandwidth.of(3, Duration.ofSeconds(1)))), 4);
    assertThat(d.allowed()).isFalse();
    assertThat(d.retryAfter()).isEqualTo(Decision.NEVER);
  }

  @Test
  void bucketKey_expiresWhenTheBucketWouldBeFullAgain() {
    new RateLimiter(nodeA)
        .tryConsume(
            "ttl", List.of(new Bucket("b", "k", Bandwidth.of(10, Duration.ofSeconds(100)))), 3);
    long pttl = nodeA.sync().pttl(prefix + "{rl:ttl}:b:k");
    // three tokens at one per 10 s: full again in 30 s
    assertThat(pttl).isBetween(29_000L, 30_001L);
  }
}
