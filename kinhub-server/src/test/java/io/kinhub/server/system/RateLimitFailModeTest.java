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
 * When Redis cannot decide, login (and SMS) fail closed with 503; registration fails open by
 * default.
 */
class RateLimitFailModeTest {

  @Test
  void redisDown_loginIsRefusedWith503_registrationStillWorks(@TempDir Path dir) {
    EmbeddedRedis redis = EmbeddedRedis.start(dir.resolve("redis"));
    Map<String, String> env = TestBackends.get().env(TestBackends.newPrefix());
    env.put("KINHUB_REDIS_URL", redis.url());
    env.put("KINHUB_RATE_LIMIT_SESSIONS", "ip:100/1m,login:100/1m");
    env.put("KINHUB_RATE_LIMIT_ACCOUNTS", "ip:100/1m");
    try (Kinhub node = Kinhub.start(Config.from(env))) {
      Api api = Api.of(node);
      redis.close();

      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                Api.Response login =
                    api.post(
                        "/api/v1/sessions",
                        null,
                        Map.of("login", "someone@example.org", "password", "whatever pw"));
                assertThat(login.status()).isEqualTo(503);
                assertThat(login.json().get("code").asText()).isEqualTo("unavailable");
              });
      Api.Response registered =
          api.post(
              "/api/v1/accounts",
              null,
              Map.of(
                  "login",
                  Api.newLogin(),
                  "password",
                  "fail open password",
                  "displayName",
                  "Open"));
      assertThat(registered.status()).isEqualTo(201);
      assertThat(registered.header("RateLimit")).isNull();
    } finally {
      redis.close();
    }
  }
}
