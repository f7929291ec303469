package io.kinhub.server.system;

import static org.assertj.core.api.Assertions.assertThat;

import io.kinhub.redis.RedisUnavailableException;
import io.kinhub.redis.connection.RedisConnections;
import io.kinhub.redis.connection.RedisSettings;
import io.kinhub.redis.lock.FencedLease;
import io.kinhub.redis.lock.LockOptions;
import io.kinhub.redis.lock.RedisLocks;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A lock and its fence across a Sentinel failover (master SIGKILLed): the promoted replica still
 * has the lock (the acquisition waited for the replica), the holder can release it there, and the
 * next holder's fence is larger.
 */
class LockFailoverTest {

  @Test
  void masterKilledWhileALockIsHeld_thePromotedReplicaStillRefusesOthers_andTheNextFenceIsLarger()
      throws Exception {
    ClientResources resources = DefaultClientResources.create();
    String prefix = TestBackends.newPrefix();
    try (SentinelFixture redis = SentinelFixture.start();
        RedisConnections a =
            RedisConnections.connect(
                new RedisSettings(redis.url(), prefix, Duration.ofSeconds(2)), resources);
        RedisConnections b =
            RedisConnections.connect(
                new RedisSettings(redis.url(), prefix, Duration.ofSeconds(2)), resources);
        RedisLocks nodeA = new RedisLocks(a);
        RedisLocks nodeB = new RedisLocks(b)) {
      a.probe();
      FencedLease held =
          nodeA.tryAcquire("failover", LockOptions.ttl(Duration.ofSeconds(60))).orElseThrow();

      int killed = redis.killMaster();
      SentinelFixture.awaitUntil(
          Duration.ofSeconds(30), "a promoted replica", () -> redis.masterPort() != killed);
      AtomicReference<Optional<FencedLease>> whileHeld = new AtomicReference<>();
      SentinelFixture.awaitUntil(
          Duration.ofSeconds(30),
          "node B to reach the new master",
          () -> {
            try {
              whileHeld.set(nodeB.tryAcquire("failover", LockOptions.ttl(Duration.ofSeconds(60))));
              return true;
            } catch (RedisUnavailableException e) {
              return false;
            }
          });
      assertThat(whileHeld.get()).as("the lock survived the failover").isEmpty();

      SentinelFixture.awaitUntil(
          Duration.ofSeconds(30), "node A to reach the new master", a::probe);
      assertThat(held.release()).isTrue();
      FencedLease next =
          nodeB
              .tryAcquire(
                  "failover",
                  LockOptions.ttl(Duration.ofSeconds(60)).waitingUpTo(Duration.ofSeconds(10)))
              .orElseThrow();
      assertThat(next.fence()).isGreaterThan(held.fence());
      next.close();
    } finally {
      resources.shutdown().get();
    }
  }
}
