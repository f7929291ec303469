package io.kinhub.server.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kinhub.server.app.Kinhub;
import io.kinhub.server.backing.EmbeddedRedis;
import io.kinhub.server.config.Config;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Redis goes away: requests that need it get 503 unavailable, /health says down, and service
 * resumes by itself.
 */
class RedisOutageTest {
  private static final String PASSWORD = "outage password";

  @Test
  void redisDown_gives503AndHealthDown_thenServiceResumesWhenRedisReturns(@TempDir Path dir) {
    EmbeddedRedis redis = EmbeddedRedis.start(dir.resolve("redis"));
    int port = redis.port();
    Map<String, String> env = TestBackends.get().env(TestBackends.newPrefix());
    env.put("KINHUB_REDIS_URL", redis.url());
    try (Kinhub node = Kinhub.start(Config.from(env))) {
      Api api = Api.of(node);
      String login = api.register(Api.newLogin(), PASSWORD);
      String token = api.login(login, PASSWORD);
      assertThat(api.get("/api/v1/me", token).status()).isEqualTo(200);

      redis.close();

      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                Api.Response me = api.get("/api/v1/me", token);
                assertThat(me.status()).isEqualTo(503);
                assertThat(me.contentType()).startsWith("application/problem+json");
                assertThat(me.json().get("code").asText()).isEqualTo("unavailable");
              });
      Api.Response login503 =
          api.post("/api/v1/sessions", null, Map.of("login", login, "password", PASSWORD));
      assertThat(login503.status()).isEqualTo(503);
      assertThat(login503.text()).doesNotContain("Exception").doesNotContain("Connection refused");
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                Api.Response health = api.get("/health", null);
                assertThat(health.status()).isEqualTo(503);
                assertThat(health.json().get("status").asText()).isEqualTo("down");
                assertThat(health.json().get("redis").get("status").asText()).isEqualTo("down");
              });

      redis = EmbeddedRedis.start(dir.resolve("redis"), port);

      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                assertThat(api.get("/health", null).status()).isEqualTo(200);
                assertThat(api.get("/api/v1/me", token).status()).isEqualTo(200);
              });
      assertThat(
              api.post("/api/v1/sessions", null, Map.of("login", login, "password", PASSWORD))
                  .status())
          .isEqualTo(201);
    } finally {
      redis.close();
    }
  }
}
