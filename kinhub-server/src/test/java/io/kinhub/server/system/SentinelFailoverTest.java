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
 * Two nodes on a real Sentinel deployment (master, replica, three sentinels) under client traffic;
 * the master is SIGKILLed. The service must come back by itself within 10 s on both nodes
 * (reconnected to the promoted replica, the event bus resubscribed and trusted again, Lua scripts
 * reloaded), and nothing a client was told succeeded may be lost: sessions, logouts, QR logins in
 * flight.
 */
class SentinelFailoverTest {
  private static SentinelFixture redis;
  private static Kinhub nodeA;
  private static Kinhub nodeB;

  @BeforeAll
  static void start() {
    redis = SentinelFixture.start();
    Map<String, String> env = TestBackends.get().env(TestBackends.newPrefix());
    env.put("KINHUB_REDIS_URL", redis.url());
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
    for (AutoCloseable c : new AutoCloseable[] {nodeA, nodeB, redis}) {
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
  void masterKilledDuringTraffic_serviceRecoversWithin10s_andNoLoginOrLogoutIsLost() {
    Api a = Api.of(nodeA);
    Api b = Api.of(nodeB);
    SentinelFixture.awaitUntil(
        Duration.ofSeconds(10),
        "both nodes to trust their caches",
        () -> nodeA.cacheTrusted() && nodeB.cacheTrusted());
    String oldRunId = a.get("/health", null).json().path("redis").path("runId").asText();
    assertThat(oldRunId).isNotEmpty();

    FailoverTraffic traffic = FailoverTraffic.start(a, b, 20);
    List<String> violations;
    int lost = 0;
    List<FailoverTraffic.Held> held;
    try {
      RedisProcess.sleep(2500); // traffic before the kill; the seed sessions are now older than 1 s
      // a QR login in flight across the kill: scanned before, confirmed and redeemed after
      Api.Response ticket = a.post("/api/v1/qr-logins", null, Map.of("device", "in flight"));
      String id = ticket.json().get("id").asText();
      String secret = ticket.json().get("secret").asText();
      String phone =
          a.login(a.register(Api.newLogin(), "in flight password"), "in flight password");
      assertThat(b.post("/api/v1/qr-logins/" + id + "/scan", phone, Map.of()).status())
          .isEqualTo(200);

      redis.killMaster();
      traffic.killedNow();

      SentinelFixture.awaitUntil(
          Duration.ofSeconds(10),
          "both nodes serving again on the promoted replica",
          () -> serving(a, oldRunId, nodeA) && serving(b, oldRunId, nodeB));

      assertThat(b.post("/api/v1/qr-logins/" + id + "/confirm", phone, Map.of()).status())
          .isEqualTo(200);
      Api.Response redeemed = a.redeemQr(id, secret);
      assertThat(redeemed.status()).as(redeemed.text()).isEqualTo(201);
      assertThat(b.get("/api/v1/me", redeemed.json().get("token").asText()).status())
          .isEqualTo(200);

      RedisProcess.sleep(3000); // traffic after the recovery
    } finally {
      traffic.close();
    }
    violations = traffic.violations();
    held = traffic.held();
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
        traffic.summary("sentinel (master SIGKILLed, replica promoted)", held.size(), lost));

    assertThat(violations).isEmpty();
    assertThat(lostOld).as("sessions older than 1 s at the kill that no longer work").isEmpty();
    assertThat(traffic.qrCompleted()).isPositive();
    assertThat(traffic.smsCompleted()).isPositive();
    assertThat(traffic.revocationsChecked()).isPositive();
    // revocation still reaches the other node at once after the failover
    String token = a.login(a.register(Api.newLogin(), "after failover"), "after failover");
    assertThat(a.get("/api/v1/me", token).status()).isEqualTo(200);
    assertThat(b.delete("/api/v1/me/sessions/current", token).status()).isEqualTo(204);
    assertThat(a.get("/api/v1/me", token).status()).isEqualTo(401);
  }

  /** Health 200 on the new master, cache trusted again, and a login through this node works. */
  private static boolean serving(Api api, String oldRunId, Kinhub node) {
    Api.Response health = api.get("/health", null);
    JsonNode r = health.json().path("redis");
    if (health.status() != 200
        || r.path("runId").asText().equals(oldRunId)
        || !node.cacheTrusted()) {
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
