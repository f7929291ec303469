package io.kinhub.redis.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kinhub.redis.TestRedis;
import io.kinhub.redis.connection.RedisConnections;
import io.lettuce.core.KillArgs;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The event bus's delivery guarantee and its deafness detection, on a real Redis. */
class EventBusTest {
  private String prefix;
  private RedisConnections redisA;
  private RedisConnections redisB;
  private EventBus a;
  private EventBus b;

  @BeforeEach
  void twoNodes() {
    prefix = TestRedis.newPrefix();
    redisA = TestRedis.get().connect(prefix);
    redisB = TestRedis.get().connect(prefix);
    a = EventBus.start(redisA, BusSettings.defaults(), "a", new SimpleMeterRegistry());
    b = EventBus.start(redisB, BusSettings.defaults(), "b", new SimpleMeterRegistry());
    await().atMost(Duration.ofSeconds(5)).until(() -> a.trusted() && b.trusted());
  }

  @AfterEach
  void stop() {
    a.close();
    b.close();
    redisA.close();
    redisB.close();
  }

  @Test
  void publishAndAwait_returnsOnceEveryLiveNodeHandledTheMessage() {
    List<String> seenByA = new CopyOnWriteArrayList<>();
    a.subscribe("topic", seenByA::add);

    Delivery delivery = b.publishAndAwait("topic", "hello");

    assertThat(delivery.expected()).contains(a.instanceId()).doesNotContain(b.instanceId());
    assertThat(delivery.allAcknowledged()).isTrue();
    assertThat(seenByA).containsExactly("hello");
  }

  @Test
  void silentlyDeafNode_hasStoppedTrustingItselfWhenThePublisherReturns() {
    List<String> seenByA = new CopyOnWriteArrayList<>();
    a.subscribe("topic", seenByA::add);
    // A loses its subscription without any disconnect event: the kind of loss nothing announces
    redisA.pubSub().sync().unsubscribe(prefix + "bus");
    assertThat(a.trusted()).isTrue();

    Delivery delivery = b.publishAndAwait("topic", "revoke");

    assertThat(delivery.missing()).containsExactly(a.instanceId());
    assertThat(seenByA).isEmpty();
    assertThat(a.trusted())
        .as("A missed the message, so it must no longer trust what it heard")
        .isFalse();
  }

  @Test
  void concurrentPublishersOnOneNode_causeNoFalseSequenceGapsElsewhere() throws Exception {
    List<String> reasons = new CopyOnWriteArrayList<>();
    a.onDeafness(reasons::add);
    List<Thread> publishers = new ArrayList<>();
    long until = System.nanoTime() + Duration.ofSeconds(2).toNanos();
    for (int i = 0; i < 8; i++) {
      boolean acknowledged = i % 2 == 0;
      publishers.add(
          Thread.ofVirtual()
              .start(
                  () -> {
                    while (System.nanoTime() < until) {
                      if (acknowledged) {
                        b.publishAndAwait("topic", "ack");
                      } else {
                        b.publish("topic", "fire");
                      }
                    }
                  }));
    }
    for (Thread t : publishers) {
      t.join();
    }
    assertThat(reasons)
        .as("B's messages reach A in the order of their sequence numbers")
        .noneMatch(r -> r.contains("sequence gap"));
  }

  @Test
  void sequenceGapFromAPublisher_makesTheNodeDistrustAndFlush() {
    List<String> reasons = new CopyOnWriteArrayList<>();
    a.onDeafness(reasons::add);
    String channel = prefix + "bus";
    redisB.sync().publish(channel, "v1|ghost-1|1|E|topic|x");
    redisB.sync().publish(channel, "v1|ghost-1|2|E|topic|y");
    redisB.sync().publish(channel, "v1|ghost-1|5|E|topic|z");

    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> reasons.stream().anyMatch(r -> r.contains("sequence gap from ghost-1")));
    // and it recovers by itself once its heartbeats are echoed again
    await().atMost(Duration.ofSeconds(5)).until(a::trusted);
  }

  @Test
  void killedPubSubConnection_isNoticed_andTrustReturnsAfterResubscribing() {
    List<String> reasons = new CopyOnWriteArrayList<>();
    a.onDeafness(reasons::add);
    redisB.sync().clientKill(KillArgs.Builder.typePubsub());

    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> reasons.stream().anyMatch(r -> r.contains("pub/sub link dropped")));
    await().atMost(Duration.ofSeconds(10)).until(() -> a.trusted() && b.trusted());
    assertThat(b.publishAndAwait("topic", "after").allAcknowledged()).isTrue();
  }
}
