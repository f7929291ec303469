package io.kinhub.server.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kinhub.server.app.Kinhub;
import io.kinhub.server.system.Api;
import io.kinhub.server.system.Metrics;
import io.kinhub.server.system.TestBackends;
import io.lettuce.core.KillArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The revocation guarantee through real HTTP on two nodes sharing one Redis and one PostgreSQL:
 * once a revoking call on node B has returned, node A refuses the old token, although A had it in
 * its near cache.
 */
class RevocationAcrossNodesTest {
  private static final String PASSWORD = "correct horse battery";
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

  /** Logs in on A and uses the token on A until A serves it from its near cache. */
  private static String warmTokenOnA(String login) {
    String token = a.login(login, PASSWORD);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              double before = Metrics.sum(a, "kinhub_nearcache_requests_total", "result=\"hit\"");
              assertThat(a.get("/api/v1/me", token).status()).isEqualTo(200);
              return Metrics.sum(a, "kinhub_nearcache_requests_total", "result=\"hit\"") > before;
            });
    return token;
  }

  @Test
  void passwordChangeOnB_tokenWarmOnA_isRefusedByAAtOnce() {
    String login = a.register(Api.newLogin(), PASSWORD);
    String token = warmTokenOnA(login);

    Api.Response changed =
        b.put(
            "/api/v1/me/password",
            token,
            Map.of("currentPassword", PASSWORD, "newPassword", "a new password 2"));

    assertThat(changed.status()).isEqualTo(200);
    assertThat(a.get("/api/v1/me", token).status()).isEqualTo(401);
    String fresh = changed.json().get("token").asText();
    assertThat(a.get("/api/v1/me", fresh).status()).isEqualTo(200);
    assertThat(
            a.post("/api/v1/sessions", null, Map.of("login", login, "password", PASSWORD)).status())
        .isEqualTo(401);
  }

  @Test
  void passwordChangeOnB_afterPubSubLinksKilled_isRefusedByAAtOnce() {
    String login = a.register(Api.newLogin(), PASSWORD);
    String token = warmTokenOnA(login);

    try (StatefulRedisConnection<String, String> admin = TestBackends.get().connectRedis()) {
      admin.sync().clientKill(KillArgs.Builder.typePubsub());
    }
    Api.Response changed =
        b.put(
            "/api/v1/me/password",
            token,
            Map.of("currentPassword", PASSWORD, "newPassword", "another password"));

    assertThat(changed.status()).isEqualTo(200);
    assertThat(a.get("/api/v1/me", token).status()).isEqualTo(401);
    // and the nodes become whole again by themselves
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> nodeA.cacheTrusted() && nodeB.cacheTrusted());
    assertThat(a.get("/api/v1/me", changed.json().get("token").asText()).status()).isEqualTo(200);
  }

  @Test
  void kickOnB_sessionWarmOnA_isRefusedByAAtOnce() {
    String login = a.register(Api.newLogin(), PASSWORD);
    String victim = warmTokenOnA(login);
    String other = b.login(login, PASSWORD);
    String victimId = currentSessionId(victim);

    assertThat(b.delete("/api/v1/me/sessions/" + victimId, other).status()).isEqualTo(204);

    assertThat(a.get("/api/v1/me", victim).status()).isEqualTo(401);
    assertThat(a.get("/api/v1/me", other).status()).isEqualTo(200);
  }

  @Test
  void kickAfterPubSubLinksKilled_isRefusedByAAtOnce() {
    String login = a.register(Api.newLogin(), PASSWORD);
    String victim = warmTokenOnA(login);
    String other = b.login(login, PASSWORD);
    String victimId = currentSessionId(victim);

    try (StatefulRedisConnection<String, String> admin = TestBackends.get().connectRedis()) {
      admin.sync().clientKill(KillArgs.Builder.typePubsub());
    }
    assertThat(b.delete("/api/v1/me/sessions/" + victimId, other).status()).isEqualTo(204);

    assertThat(a.get("/api/v1/me", victim).status()).isEqualTo(401);
  }

  @Test
  void logOutEverywhereOnB_refusesEveryTokenOnAAtOnce() {
    String login = a.register(Api.newLogin(), PASSWORD);
    String first = warmTokenOnA(login);
    String second = warmTokenOnA(login);

    assertThat(b.delete("/api/v1/me/sessions", second).status()).isEqualTo(204);

    assertThat(a.get("/api/v1/me", first).status()).isEqualTo(401);
    assertThat(a.get("/api/v1/me", second).status()).isEqualTo(401);
  }

  @Test
  void logOutEverywhereAfterPubSubLinksKilled_refusesEveryTokenOnAAtOnce() {
    String login = a.register(Api.newLogin(), PASSWORD);
    String first = warmTokenOnA(login);
    String second = warmTokenOnA(login);

    try (StatefulRedisConnection<String, String> admin = TestBackends.get().connectRedis()) {
      admin.sync().clientKill(KillArgs.Builder.typePubsub());
    }
    assertThat(b.delete("/api/v1/me/sessions", second).status()).isEqualTo(204);

    assertThat(a.get("/api/v1/me", first).status()).isEqualTo(401);
    assertThat(a.get("/api/v1/me", second).status()).isEqualTo(401);
  }

  @Test
  void logoutOnB_refusesTheTokenOnAAtOnce() {
    String login = a.register(Api.newLogin(), PASSWORD);
    String token = warmTokenOnA(login);

    assertThat(b.delete("/api/v1/me/sessions/current", token).status()).isEqualTo(204);

    assertThat(a.get("/api/v1/me", token).status()).isEqualTo(401);
  }

  private static String currentSessionId(String token) {
    for (var s : a.get("/api/v1/me/sessions", token).json().get("sessions")) {
      if (s.get("current").asBoolean()) {
        return s.get("id").asText();
      }
    }
    throw new AssertionError("no current session");
  }
}
