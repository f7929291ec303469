package io.kinhub.server.system;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kinhub.server.app.Kinhub;
import io.kinhub.server.config.Config;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two nodes on a real Redis Cluster (three masters, three replicas) given as {@code
 * redis-cluster://}: /health says {@code cluster}, the core flows work across the nodes (every
 * multi-key script's keys in one slot), and a master SIGKILLed under traffic — the one holding the
 * event bus' node registry — is survived: its replica takes over, the nodes follow the new
 * topology, and no session, logout or QR login a client was told about is lost.
 */
class RedisClusterTest {
  private static ClusterFixture cluster;
  private static Kinhub nodeA;
  private static Kinhub nodeB;
  private static String prefix;

  @BeforeAll
  static void start() {
    cluster = ClusterFixture.start();
    prefix = TestBackends.newPrefix();
    Map<String, String> env = TestBackends.get().env(prefix);
    env.put("KINHUB_REDIS_URL", cluster.url());
    env.put("KINHUB_DEV_ENDPOINTS", "true");
    env.put("KINHUB_RATE_LIMIT_SMS_CODES", "phone:1/60s,ip:1000000/1s");
    env.put("KINHUB_SESSIONS_PER_USER", "10000");
    env.put("KINHUB_PASSWORD_HASH_CONCURRENCY", "2");
    env.put("KINHUB_JOB_RETRY_BASE", "100ms");
    nodeA = Kinhub.start(Config.from(env));
    env.put("KINHUB_NODE_ID", env.get("KINHUB_NODE_ID") + "-b");
    nodeB = Kinhub.start(Config.from(env));
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable c : new AutoCloseable[] {nodeA, nodeB, cluster}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        // keep closing the rest
      }
    }
  }

  @Test
  void clusterUri_coreFlowsOnTwoNodes_andAMasterKilledUnderTrafficIsSurvived() {
    Api a = Api.of(nodeA);
    Api b = Api.of(nodeB);
    SentinelFixture.awaitUntil(
        Duration.ofSeconds(10),
        "both nodes to trust their caches",
        () -> nodeA.cacheTrusted() && nodeB.cacheTrusted());
    JsonNode health = a.get("/health", null).json().path("redis");
    assertThat(health.path("mode").asText()).isEqualTo("cluster");
    assertThat(health.path("runId").asText()).hasSize(40);
    assertThat(b.get("/health", null).json().path("redis").path("runId").asText())
        .isEqualTo(health.path("runId").asText());

    FailoverTraffic traffic = FailoverTraffic.start(a, b, 20);
    List<FailoverTraffic.Held> held;
    try {
      RedisProcess.sleep(2500);
      Api.Response ticket = a.post("/api/v1/qr-logins", null, Map.of("device", "in flight"));
      String id = ticket.json().get("id").asText();
      String secret = ticket.json().get("secret").asText();
      String phone =
          a.login(a.register(Api.newLogin(), "in flight password"), "in flight password");
      assertThat(b.post("/api/v1/qr-logins/" + id + "/scan", phone, Map.of()).status())
          .isEqualTo(200);

      cluster.killMasterOf(prefix + "bus:nodes");
      traffic.killedNow();

      SentinelFixture.awaitUntil(
          Duration.ofSeconds(10),
          "both nodes serving again after the replica took over",
          () -> cluster.healthy() && serving(a, nodeA) && serving(b, nodeB));
      // a failover inside the cluster is the same cluster
      assertThat(a.get("/health", null).json().path("redis").path("runId").asText())
          .isEqualTo(health.path("runId").asText());

      assertThat(b.post("/api/v1/qr-logins/" + id + "/confirm", phone, Map.of()).status())
          .isEqualTo(200);
      Api.Response redeemed = a.redeemQr(id, secret);
      assertThat(redeemed.status()).as(redeemed.text()).isEqualTo(201);
      assertThat(b.get("/api/v1/me", redeemed.json().get("token").asText()).status())
          .isEqualTo(200);
      RedisProcess.sleep(3000);
    } finally {
      traffic.close();
    }
    held = traffic.held();
    int lost = 0;
    List<String> lostOld = new ArrayList<>();
    for (FailoverTraffic.Held h : held) {
      boolean alive =
          a.get("/api/v1/me", h.token()).status() == 200
              && b.get("/api/v1/me", h.token()).status() == 200;
      if (!alive) {
        lost++;
        if (traffic.killedAt() - h.createdAt() > 1_000_000_000L) {
          lostOld.add(h.token().substring(0, 6));
        }
      }
    }
    System.out.println(
        traffic.summary(
            "cluster (master of the bus registry's slot SIGKILLed, its replica promoted)",
            held.size(),
            lost));

    assertThat(traffic.violations()).isEmpty();
    assertThat(lostOld).as("sessions older than 1 s at the kill that no longer work").isEmpty();
    assertThat(traffic.qrCompleted()).isPositive();
    assertThat(traffic.smsCompleted()).isPositive();
    assertThat(traffic.revocationsChecked()).isPositive();
    String token = a.login(a.register(Api.newLogin(), "after failover"), "after failover");
    assertThat(b.get("/api/v1/me", token).status()).isEqualTo(200);
    assertThat(b.delete("/api/v1/me/sessions/current", token).status()).isEqualTo(204);
    assertThat(a.get("/api/v1/me", token).status()).isEqualTo(401);
  }

  /**
   * The feed's keys share one hash tag, so its multi-key scripts work on a cluster (on one shard;
   * docs/feed.md).
   */
  @Test
  void feed_postsLikesCommentsAndTimelines_workOnTheCluster() {
    Api a = Api.of(nodeA);
    Api b = Api.of(nodeB);
    SentinelFixture.awaitUntil(
        Duration.ofSeconds(20), "both nodes serving", () -> serving(a, nodeA) && serving(b, nodeB));
    Api.User owner = a.newUser("Owner");
    Api.User member = b.newUser("Member");
    String family =
        a.post("/api/v1/families", owner.token(), Map.of("name", "Cluster family"))
            .json()
            .get("id")
            .asText();
    String code =
        a.post("/api/v1/families/" + family + "/invitations", owner.token(), Map.of())
            .json()
            .get("code")
            .asText();
    assertThat(b.post("/api/v1/invitations/" + code + "/accept", member.token(), Map.of()).status())
        .isEqualTo(200);
    assertThat(b.get("/api/v1/feed", member.token()).status())
        .isEqualTo(200); // builds the member's timeline

    Api.Response post =
        a.post(
            "/api/v1/families/" + family + "/posts",
            owner.token(),
            Map.of("text", "族谱 on a cluster"));
    assertThat(post.status()).as(post.text()).isEqualTo(201);
    String postId = post.json().get("id").asText();
    SentinelFixture.awaitUntil(
        Duration.ofSeconds(10),
        "the post in the member's feed",
        () -> {
          Api.Response feed = b.get("/api/v1/feed", member.token());
          return feed.status() == 200
              && feed.json().get("items").size() == 1
              && feed.json().get("items").get(0).get("id").asText().equals(postId);
        });
    Api.Response like = b.put("/api/v1/posts/" + postId + "/like", member.token(), Map.of());
    assertThat(like.status()).as(like.text()).isEqualTo(200);
    assertThat(like.json().get("likeCount").asInt()).isEqualTo(1);
    assertThat(
            a.post("/api/v1/posts/" + postId + "/comments", member.token(), Map.of("text", "好"))
                .status())
        .isEqualTo(201);
    Api.Response read = a.get("/api/v1/posts/" + postId, owner.token());
    assertThat(read.json().get("likeCount").asInt()).isEqualTo(1);
    assertThat(read.json().get("commentCount").asInt()).isEqualTo(1);
    assertThat(a.delete("/api/v1/posts/" + postId, owner.token()).status()).isEqualTo(204);
    assertThat(b.get("/api/v1/feed", member.token()).json().get("items").size()).isZero();
  }

  private static boolean serving(Api api, Kinhub node) {
    if (api.get("/health", null).status() != 200 || !node.cacheTrusted()) {
      return false;
    }
    Api.Response created =
        api.post(
            "/api/v1/accounts",
            null,
            Map.of(
                "login", Api.newLogin(), "password", "recovered password", "displayName", "Probe"));
    if (created.status() != 201) {
      return false;
    }
    Api.Response login =
        api.post(
            "/api/v1/sessions",
            null,
            Map.of(
                "login", created.json().get("login").asText(), "password", "recovered password"));
    return login.status() == 201
        && api.get("/api/v1/me", login.json().get("token").asText()).status() == 200;
  }
}
