package io.kinhub.server.account;

import static org.assertj.core.api.Assertions.assertThat;

import io.kinhub.server.app.Kinhub;
import io.kinhub.server.system.Api;
import io.kinhub.server.system.TestBackends;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Audit finding 11: {@code 12345678} and {@code password} were accepted. Common and easily guessed
 * passwords are refused at sign-up and at password change with a 400 that names the field and says
 * why; the 8–128 character rule of the contract stays.
 */
class WeakPasswordTest {
  private static final String STRONG = "violet tram umbrella 42";
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

  private static Api.Response register(String login, String password, String displayName) {
    return api.post(
        "/api/v1/accounts",
        null,
        Map.of("login", login, "password", password, "displayName", displayName));
  }

  private static void assertWeak(Api.Response r, String field) {
    assertThat(r.status()).as(r.text()).isEqualTo(400);
    assertThat(r.contentType()).startsWith("application/problem+json");
    assertThat(r.json().get("code").asText()).isEqualTo("invalid_request");
    assertThat(r.json().get("field").asText()).isEqualTo(field);
    assertThat(r.json().get("detail").asText()).contains("too easy to guess");
  }

  @Test
  void commonPassword_isRefused() {
    for (String weak :
        new String[] {
          "12345678", "password", "password1", "qwertyuiop", "iloveyou12", "aaaaaaaaaaaa"
        }) {
      String login = Api.newLogin();
      Api.Response r = register(login, weak, "Ada");
      assertWeak(r, "password");
      // nothing was created: the same login registers with a good password afterwards
      assertThat(register(login, STRONG, "Ada").status()).isEqualTo(201);
    }
    assertThat(register(Api.newLogin(), "12345678", "Ada").json().get("detail").asText())
        .contains("common password");
  }

  @Test
  void passwordMadeOfTheLoginOrName_isRefused() {
    String name = "margarethe.vonlindenau" + System.nanoTime() % 100_000;
    assertWeak(register(name + "@example.org", name, "Grete"), "password");
    assertWeak(register(Api.newLogin(), "Kunigunde Hohenlohe", "Kunigunde Hohenlohe"), "password");
  }

  @Test
  void commonNewPassword_isRefused_andTheOldOneStays() {
    String login = api.register(Api.newLogin(), STRONG);
    String token = api.login(login, STRONG);
    Api.Response r =
        api.put(
            "/api/v1/me/password",
            token,
            Map.of("currentPassword", STRONG, "newPassword", "password123"));
    assertWeak(r, "newPassword");
    assertThat(api.get("/api/v1/me", token).status()).isEqualTo(200);
    assertThat(api.login(login, STRONG)).isNotBlank();
  }

  @Test
  void lengthRule_staysAsTheContractSays() {
    Api.Response shortOne = register(Api.newLogin(), "x7#Qz!", "Ada");
    assertThat(shortOne.status()).isEqualTo(400);
    assertThat(shortOne.json().get("detail").asText()).contains("8 to 128");
    assertThat(register(Api.newLogin(), "Zq8!vR2#", "Ada").status()).isEqualTo(201);
    assertThat(register(Api.newLogin(), "k".repeat(120) + "Zq8!vR2#", "Ada").status())
        .isEqualTo(201);
  }
}
