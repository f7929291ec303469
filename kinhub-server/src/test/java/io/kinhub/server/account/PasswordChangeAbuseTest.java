package io.kinhub.server.account;

import static org.assertj.core.api.Assertions.assertThat;

import io.kinhub.server.app.Kinhub;
import io.kinhub.server.config.Config;
import io.kinhub.server.config.Variables;
import io.kinhub.server.system.Api;
import io.kinhub.server.system.TestBackends;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Audit finding 8: {@code PUT /me/password} took unlimited guesses at the current password from one
 * stolen session. It is rate limited per user and per client IP, and wrong current passwords count
 * into the login's lockout, so a locked login refuses password changes as well as logins.
 */
class PasswordChangeAbuseTest {
  private static final String PASSWORD = "the right old password";

  private static Kinhub start(Consumer<Map<String, String>> settings) {
    Map<String, String> env = TestBackends.get().env(TestBackends.newPrefix());
    settings.accept(env);
    return Kinhub.start(Config.from(env));
  }

  private static Api.Response change(Api api, String token, String current) {
    return api.put(
        "/api/v1/me/password",
        token,
        Map.of("currentPassword", current, "newPassword", "a fresh strong passphrase"));
  }

  private static void assertRateLimited(Api.Response r) {
    assertThat(r.status()).as(r.text()).isEqualTo(429);
    assertThat(r.json().get("code").asText()).isEqualTo("rate_limited");
    assertThat(Long.parseLong(r.header("Retry-After"))).isPositive();
    assertThat(r.header("RateLimit-Policy")).contains("password-changes-user");
    assertThat(r.header("RateLimit")).isNotNull();
  }

  @Test
  void passwordChange_isRateLimited() {
    try (Kinhub node =
        start(
            env -> {
              env.put("KINHUB_RATE_LIMIT_PASSWORD_CHANGES", "user:3/1h,ip:1000/1h");
              env.put("KINHUB_LOCKOUT_FAILURES", "1000");
            })) {
      Api api = Api.of(node);
      String login = api.register(Api.newLogin(), PASSWORD);
      String token = api.login(login, PASSWORD);
      List<Integer> statuses = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        statuses.add(change(api, token, "guess number " + i).status());
      }
      assertThat(statuses).containsExactly(401, 401, 401);
      assertRateLimited(change(api, token, "guess number 3"));
      // even the right password waits: the limit is on attempts, not on failures
      assertRateLimited(change(api, token, PASSWORD));

      // another user is not held up by this one's bucket
      String other = api.register(Api.newLogin(), PASSWORD);
      assertThat(change(api, api.login(other, PASSWORD), PASSWORD).status()).isEqualTo(200);
      // nor does a request without a valid session spend anyone's tokens: it is a plain 401
      assertThat(change(api, "not-a-token", PASSWORD).json().get("code").asText())
          .isEqualTo("unauthenticated");
    }
  }

  @Test
  void passwordChange_isRateLimitedPerClientIp_acrossUsers() {
    try (Kinhub node =
        start(env -> env.put("KINHUB_RATE_LIMIT_PASSWORD_CHANGES", "user:1000/1h,ip:2/1h"))) {
      Api api = Api.of(node);
      for (int i = 0; i < 2; i++) {
        String login = api.register(Api.newLogin(), PASSWORD);
        assertThat(change(api, api.login(login, PASSWORD), "wrong guess here").status())
            .isEqualTo(401);
      }
      String third = api.register(Api.newLogin(), PASSWORD);
      Api.Response r = change(api, api.login(third, PASSWORD), PASSWORD);
      assertThat(r.status()).isEqualTo(429);
      assertThat(r.header("RateLimit-Policy")).contains("password-changes-ip");
    }
  }

  @Test
  void passwordChange_hasASafeDefaultLimit() {
    assertThat(Variables.named("KINHUB_RATE_LIMIT_PASSWORD_CHANGES")).isPresent();
    Config config = Config.from(Map.of());
    assertThat(config.abuse().rateLimits())
        .anySatisfy(
            p -> {
              assertThat(p.name()).isEqualTo("password-changes");
              assertThat(p.method() + " " + p.path()).isEqualTo("PUT /api/v1/me/password");
              assertThat(p.failOpen()).isFalse();
              assertThat(p.spec()).contains("user:").contains("ip:");
            });
  }

  @Test
  void wrongCurrentPasswords_lockTheLogin() {
    try (Kinhub node = start(env -> env.put("KINHUB_LOCKOUT_FAILURES", "3"))) {
      Api api = Api.of(node);
      String login = api.register(Api.newLogin(), PASSWORD);
      String token = api.login(login, PASSWORD);

      List<Integer> statuses = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        statuses.add(change(api, token, "guess number " + i).status());
      }
      assertThat(statuses).containsExactly(401, 401, 401, 429);

      // the lock is the login's: the right password is refused by both password routes
      Api.Response change = change(api, token, PASSWORD);
      assertThat(change.status()).isEqualTo(429);
      assertThat(change.json().get("code").asText()).isEqualTo("too_many_attempts");
      assertThat(change.header("Retry-After")).isNotNull();
      Api.Response login2 =
          api.post("/api/v1/sessions", null, Map.of("login", login, "password", PASSWORD));
      assertThat(login2.status()).isEqualTo(429);
      assertThat(login2.json().get("code").asText()).isEqualTo("too_many_attempts");
      // the stolen session itself is not ended by the lock (its owner may still be using it)
      assertThat(api.get("/api/v1/me", token).status()).isEqualTo(200);
    }
  }

  @Test
  void loginLockedByFailedLogins_alsoRefusesPasswordChanges() {
    try (Kinhub node = start(env -> env.put("KINHUB_LOCKOUT_FAILURES", "3"))) {
      Api api = Api.of(node);
      String login = api.register(Api.newLogin(), PASSWORD);
      String token = api.login(login, PASSWORD);
      for (int i = 0; i < 3; i++) {
        api.post("/api/v1/sessions", null, Map.of("login", login, "password", "guess number " + i));
      }
      Api.Response r = change(api, token, PASSWORD);
      assertThat(r.status()).isEqualTo(429);
      assertThat(r.json().get("code").asText()).isEqualTo("too_many_attempts");
    }
  }
}
