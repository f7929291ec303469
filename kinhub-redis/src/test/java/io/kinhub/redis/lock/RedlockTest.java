package io.kinhub.redis.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kinhub.redis.connection.RedisConnections;
import io.kinhub.redis.connection.RedisSettings;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.embedded.RedisServer;

/** Redlock over three real, independent Redis servers, some of which this test stops. */
class RedlockTest {
  private final List<RedisServer> servers = new ArrayList<>();
  private final List<RedisConnections> clientA = new ArrayList<>();
  private final List<RedisConnections> clientB = new ArrayList<>();
  private ClientResources resources;
  private Redlock nodeA;
  private Redlock nodeB;

  @BeforeEach
  void start() {
    resources = DefaultClientResources.create();
    for (int i = 0; i < 3; i++) {
      int port = freePort();
      RedisServer server =
          RedisServer.builder().port(port).bind("127.0.0.1").setting("save \"\"").build();
      server.start();
      servers.add(server);
      RedisSettings settings =
          new RedisSettings("redis://127.0.0.1:" + port, "rl:", Duration.ofSeconds(2));
      clientA.add(RedisConnections.connect(settings, resources));
      clientB.add(RedisConnections.connect(settings, resources));
    }
    nodeA = new Redlock(clientA);
    nodeB = new Redlock(clientB);
  }

  @AfterEach
  void stop() throws Exception {
    nodeA.close();
    nodeB.close();
    clientA.forEach(RedisConnections::close);
    clientB.forEach(RedisConnections::close);
    for (RedisServer server : servers) {
      if (server.isActive()) {
        server.stop();
      }
    }
    resources.shutdown().get();
  }

  @Test
  void allInstancesUp_oneHolderAtATime_andReleaseClearsEveryInstance() {
    assertThat(nodeA.quorum()).isEqualTo(2);
    Lease lease =
        nodeA
            .tryAcquire(
                "deploy",
                LockOptions.ttl(Duration.ofSeconds(10)).waitingUpTo(Duration.ofSeconds(5)))
            .orElseThrow();
    assertThat(lease.isHeld()).isTrue();
    assertThat(lease.remaining()).isLessThanOrEqualTo(Duration.ofSeconds(10));
    for (RedisConnections redis : clientA) {
      assertThat(redis.sync().get(redis.key("redlock:{deploy}"))).isEqualTo(lease.token());
    }
    assertThat(nodeB.tryAcquire("deploy", LockOptions.ttl(Duration.ofSeconds(10)))).isEmpty();

    assertThat(lease.release()).isTrue();
    for (RedisConnections redis : clientA) {
      assertThat(redis.sync().exists(redis.key("redlock:{deploy}"))).isZero();
    }
    nodeB
        .tryAcquire(
            "deploy", LockOptions.ttl(Duration.ofSeconds(10)).waitingUpTo(Duration.ofSeconds(5)))
        .orElseThrow()
        .close();
  }

  @Test
  void oneInstanceStopped_stillAcquiresWithTheRemainingMajority() throws Exception {
    servers.get(0).stop();

    Lease lease =
        nodeA
            .tryAcquire(
                "deploy",
                LockOptions.ttl(Duration.ofSeconds(10)).waitingUpTo(Duration.ofSeconds(5)))
            .orElseThrow();
    assertThat(lease.isHeld()).isTrue();
    assertThat(nodeB.tryAcquire("deploy", LockOptions.ttl(Duration.ofSeconds(10)))).isEmpty();
    assertThat(lease.extend()).isTrue();
    lease.close();
  }

  @Test
  void twoInstancesStopped_isRefused_andLeavesNoKeyBehind() throws Exception {
    servers.get(0).stop();
    servers.get(1).stop();

    assertThat(
            nodeA.tryAcquire(
                "deploy",
                LockOptions.ttl(Duration.ofSeconds(10)).waitingUpTo(Duration.ofMillis(200))))
        .isEmpty();
    RedisConnections survivor = clientA.get(2);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> survivor.sync().exists(survivor.key("redlock:{deploy}")) == 0);
  }

  @Test
  void minorityHeldElsewhere_doesNotBlockTheMajority_butAMajorityDoes() {
    RedisConnections first = clientA.get(0);
    first.sync().set(first.key("redlock:{split}"), "a-stale-minority-holder");
    Lease lease =
        nodeA
            .tryAcquire(
                "split", LockOptions.ttl(Duration.ofSeconds(10)).waitingUpTo(Duration.ofSeconds(5)))
            .orElseThrow();
    lease.close();
    assertThat(first.sync().get(first.key("redlock:{split}"))).isEqualTo("a-stale-minority-holder");

    RedisConnections second = clientA.get(1);
    second.sync().set(second.key("redlock:{split}"), "a-stale-minority-holder");
    assertThat(nodeA.tryAcquire("split", LockOptions.ttl(Duration.ofSeconds(10)))).isEmpty();
    RedisConnections third = clientA.get(2);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                third.sync().exists(third.key("redlock:{split}"))
                    == 0); // a failed attempt cleans up
  }

  @Test
  void watchdog_keepsARedlockAlive_andLosesItWhenTheMajorityIsGone() throws Exception {
    CountDownLatch lost = new CountDownLatch(1);
    Lease lease =
        nodeA
            .tryAcquire(
                "long",
                LockOptions.ttl(Duration.ofSeconds(3))
                    .waitingUpTo(Duration.ofSeconds(5))
                    .watched(l -> lost.countDown()))
            .orElseThrow();
    Thread.sleep(7_000); // the work: more than twice the time to live
    assertThat(lease.isHeld()).isTrue();
    assertThat(nodeB.tryAcquire("long", LockOptions.ttl(Duration.ofSeconds(1)))).isEmpty();

    servers.get(0).stop();
    servers.get(1).stop();
    assertThat(lost.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(lease.isHeld()).isFalse();
    assertThat(nodeA.watchedLeases()).isZero();
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
