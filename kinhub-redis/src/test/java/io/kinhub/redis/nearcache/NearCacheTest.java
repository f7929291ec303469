package io.kinhub.redis.nearcache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kinhub.redis.TestRedis;
import io.kinhub.redis.connection.RedisConnections;
import io.kinhub.redis.events.BusSettings;
import io.kinhub.redis.events.EventBus;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The near cache serves hits without a loader call, forgets keys on every node, and never
 * resurrects a stale load.
 */
class NearCacheTest {
  private RedisConnections redisA;
  private RedisConnections redisB;
  private EventBus busA;
  private EventBus busB;
  private NearCache<String> cacheA;
  private NearCache<String> cacheB;

  @BeforeEach
  void twoNodes() {
    String prefix = TestRedis.newPrefix();
    redisA = TestRedis.get().connect(prefix);
    redisB = TestRedis.get().connect(prefix);
    busA = EventBus.start(redisA, BusSettings.defaults(), "a", new SimpleMeterRegistry());
    busB = EventBus.start(redisB, BusSettings.defaults(), "b", new SimpleMeterRegistry());
    cacheA =
        NearCache.create("things", busA, 1000, Duration.ofSeconds(30), new SimpleMeterRegistry());
    cacheB =
        NearCache.create("things", busB, 1000, Duration.ofSeconds(30), new SimpleMeterRegistry());
    await().atMost(Duration.ofSeconds(5)).until(() -> busA.trusted() && busB.trusted());
  }

  @AfterEach
  void stop() {
    busA.close();
    busB.close();
    redisA.close();
    redisB.close();
  }

  @Test
  void hit_doesNotCallTheLoader_andInvalidationOnAnotherNodeDropsIt() {
    assertThat(cacheA.get("k", k -> "v1")).isEqualTo("v1");
    assertThat(
            cacheA.get(
                "k",
                k -> {
                  throw new AssertionError("loader called on a hit");
                }))
        .isEqualTo("v1");

    cacheB.invalidateEverywhere(List.of("k"));

    assertThat(cacheA.get("k", k -> "v2")).isEqualTo("v2");
  }

  @Test
  void loadThatReadBeforeAnInvalidation_isNotKeptAfterIt() throws Exception {
    CountDownLatch loaderStarted = new CountDownLatch(1);
    CountDownLatch invalidated = new CountDownLatch(1);
    CompletableFuture<String> slowLoad =
        CompletableFuture.supplyAsync(
            () ->
                cacheA.get(
                    "k",
                    k -> {
                      loaderStarted.countDown();
                      try {
                        invalidated.await(5, TimeUnit.SECONDS);
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                      return "stale";
                    }));
    assertThat(loaderStarted.await(5, TimeUnit.SECONDS)).isTrue();

    assertThat(cacheB.invalidateEverywhere(List.of("k")).allAcknowledged()).isTrue();
    invalidated.countDown();
    assertThat(slowLoad.get(5, TimeUnit.SECONDS)).isEqualTo("stale");

    assertThat(cacheA.get("k", k -> "fresh")).isEqualTo("fresh");
  }

  @Test
  void untrustedCache_readsThrough() {
    cacheA.get("k", k -> "cached");
    redisA.pubSub().sync().unsubscribe(redisA.key("bus"));
    await().atMost(Duration.ofSeconds(5)).until(() -> !busA.trusted());

    assertThat(cacheA.get("k", k -> "from redis")).isEqualTo("from redis");
  }

  @Test
  void concurrentMissesOfOneKey_loadOncePerNode() throws Exception {
    AtomicInteger loads = new AtomicInteger();
    CountDownLatch release = new CountDownLatch(1);
    int callers = 16;
    List<CompletableFuture<String>> results = new ArrayList<>();
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < callers; i++) {
        results.add(
            CompletableFuture.supplyAsync(
                () ->
                    cacheA.get(
                        "hot",
                        k -> {
                          loads.incrementAndGet();
                          try {
                            release.await(5, TimeUnit.SECONDS);
                          } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                          }
                          return "v";
                        }),
                pool));
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> loads.get() >= 1);
      Thread.sleep(200); // give the other callers time to miss too
      release.countDown();
      for (CompletableFuture<String> r : results) {
        assertThat(r.get(5, TimeUnit.SECONDS)).isEqualTo("v");
      }
    }
    assertThat(loads.get()).isEqualTo(1);
  }

  @Test
  void aLoadInFlightDuringAnInvalidation_isNotSharedWithLaterCallers() throws Exception {
    CountDownLatch loading = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<String> first =
        CompletableFuture.supplyAsync(
            () ->
                cacheA.get(
                    "k",
                    k -> {
                      loading.countDown();
                      try {
                        release.await(5, TimeUnit.SECONDS);
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                      return "old";
                    }));
    assertThat(loading.await(5, TimeUnit.SECONDS)).isTrue();
    cacheB.invalidateEverywhere(List.of("k"));

    assertThat(cacheA.get("k", k -> "new")).isEqualTo("new");
    release.countDown();
    assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo("old");
    assertThat(cacheA.get("k", k -> "newer")).isEqualTo("new");
  }
}
