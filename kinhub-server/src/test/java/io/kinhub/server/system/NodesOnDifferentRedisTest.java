package io.kinhub.server.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.kinhub.server.app.Kinhub;
import io.kinhub.server.backing.EmbeddedRedis;
import io.kinhub.server.config.Config;
import io.kinhub.server.http.OpenSockets;
import io.kinhub.server.http.Problem;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stale-configuration incident: after a change of Redis, one node (the WebSocket server) still
 * held the old Redis address, and QR pages on it refreshed forever. Two nodes of one deployment
 * (one PostgreSQL, one key prefix) on two different Redis servers must both say so on {@code
 * /health} and refuse QR logins loudly, until the wrong one is fixed.
 */
class NodesOnDifferentRedisTest {

  private static Map<String, String> env(String prefix, String nodeId) {
    Map<String, String> env = TestBackends.get().env(prefix);
    env.put("KINHUB_NODE_ID", nodeId);
    env.put("KINHUB_NODE_HEARTBEAT", "200ms");
    env.put("KINHUB_NODE_STALE_AFTER", "3s");
    env.put("KINHUB_REDIS_TIMEOUT", "5s"); // a busy CI machine; nothing here measures Redis
    return env;
  }

  @Test
  void
      nodesOnTwoRedis_bothAnswer503DegradedNamingEachOther_andRefuseQrLogins_untilTheStaleNodeIsFixed(
          @TempDir Path dir) throws Exception {
    String prefix = TestBackends.newPrefix();
    String suffix = prefix.substring(1, 7);
    String rightId = "http-" + suffix;
    String staleId = "ws-" + suffix;
    List<AutoCloseable> started = new ArrayList<>();
    try (EmbeddedRedis oldRedis = EmbeddedRedis.start(dir.resolve("old-redis"))) {
      Kinhub right = Kinhub.start(Config.from(env(prefix, rightId)));
      started.add(right);
      Api onRight = Api.of(right);
      // a browser already waiting for its phone on the good node
      JsonNode ticket = onRight.post("/api/v1/qr-logins", null, Map.of()).json();
      ClosingSocket waiting = ClosingSocket.connect(ticket.get("wsUrl").asText());

      Map<String, String> staleEnv = env(prefix, staleId);
      staleEnv.put("KINHUB_REDIS_URL", oldRedis.url());
      Kinhub stale = Kinhub.start(Config.from(staleEnv));
      started.add(stale);
      Api onStale = Api.of(stale);
      String rightRunId = onRight.get("/health", null).json().get("redis").get("runId").asText();
      String staleRunId = onStale.get("/health", null).json().get("redis").get("runId").asText();
      assertThat(rightRunId).isNotEmpty().isNotEqualTo(staleRunId);

      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                for (Api api : List.of(onRight, onStale)) {
                  Api.Response health = api.get("/health", null);
                  assertThat(health.status()).as(health.text()).isEqualTo(503);
                  assertThat(health.json().get("status").asText()).isEqualTo("degraded");
                  assertThat(health.json().get("consistent").asBoolean()).isFalse();
                  assertThat(health.json().get("nodes")).hasSize(2);
                  String problems = health.json().get("problems").toString();
                  assertThat(problems).contains(rightId, staleId, rightRunId, staleRunId);
                }
              });
      // the page that was waiting is told at once instead of refreshing forever (1013 Try Again
      // Later)
      assertThat(waiting.closed().get(10, TimeUnit.SECONDS)).isEqualTo(OpenSockets.TRY_AGAIN_LATER);
      for (Api api : List.of(onRight, onStale)) {
        Api.Response created = api.post("/api/v1/qr-logins", null, Map.of());
        assertThat(created.status()).as(created.text()).isEqualTo(503);
        assertThat(created.json().get("code").asText()).isEqualTo(Problem.NODE_DEGRADED);
        Api.Response polled =
            api.pollQr(ticket.get("id").asText(), ticket.get("secret").asText(), "");
        assertThat(polled.json().get("code").asText()).isEqualTo(Problem.NODE_DEGRADED);
      }

      // the operator stops the stale node: its peer recovers
      stale.close();
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                Api.Response health = onRight.get("/health", null);
                assertThat(health.status()).as(health.text()).isEqualTo(200);
                assertThat(health.json().get("consistent").asBoolean()).isTrue();
                assertThat(health.json().has("problems")).isFalse();
              });
      assertThat(onRight.post("/api/v1/qr-logins", null, Map.of()).status()).isEqualTo(201);

      // and restarts it with the right Redis: both consistent, both list both
      Kinhub fixed = Kinhub.start(Config.from(env(prefix, staleId)));
      started.add(fixed);
      Api onFixed = Api.of(fixed);
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                for (Api api : List.of(onRight, onFixed)) {
                  Api.Response health = api.get("/health", null);
                  assertThat(health.status()).as(health.text()).isEqualTo(200);
                  assertThat(health.json().get("status").asText()).isEqualTo("up");
                  assertThat(health.json().get("consistent").asBoolean()).isTrue();
                  List<String> names = new ArrayList<>();
                  health.json().get("nodes").forEach(n -> names.add(n.get("node").asText()));
                  assertThat(names).containsExactly(rightId, staleId);
                  health
                      .json()
                      .get("nodes")
                      .forEach(
                          n ->
                              assertThat(n.get("redis").get("runId").asText())
                                  .isEqualTo(rightRunId));
                }
              });
      assertThat(onFixed.post("/api/v1/qr-logins", null, Map.of()).status()).isEqualTo(201);
    } finally {
      for (AutoCloseable c : started.reversed()) {
        c.close();
      }
    }
  }

  @Test
  void aRedisRestart_changesEveryNodesRunId_withoutDegradingAnyNode(@TempDir Path dir)
      throws Exception {
    String prefix = TestBackends.newPrefix();
    EmbeddedRedis redis = EmbeddedRedis.start(dir.resolve("redis"));
    int port = redis.port();
    Map<String, String> envA = env(prefix, "a-" + prefix.substring(1, 7));
    envA.put("KINHUB_REDIS_URL", redis.url());
    Map<String, String> envB = new HashMap<>(envA);
    envB.put("KINHUB_NODE_ID", "b-" + prefix.substring(1, 7));
    try (Kinhub a = Kinhub.start(Config.from(envA));
        Kinhub b = Kinhub.start(Config.from(envB))) {
      Api onA = Api.of(a);
      Api onB = Api.of(b);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> onA.get("/health", null).json().get("nodes").size() == 2);
      String before = onA.get("/health", null).json().get("redis").get("runId").asText();
      redis.close();
      redis = EmbeddedRedis.start(dir.resolve("redis"), port);
      // sample /health through the restart until both nodes run on the new server and listed each
      // other with it
      List<String> statuses = new ArrayList<>();
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(50))
          .until(
              () -> {
                JsonNode ha = onA.get("/health", null).json();
                JsonNode hb = onB.get("/health", null).json();
                statuses.add(ha.get("status").asText());
                statuses.add(hb.get("status").asText());
                String after = ha.get("redis").get("runId").asText();
                return !after.equals(before)
                    && ha.get("status").asText().equals("up")
                    && hb.get("status").asText().equals("up")
                    && allRunIds(ha).equals(Set.of(after))
                    && allRunIds(hb).equals(Set.of(after));
              });
      assertThat(statuses).doesNotContain("degraded");
    } finally {
      redis.close();
    }
  }

  private static Set<String> allRunIds(JsonNode health) {
    Set<String> ids = new HashSet<>();
    health.get("nodes").forEach(n -> ids.add(n.get("redis").get("runId").asText()));
    return ids;
  }
}
