package io.kinhub.server.feed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.kinhub.server.app.Kinhub;
import io.kinhub.server.family.Families;
import io.kinhub.server.qrlogin.WsRecorder;
import io.kinhub.server.system.Api;
import io.kinhub.server.system.Api.User;
import io.kinhub.server.system.TestBackends;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The feed through real HTTP on two nodes sharing one Redis and one PostgreSQL. */
class FeedAcrossNodesTest {
  private static Kinhub nodeA;
  private static Kinhub nodeB;
  private static Api a;
  private static Api b;
  private static String prefix;

  @BeforeAll
  static void startTwoNodes() {
    prefix = TestBackends.newPrefix();
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

  static String post(Api api, User user, String family, String text) {
    Api.Response r =
        api.post("/api/v1/families/" + family + "/posts", user.token(), Map.of("text", text));
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    return r.json().get("id").asText();
  }

  /** Every id of the user's feed, page by page (alternating nodes), in the order served. */
  private static List<String> readWholeFeed(User user, int pageSize) {
    List<String> ids = new ArrayList<>();
    String cursor = null;
    for (int page = 0; page < 1000; page++) {
      Api api = page % 2 == 0 ? a : b;
      Api.Response r =
          api.get(
              "/api/v1/feed?limit=" + pageSize + (cursor == null ? "" : "&before=" + cursor),
              user.token());
      assertThat(r.status()).as(r.text()).isEqualTo(200);
      r.json().get("items").forEach(item -> ids.add(item.get("id").asText()));
      JsonNode next = r.json().get("next");
      if (next.isNull()) {
        return ids;
      }
      cursor = next.asText();
    }
    throw new AssertionError("feed did not end");
  }

  private static void assertStrictlyNewestFirst(List<String> ids) {
    for (int i = 1; i < ids.size(); i++) {
      assertThat(Long.parseLong(ids.get(i)))
          .as("position %d of %s", i, ids)
          .isLessThan(Long.parseLong(ids.get(i - 1)));
    }
  }

  @Test
  void sixteenConcurrentPostersOnTwoNodes_feedPagesNeverRepeatOrSkip() throws Exception {
    User owner = a.newUser("Owner");
    String family = Families.create(a, owner, "Posters", false);
    List<User> posters = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      User u = (i % 2 == 0 ? a : b).newUser("Poster " + i);
      Families.join(a, owner, family, u);
      posters.add(u);
    }
    User reader = b.newUser("Reader");
    Families.join(a, owner, family, reader);
    assertThat(readWholeFeed(reader, 20))
        .isEmpty(); // builds the reader's timeline: fan-out reaches it from now on

    Set<String> posted = ConcurrentHashMap.newKeySet();
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        User u = posters.get(i);
        Api api = i % 2 == 0 ? a : b;
        done.add(
            pool.submit(
                () -> {
                  for (int n = 0; n < 5; n++) {
                    posted.add(post(api, u, family, u.displayName() + " #" + n));
                  }
                }));
      }
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> new HashSet<>(readWholeFeed(reader, 100)).containsAll(posted));

      // page through while a second wave of posts arrives: no repeats, strict order, nothing of the
      // first wave missing
      List<Future<?>> wave = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        User u = posters.get(i);
        Api api = i % 2 == 0 ? b : a;
        wave.add(
            pool.submit(
                () -> {
                  for (int n = 0; n < 2; n++) {
                    post(api, u, family, "second wave");
                  }
                }));
      }
      List<String> paged = readWholeFeed(reader, 7);
      for (Future<?> f : wave) {
        f.get(60, TimeUnit.SECONDS);
      }
      assertStrictlyNewestFirst(paged);
      assertThat(new HashSet<>(paged)).hasSize(paged.size()).containsAll(posted);
    } finally {
      pool.shutdownNow();
    }
    // the family's own list agrees, page by page
    List<String> familyIds = new ArrayList<>();
    String cursor = null;
    do {
      Api.Response r =
          a.get(
              "/api/v1/families/"
                  + family
                  + "/posts?limit=9"
                  + (cursor == null ? "" : "&before=" + cursor),
              reader.token());
      assertThat(r.status()).isEqualTo(200);
      r.json().get("items").forEach(item -> familyIds.add(item.get("id").asText()));
      cursor = r.json().get("next").isNull() ? null : r.json().get("next").asText();
    } while (cursor != null);
    assertStrictlyNewestFirst(familyIds);
    assertThat(familyIds).hasSize(16 * 5 + 16 * 2).containsAll(posted);
  }

  @Test
  void deletedPost_vanishesFromEveryTimeline_andAnOpenLiveSocketGetsPostDeleted() throws Exception {
    User owner = a.newUser("Owner");
    User member = b.newUser("Member");
    String family = Families.create(a, owner, "Deleters", false);
    Families.join(a, owner, family, member);
    readWholeFeed(member, 20);
    readWholeFeed(owner, 20);
    String postId = post(b, member, family, "soon gone");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                readWholeFeed(owner, 20).contains(postId)
                    && readWholeFeed(member, 20).contains(postId));
    WsRecorder live = WsRecorder.connect(liveUrl(nodeA, owner));
    try {
      assertThat(live.next().get("type").asText()).isEqualTo("hello");

      Api.Response forbidden = a.delete("/api/v1/posts/" + postId, b.newUser("Stranger").token());
      assertThat(forbidden.status()).isEqualTo(404);
      Api.Response deleted =
          a.delete(
              "/api/v1/posts/" + postId, owner.token()); // the originator may delete anyone's post
      assertThat(deleted.status()).as(deleted.text()).isEqualTo(204);

      assertThat(readWholeFeed(owner, 20)).doesNotContain(postId);
      assertThat(readWholeFeed(member, 20)).doesNotContain(postId);
      assertThat(b.get("/api/v1/posts/" + postId, member.token()).status()).isEqualTo(404);
      assertThat(a.get("/api/v1/posts/" + postId, owner.token()).status()).isEqualTo(404);
      JsonNode frame = nextOfType(live, "post_deleted");
      assertThat(frame.get("postId").asText()).isEqualTo(postId);
    } finally {
      live.close();
    }
  }

  @Test
  void followedAuthor_reachesMyFeedOnlyFromPublicFamilies_andUnfollowStopsDelivery() {
    User author = a.newUser("Author");
    User fan = b.newUser("Fan");
    User otherFan = b.newUser("Other fan");
    String open = Families.create(a, author, "Open", true);
    String closed = Families.create(a, author, "Closed", false);
    readWholeFeed(fan, 20);
    readWholeFeed(otherFan, 20);
    assertThat(
            b.put("/api/v1/users/" + author.id() + "/follow", fan.token(), Map.of())
                .json()
                .get("following")
                .asBoolean())
        .isTrue();
    assertThat(
            a.put("/api/v1/users/" + author.id() + "/follow", otherFan.token(), Map.of()).status())
        .isEqualTo(200);
    Api.Response profile = a.get("/api/v1/users/" + author.id(), fan.token());
    assertThat(profile.json().get("followerCount").asLong()).isEqualTo(2);
    assertThat(profile.json().get("followedByMe").asBoolean()).isTrue();
    assertThat(a.put("/api/v1/users/" + fan.id() + "/follow", fan.token(), Map.of()).status())
        .isEqualTo(400);

    String publicPost = post(a, author, open, "for everyone");
    String privatePost = post(a, author, closed, "for the family");
    await().atMost(Duration.ofSeconds(10)).until(() -> readWholeFeed(fan, 20).contains(publicPost));
    assertThat(readWholeFeed(fan, 20)).doesNotContain(privatePost);

    assertThat(
            b.delete("/api/v1/users/" + author.id() + "/follow", fan.token())
                .json()
                .get("following")
                .asBoolean())
        .isFalse();
    assertThat(
            a.get("/api/v1/users/" + author.id(), fan.token()).json().get("followerCount").asLong())
        .isEqualTo(1);
    String later = post(b, author, open, "after the unfollow");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> readWholeFeed(otherFan, 20).contains(later)); // fan-out is done
    assertThat(readWholeFeed(fan, 20)).doesNotContain(later);
  }

  @Test
  void commentOnMyPost_isANotification_storedAndDeliveredLive() throws Exception {
    User owner = a.newUser("Owner");
    User cousin = b.newUser("Cousin");
    String family = Families.create(a, owner, "Talkers", false);
    Families.join(a, owner, family, cousin);
    String postId = post(a, owner, family, "what do you think?");
    WsRecorder live = WsRecorder.connect(liveUrl(nodeA, owner));
    try {
      assertThat(live.next().get("type").asText()).isEqualTo("hello");
      Api.Response c =
          b.post(
              "/api/v1/posts/" + postId + "/comments",
              cousin.token(),
              Map.of("text", "Looks great"));
      assertThat(c.status()).as(c.text()).isEqualTo(201);
      assertThat(c.json().get("author").get("displayName").asText()).isEqualTo("Cousin");
      assertThat(
              b.post(
                      "/api/v1/posts/" + postId + "/comments",
                      cousin.token(),
                      Map.of("text", "x".repeat(2001)))
                  .status())
          .isEqualTo(400);

      JsonNode comment = nextOfType(live, "comment");
      assertThat(comment.get("comment").get("text").asText()).isEqualTo("Looks great");
      JsonNode notification = nextOfType(live, "notification");
      assertThat(notification.get("notification").get("type").asText()).isEqualTo("comment");

      Api.Response list = a.get("/api/v1/notifications", owner.token());
      assertThat(list.json().get("unreadCount").asLong()).isEqualTo(1);
      assertThat(list.json().get("items").get(0).get("postId").asText()).isEqualTo(postId);
      assertThat(
              a.post("/api/v1/notifications/read", owner.token(), Map.of())
                  .json()
                  .get("unreadCount")
                  .asLong())
          .isZero();
      Api.Response comments = a.get("/api/v1/posts/" + postId + "/comments", owner.token());
      assertThat(comments.json().get("items")).hasSize(1);
      assertThat(
              a.get("/api/v1/posts/" + postId, owner.token()).json().get("commentCount").asLong())
          .isEqualTo(1);
    } finally {
      live.close();
    }
  }

  @Test
  void expiredTimeline_isRebuiltOnce_andConcurrentReadersMeanwhileNeverSeeAnEmptyFeed()
      throws Exception {
    User owner = a.newUser("Owner");
    User returning = b.newUser("Returning");
    String family = Families.create(a, owner, "Returners", false);
    Families.join(a, owner, family, returning);
    List<String> posted = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      posted.add(0, post(i % 2 == 0 ? a : b, owner, family, "post " + i));
    }
    assertThat(readWholeFeed(returning, 50)).isEqualTo(posted);
    try (var admin = TestBackends.get().connectRedis()) {
      for (int round = 0; round < 3; round++) {
        admin
            .sync()
            .del(
                prefix + "{feed}:tl:" + returning.id()); // the timeline expired (the user was away)
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
          List<Future<List<String>>> reads = new ArrayList<>();
          for (int i = 0; i < 8; i++) {
            Api api = i % 2 == 0 ? a : b;
            reads.add(
                pool.submit(
                    () -> {
                      List<String> ids = new ArrayList<>();
                      api.get("/api/v1/feed?limit=50", returning.token())
                          .json()
                          .get("items")
                          .forEach(item -> ids.add(item.get("id").asText()));
                      return ids;
                    }));
          }
          for (Future<List<String>> r : reads) {
            assertThat(r.get(30, TimeUnit.SECONDS)).isEqualTo(posted);
          }
        } finally {
          pool.shutdownNow();
        }
        assertThat(admin.sync().zscore(prefix + "{feed}:tl:" + returning.id(), "0"))
            .as("rebuilt")
            .isNotNull();
      }
    }
  }

  @Test
  void badInput_isA400Or404_neverA500() {
    User owner = a.newUser("Owner");
    String family = Families.create(a, owner, "Strict", false);
    String path = "/api/v1/families/" + family + "/posts";
    assertThat(a.post(path, owner.token(), Map.of("text", "")).status()).isEqualTo(400);
    assertThat(a.post(path, owner.token(), Map.of("text", "x".repeat(5001))).status())
        .isEqualTo(400);
    assertThat(a.post(path, owner.token(), Map.of("text", "😀".repeat(5000))).status())
        .isEqualTo(201);
    assertThat(a.get(path + "?before=abc", owner.token()).status()).isEqualTo(400);
    assertThat(a.get("/api/v1/feed?limit=0", owner.token()).status()).isEqualTo(400);
    assertThat(a.get("/api/v1/feed?limit=101", owner.token()).status()).isEqualTo(400);
    assertThat(a.get("/api/v1/posts/99999999999", owner.token()).status()).isEqualTo(404);
    assertThat(a.get("/api/v1/posts/x", owner.token()).status()).isEqualTo(404);
    assertThat(a.post(path, a.newUser("Stranger").token(), Map.of("text", "hi")).status())
        .isEqualTo(403);
    assertThat(a.get("/api/v1/feed", null).status()).isEqualTo(401);
    assertThat(a.get("/api/v1/users/99999999999", owner.token()).status()).isEqualTo(404);
  }

  static String liveUrl(Kinhub node, User user) {
    Api.Response t = Api.of(node).post("/api/v1/live-tickets", user.token(), Map.of());
    assertThat(t.status()).as(t.text()).isEqualTo(201);
    return node.baseUrl().replaceFirst("^http", "ws")
        + "/ws/live?ticket="
        + t.json().get("ticket").asText();
  }

  static JsonNode nextOfType(WsRecorder live, String type) throws InterruptedException {
    for (int i = 0; i < 100; i++) {
      JsonNode m = live.next();
      if (m.get("type").asText().equals(type)) {
        return m;
      }
    }
    throw new AssertionError("no " + type + " frame");
  }

  static long likeCountInPostgres(String postId) throws Exception {
    return rowCount("SELECT like_count FROM post WHERE id = " + postId);
  }

  static long rowCount(String sql) throws Exception {
    try (Connection c = DriverManager.getConnection(TestBackends.get().databaseUrl());
        ResultSet rs = c.createStatement().executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
