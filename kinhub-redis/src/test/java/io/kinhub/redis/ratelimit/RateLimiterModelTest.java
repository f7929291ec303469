package io.kinhub.redis.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.kinhub.redis.TestRedis;
import io.kinhub.redis.connection.RedisConnections;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The limiter's script against a reference model over random request sequences: buckets so slow
 * (one token per hours) that nothing refills while the test runs, so every decision, every
 * remaining count and (to within the test's run time) every retry and until-full time is known
 * exactly beforehand.
 */
class RateLimiterModelTest {
  private static final int SEQUENCES = 60;
  private static final int REQUESTS_PER_SEQUENCE = 30;

  /**
   * More than the test can take: the model ignores refill, so times may lag the model by at most
   * this.
   */
  private static final Duration SLACK = Duration.ofMinutes(2);

  private RedisConnections redis;

  @BeforeEach
  void connect() {
    redis = TestRedis.get().connect(TestRedis.newPrefix());
  }

  @AfterEach
  void close() {
    redis.close();
  }

  /** A bucket of the model: what it was charged so far. */
  private static final class ModelBucket {
    final Bucket bucket;
    long charged;

    ModelBucket(Bucket bucket) {
      this.bucket = bucket;
    }

    long capacity() {
      return bucket.bandwidth().capacity();
    }

    Duration interval() {
      return bucket.bandwidth().period().dividedBy(capacity());
    }
  }

  @Test
  void randomRequestSequences_decideAsTheReferenceModel() {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    RateLimiter limiter = new RateLimiter(redis);
    for (int s = 0; s < SEQUENCES; s++) {
      String group = "model-" + s;
      List<ModelBucket> pool = new ArrayList<>();
      for (int b = 0; b < 5; b++) {
        long capacity = 1 + random.nextInt(6);
        // a whole number of milliseconds per token: every sum in the script is then an exact
        // integer in microseconds
        Duration period =
            Duration.ofHours(2 + random.nextInt(5))
                .plusMillis(random.nextInt(1000))
                .multipliedBy(capacity);
        pool.add(
            new ModelBucket(new Bucket("p" + (b % 2), "k" + b, Bandwidth.of(capacity, period))));
      }
      for (int r = 0; r < REQUESTS_PER_SEQUENCE; r++) {
        List<ModelBucket> shuffled = new ArrayList<>(pool);
        Collections.shuffle(shuffled, random);
        List<ModelBucket> asked = shuffled.subList(0, 1 + random.nextInt(3));
        long tokens = 1 + random.nextInt(4);
        String what =
            "seed "
                + seed
                + ", sequence "
                + s
                + ", request "
                + r
                + ": "
                + tokens
                + " token(s) of "
                + asked.stream()
                    .map(
                        m ->
                            m.bucket.key() + " (C " + m.capacity() + ", charged " + m.charged + ")")
                    .toList();

        Decision decision =
            limiter.tryConsume(group, asked.stream().map(m -> m.bucket).toList(), tokens);

        boolean never = asked.stream().anyMatch(m -> tokens > m.capacity());
        Duration wait = Duration.ZERO;
        for (ModelBucket m : asked) {
          long over = m.charged + tokens - m.capacity();
          if (over > 0) {
            Duration w = m.interval().multipliedBy(over);
            wait = w.compareTo(wait) > 0 ? w : wait;
          }
        }
        boolean allowed = !never && wait.isZero();
        assertThat(decision.allowed()).as(what).isEqualTo(allowed);
        if (never) {
          assertThat(decision.retryAfter()).as(what).isEqualTo(Decision.NEVER);
        } else if (!allowed) {
          assertThat(decision.retryAfter()).as(what).isBetween(wait.minus(SLACK), wait);
        }
        if (allowed) {
          asked.forEach(m -> m.charged += tokens);
        }
        Map<Bucket, Decision.BucketState> states = new HashMap<>();
        decision.buckets().forEach(state -> states.put(state.bucket(), state));
        assertThat(decision.buckets()).as(what).hasSize(asked.size());
        for (ModelBucket m : asked) {
          Decision.BucketState state = states.get(m.bucket);
          assertThat(state.remaining())
              .as(what + ", remaining of " + m.bucket.key())
              .isEqualTo(m.capacity() - m.charged);
          Duration untilFull = m.interval().multipliedBy(m.charged);
          assertThat(state.untilFull())
              .as(what + ", until full of " + m.bucket.key())
              .isBetween(
                  untilFull.minus(SLACK).isNegative() ? Duration.ZERO : untilFull.minus(SLACK),
                  untilFull);
        }
      }
    }
  }
}
