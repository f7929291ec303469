package io.kinhub.server.abuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kinhub.server.app.Kinhub;
import io.kinhub.server.config.Config;
import io.kinhub.server.system.Api;
import io.kinhub.server.system.TestBackends;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keycloak-style lockout, counted atomically across nodes, with the same answers for unknown
 * logins.
 */
class BruteForceLockoutTest {
  private static final String PASSWORD = "the right password";
  private static Kinhub nodeA;
  private static Kinhub nodeB;
  private static Api a;
  private static Api b;

  @BeforeAll
  static void start() {
    String prefix = TestBackends.newPrefix();
    Map<String, String> env = TestBackends.get().env(prefix);
    env.put("KINHUB_LOCKOUT_FAILURES", "3");
    env.put("KINHUB_LOCKOUT_WAIT_INCREMENT", "1s");
    env.put("KINHUB_LOCKOUT_MAX_WAIT", "2s");
    nodeA = Kinhub.start(Config.from(env));
    env.put("KINHUB_NODE_ID", "lockout-b");
    nodeB = Kinhub.start(Config.from(env));
    a = Api.of(nodeA);
    b = Api.of(nodeB);
  }

  @AfterAll
  static void stop() {
    nodeA.close();
    nodeB.close();
  }

  private static List<Integer> attackAlternatingNodes(String login) {
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Api api = i % 2 == 0 ? a : b;
      statuses.add(
          api.post(
                  "/api/v1/sessions", null, Map.of("login", login, "password", "guess number " + i))
              .status());
    }
    return statuses;
  }

  @Test
  void failuresOnAlternatingNodes_lockTheLogin_evenForTheRightPassword_untilTheWaitIsOver() {
    String login = a.register(Api.newLogin(), PASSWORD);

    assertThat(attackAlternatingNodes(login)).containsExactly(401, 401, 401, 429);
    Api.Response locked =
        b.post("/api/v1/sessions", null, Map.of("login", login, "password", PASSWORD));
    assertThat(locked.status()).isEqualTo(429);
    assertThat(locked.json().get("code").asText()).isEqualTo("too_many_attempts");
    assertThat(Long.parseLong(locked.header("Retry-After"))).isBetween(1L, 2L);
    assertThat(locked.header("RateLimit-Policy")).isEqualTo("\"lockout\";q=3;w=43200");
    assertThat(locked.header("RateLimit")).startsWith("\"lockout\";r=0;t=");

    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(250))
        .until(
            () ->
                a.post("/api/v1/sessions", null, Map.of("login", login, "password", PASSWORD))
                        .status()
                    == 201);
    // the success reset the count: one more failure is a plain 401
    assertThat(
            b.post("/api/v1/sessions", null, Map.of("login", login, "password", "wrong again"))
                .status())
        .isEqualTo(401);
  }

  @Test
  void unknownLogin_getsExactlyTheSameAnswers() {
    String known = a.register(Api.newLogin(), PASSWORD);
    String unknown = Api.newLogin();

    List<Integer> knownStatuses = attackAlternatingNodes(known);
    List<Integer> unknownStatuses = attackAlternatingNodes(unknown);

    assertThat(unknownStatuses).isEqualTo(knownStatuses).containsExactly(401, 401, 401, 429);
    Api.Response k =
        a.post("/api/v1/sessions", null, Map.of("login", known, "password", "x-wrong-x"));
    Api.Response u =
        a.post("/api/v1/sessions", null, Map.of("login", unknown, "password", "x-wrong-x"));
    assertThat(u.status()).isEqualTo(k.status());
    assertThat(u.json().get("code")).isEqualTo(k.json().get("code"));
  }
}
