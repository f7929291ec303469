package io.kinhub.server.account;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kinhub.server.app.Kinhub;
import io.kinhub.server.config.Config;
import io.kinhub.server.system.Api;
import io.kinhub.server.system.TestBackends;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The accounts and password-session contract of API.md, through real HTTP against one real node.
 */
class AccountsAndSessionsApiTest {
  private static final String PASSWORD = "s3cret-enough";
  private static Kinhub node;
  private static Api api;

  @BeforeAll
  static void start() {
    node = TestBackends.get().startNode(TestBackends.newPrefix());
    api = Api.of(node);
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static void assertProblem(Api.Response r, int status, String code) {
    assertThat(r.status()).as(r.text()).isEqualTo(status);
    assertThat(r.contentType()).startsWith("application/problem+json");
    assertThat(r.json().get("code").asText()).isEqualTo(code);
    assertThat(r.json().get("status").asInt()).isEqualTo(status);
    assertThat(r.json().get("title").asText()).isNotBlank();
    assertThat(r.json().get("type").asText()).isNotBlank();
  }

  @Test
  void register_returns201_withIdLoginAndDisplayName_andNormalisesTheEmail() {
    String login = Api.newLogin();
    Api.Response r =
        api.post(
            "/api/v1/accounts",
            null,
            Map.of(
                "login",
                "  " + login.toUpperCase(Locale.ROOT) + " ",
                "password",
                PASSWORD,
                "displayName",
                "Ada"));
    assertThat(r.status()).isEqualTo(201);
    assertThat(r.json().get("id").isTextual()).isTrue();
    assertThat(r.json().get("login").asText()).isEqualTo(login);
    assertThat(r.json().get("displayName").asText()).isEqualTo("Ada");
  }

  @Test
  void register_acceptsAnE164Phone() {
    String phone = "+4915" + (100000000L + (long) (Math.random() * 899999999L));
    Api.Response r =
        api.post(
            "/api/v1/accounts",
            null,
            Map.of("login", phone, "password", PASSWORD, "displayName", "Phone"));
    assertThat(r.status()).isEqualTo(201);
    assertThat(r.json().get("login").asText()).isEqualTo(phone);
  }

  @Test
  void register_twice_is409AccountExists_evenWithOtherCase() {
    String login = api.register(Api.newLogin(), PASSWORD);
    assertProblem(
        api.post(
            "/api/v1/accounts",
            null,
            Map.of(
                "login", login.toUpperCase(Locale.ROOT), "password", PASSWORD, "displayName", "X")),
        409,
        "account_exists");
  }

  @Test
  void register_withBadFields_is400NamingTheField() {
    assertThat(
            api.post(
                    "/api/v1/accounts",
                    null,
                    Map.of("login", "not a login", "password", PASSWORD, "displayName", "X"))
                .json()
                .get("field")
                .asText())
        .isEqualTo("login");
    assertProblem(
        api.post(
            "/api/v1/accounts",
            null,
            Map.of("login", Api.newLogin(), "password", "short", "displayName", "X")),
        400,
        "invalid_request");
    assertThat(
            api.post(
                    "/api/v1/accounts",
                    null,
                    Map.of(
                        "login", Api.newLogin(), "password", "x".repeat(129), "displayName", "X"))
                .json()
                .get("field")
                .asText())
        .isEqualTo("password");
    assertThat(
            api.post(
                    "/api/v1/accounts",
                    null,
                    Map.of("login", Api.newLogin(), "password", PASSWORD, "displayName", "   "))
                .json()
                .get("field")
                .asText())
        .isEqualTo("displayName");
    assertThat(
            api.post(
                    "/api/v1/accounts",
                    null,
                    Map.of(
                        "login",
                        Api.newLogin(),
                        "password",
                        PASSWORD,
                        "displayName",
                        "x".repeat(65)))
                .json()
                .get("field")
                .asText())
        .isEqualTo("displayName");
    assertThat(
            api.post(
                    "/api/v1/accounts", null, Map.of("login", Api.newLogin(), "password", PASSWORD))
                .json()
                .get("field")
                .asText())
        .isEqualTo("displayName");
    assertThat(
            api.post(
                    "/api/v1/accounts",
                    null,
                    Map.of("login", 42, "password", PASSWORD, "displayName", "X"))
                .json()
                .get("field")
                .asText())
        .isEqualTo("login");
  }

  @Test
  void login_returnsTheContractBody_withA256BitBase64UrlToken() {
    String login = api.register(Api.newLogin(), PASSWORD);
    Api.Response r =
        api.post(
            "/api/v1/sessions",
            null,
            Map.of("login", login, "password", PASSWORD, "device", "Firefox on Linux"));
    assertThat(r.status()).isEqualTo(201);
    String token = r.json().get("token").asText();
    assertThat(Base64.getUrlDecoder().decode(token)).hasSize(32);
    assertThat(r.json().get("expiresAt").asText())
        .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
    JsonNode session = r.json().get("session");
    assertThat(session.get("id").asText()).isNotBlank();
    assertThat(session.get("device").asText()).isEqualTo("Firefox on Linux");
    assertThat(session.get("createdAt").asText()).endsWith("Z");
    assertThat(r.json().get("user").get("displayName").asText()).isEqualTo("Test User");
    assertThat(r.json().get("user").get("id").isTextual()).isTrue();

    JsonNode me = api.get("/api/v1/me", token).json();
    assertThat(me.get("login").asText()).isEqualTo(login);
    assertThat(me.get("id").asText()).isEqualTo(r.json().get("user").get("id").asText());
  }

  @Test
  void wrongPasswordAndUnknownLogin_giveTheSame401() {
    String login = api.register(Api.newLogin(), PASSWORD);
    Api.Response wrong =
        api.post("/api/v1/sessions", null, Map.of("login", login, "password", "wrong password"));
    Api.Response unknown =
        api.post(
            "/api/v1/sessions",
            null,
            Map.of("login", Api.newLogin(), "password", "wrong password"));
    assertProblem(wrong, 401, "invalid_credentials");
    assertProblem(unknown, 401, "invalid_credentials");
    assertThat(wrong.json().get("detail")).isEqualTo(unknown.json().get("detail"));
  }

  @Test
  void me_withoutOrWithJunkToken_is401Unauthenticated() {
    assertProblem(api.get("/api/v1/me", null), 401, "unauthenticated");
    assertProblem(api.get("/api/v1/me", "junk"), 401, "unauthenticated");
    assertProblem(api.get("/api/v1/me", "A".repeat(43)), 401, "unauthenticated");
    assertThat(api.get("/api/v1/me", null).header("WWW-Authenticate")).startsWith("Bearer");
  }

  @Test
  void sessions_listMarksTheCurrentOne_kickAndLogoutWork() {
    String login = api.register(Api.newLogin(), PASSWORD);
    String first = api.login(login, PASSWORD);
    String second = api.login(login, PASSWORD);
    JsonNode list = api.get("/api/v1/me/sessions", first).json().get("sessions");
    assertThat(list).hasSize(2);
    Set<Boolean> currents = new HashSet<>();
    String secondId = null;
    for (JsonNode s : list) {
      currents.add(s.get("current").asBoolean());
      assertThat(s.get("device").asText()).isEqualTo("test");
      assertThat(s.get("lastSeenAt").asText()).endsWith("Z");
      if (!s.get("current").asBoolean()) {
        secondId = s.get("id").asText();
      }
    }
    assertThat(currents).containsExactlyInAnyOrder(true, false);

    assertThat(api.delete("/api/v1/me/sessions/" + secondId, first).status()).isEqualTo(204);
    assertThat(api.get("/api/v1/me", second).status()).isEqualTo(401);
    assertProblem(api.delete("/api/v1/me/sessions/" + secondId, first), 404, "not_found");

    assertThat(api.delete("/api/v1/me/sessions/current", first).status()).isEqualTo(204);
    assertThat(api.get("/api/v1/me", first).status()).isEqualTo(401);
  }

  @Test
  void kick_ofAnotherUsersSession_is404_andLeavesItAlive() {
    String alice = api.register(Api.newLogin(), PASSWORD);
    String bob = api.register(Api.newLogin(), PASSWORD);
    String aliceToken = api.login(alice, PASSWORD);
    String bobToken = api.login(bob, PASSWORD);
    String bobSession =
        api.get("/api/v1/me/sessions", bobToken).json().get("sessions").get(0).get("id").asText();

    assertProblem(api.delete("/api/v1/me/sessions/" + bobSession, aliceToken), 404, "not_found");
    assertThat(api.get("/api/v1/me", bobToken).status()).isEqualTo(200);
  }

  @Test
  void logOutEverywhere_endsEverySession() {
    String login = api.register(Api.newLogin(), PASSWORD);
    String first = api.login(login, PASSWORD);
    String second = api.login(login, PASSWORD);
    assertThat(api.delete("/api/v1/me/sessions", first).status()).isEqualTo(204);
    assertThat(api.get("/api/v1/me", first).status()).isEqualTo(401);
    assertThat(api.get("/api/v1/me", second).status()).isEqualTo(401);
  }

  @Test
  void passwordChange_revokesEverySession_returnsAFreshOne_andSwitchesThePassword() {
    String login = api.register(Api.newLogin(), PASSWORD);
    String first = api.login(login, PASSWORD);
    String second = api.login(login, PASSWORD);

    assertProblem(
        api.put(
            "/api/v1/me/password",
            first,
            Map.of("currentPassword", "not it at all", "newPassword", "brand new pass")),
        401,
        "invalid_credentials");
    Api.Response changed =
        api.put(
            "/api/v1/me/password",
            first,
            Map.of("currentPassword", PASSWORD, "newPassword", "brand new pass"));

    assertThat(changed.status()).isEqualTo(200);
    assertThat(changed.json().get("token").asText()).isNotEqualTo(first);
    assertThat(api.get("/api/v1/me", first).status()).isEqualTo(401);
    assertThat(api.get("/api/v1/me", second).status()).isEqualTo(401);
    assertThat(api.get("/api/v1/me", changed.json().get("token").asText()).status()).isEqualTo(200);
    assertThat(
            api.post("/api/v1/sessions", null, Map.of("login", login, "password", PASSWORD))
                .status())
        .isEqualTo(401);
    assertThat(
            api.post("/api/v1/sessions", null, Map.of("login", login, "password", "brand new pass"))
                .status())
        .isEqualTo(201);
  }

  @Test
  void sessionsBeyondThePerUserCap_endTheOneClosestToExpiry_atOnce() {
    Map<String, String> env = TestBackends.get().env(TestBackends.newPrefix());
    env.put("KINHUB_SESSIONS_PER_USER", "2");
    try (Kinhub capped = Kinhub.start(Config.from(env))) {
      Api c = Api.of(capped);
      String login = c.register(Api.newLogin(), PASSWORD);
      String oldest = c.login(login, PASSWORD);
      String middle = c.login(login, PASSWORD);
      assertThat(c.get("/api/v1/me", oldest).status()).isEqualTo(200); // warm in the near cache

      String newest = c.login(login, PASSWORD);

      assertThat(c.get("/api/v1/me", oldest).status()).isEqualTo(401);
      assertThat(c.get("/api/v1/me", middle).status()).isEqualTo(200);
      assertThat(c.get("/api/v1/me/sessions", newest).json().get("sessions")).hasSize(2);
    }
  }

  @Test
  void bodiesOverOneMebibyte_get413_andWrongMediaType415() {
    byte[] big =
        ("{\"login\":\"" + "a".repeat(1024 * 1024) + "\"}").getBytes(StandardCharsets.UTF_8);
    assertProblem(
        api.raw("POST", "/api/v1/accounts", null, "application/json", big), 413, "too_large");
    assertProblem(
        api.raw(
            "POST", "/api/v1/sessions", null, "text/plain", "{}".getBytes(StandardCharsets.UTF_8)),
        415,
        "unsupported_media_type");
  }

  @Test
  void unknownRoute_is404ProblemJson() {
    assertProblem(api.get("/api/v1/nothing-here", null), 404, "not_found");
  }

  @Test
  void health_reportsNodeAndRedisIdentity() {
    Api.Response r = api.get("/health", null);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().get("status").asText()).isEqualTo("up");
    assertThat(r.json().get("node").asText()).isEqualTo(node.config().node().id());
    assertThat(r.json().get("redis").get("mode").asText()).isEqualTo("standalone");
    assertThat(r.json().get("redis").get("endpoint").asText()).startsWith("127.0.0.1:");
    assertThat(r.json().get("redis").get("runId").asText()).hasSize(40);
    assertThat(r.json().get("database").get("status").asText()).isEqualTo("up");
  }

  @Test
  void metrics_arePrometheusText_withHttpRedisAndNearCacheFigures() {
    api.get("/health", null);
    String text = api.get("/metrics", null).text();
    assertThat(text)
        .contains("http_server_requests_seconds_count")
        .contains("kinhub_nearcache_requests_total")
        .contains("kinhub_bus_trusted")
        .contains("lettuce_command_completion");
  }
}
