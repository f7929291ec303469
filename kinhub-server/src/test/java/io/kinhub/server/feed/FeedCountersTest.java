package io.kinhub.server.feed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kinhub.server.app.Kinhub;
import io.kinhub.server.family.Families;
import io.kinhub.server.system.Api;
import io.kinhub.server.system.Api.User;
import io.kinhub.server.system.TestBackends;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Likes from 64 users at once on two nodes: the exact count in Redis at once, and in PostgreSQL
 * after the flush.
 */
class FeedCountersTest {
  private static Kinhub nodeA;
  private static Kinhub nodeB;
  private static Api a;
  private static Api b;

  @BeforeAll
  static void startTwoNodes() {
    String prefix = TestBackends.newPrefix();
    nodeA = TestBackends.get().startNode(prefix);
    nodeB = TestBackends.get().startNode(prefix);
    a = Api.of(nodeA);
    b = Api.of(nodeB);
  }

  @AfterAll
  static void stop() {
    nodeA.close();
    nodeB.close();
  }

  @BeforeEach
  void bothNodesTrustTheirCaches() {
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> nodeA.cacheTrusted() && nodeB.cacheTrusted());
  }

  private static String post(Api api, User user, String family, String text) {
    return FeedAcrossNodesTest.post(api, user, family, text);
  }

  private static long likeCountInPostgres(String postId) throws Exception {
    return FeedAcrossNodesTest.likeCountInPostgres(postId);
  }

  private static long rowCount(String sql) throws Exception {
    return FeedAcrossNodesTest.rowCount(sql);
  }

  @Test
  void sixtyFourConcurrentLikersOnTwoNodes_giveTheExactCountInRedisAndThenPostgres()
      throws Exception {
    User owner = a.newUser("Owner");
    String family = Families.create(a, owner, "Likers", true);
    String postId = post(a, owner, family, "like me");
    List<User> likers = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      likers.add((i % 2 == 0 ? a : b).newUser("Liker " + i));
    }
    ExecutorService pool = Executors.newFixedThreadPool(32);
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        User u = likers.get(i);
        Api api = i % 2 == 0 ? a : b;
        results.add(
            pool.submit(
                () -> {
                  assertThat(
                          api.put("/api/v1/posts/" + postId + "/like", u.token(), Map.of())
                              .status())
                      .isEqualTo(200);
                  return api.put("/api/v1/posts/" + postId + "/like", u.token(), Map.of())
                      .status(); // idempotent
                }));
      }
      for (Future<Integer> f : results) {
        assertThat(f.get(60, TimeUnit.SECONDS)).isEqualTo(200);
      }
      // 8 of them change their mind, concurrently, twice
      List<Future<Integer>> unlikes = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        User u = likers.get(i);
        unlikes.add(
            pool.submit(
                () -> {
                  b.delete("/api/v1/posts/" + postId + "/like", u.token());
                  return a.delete("/api/v1/posts/" + postId + "/like", u.token()).status();
                }));
      }
      for (Future<Integer> f : unlikes) {
        assertThat(f.get(60, TimeUnit.SECONDS)).isEqualTo(200);
      }
    } finally {
      pool.shutdownNow();
    }
    Api.Response read = b.get("/api/v1/posts/" + postId, likers.get(10).token());
    assertThat(read.json().get("likeCount").asLong()).isEqualTo(56);
    assertThat(read.json().get("likedByMe").asBoolean()).isTrue();
    assertThat(
            b.get("/api/v1/posts/" + postId, likers.get(1).token())
                .json()
                .get("likedByMe")
                .asBoolean())
        .isFalse();

    nodeA.feed().flushCountersNow();
    nodeB.feed().flushCountersNow();
    await().atMost(Duration.ofSeconds(20)).until(() -> likeCountInPostgres(postId) == 56);
    assertThat(rowCount("SELECT count(*) FROM post_like WHERE post_id = " + postId)).isEqualTo(56);
  }
}
