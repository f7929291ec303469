package io.kinhub.server.sms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.kinhub.server.app.Kinhub;
import io.kinhub.server.config.Config;
import io.kinhub.server.system.Api;
import io.kinhub.server.system.TestBackends;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SMS login end to end through HTTP on two nodes: code requested on A, read from the outbox, used
 * on B.
 */
class SmsLoginAcrossNodesTest {
  private static final Pattern CODE = Pattern.compile("\\b(\\d{6})\\b");
  private static Kinhub nodeA;
  private static Kinhub nodeB;
  private static Api a;
  private static Api b;

  @BeforeAll
  static void start() {
    String prefix = TestBackends.newPrefix();
    // the test reads the codes from the outbox, a development endpoint
    Map<String, String> envA = TestBackends.get().env(prefix);
    envA.put("KINHUB_DEV_ENDPOINTS", "true");
    Map<String, String> envB = TestBackends.get().env(prefix);
    envB.put("KINHUB_DEV_ENDPOINTS", "true");
    nodeA = Kinhub.start(Config.from(envA));
    nodeB = Kinhub.start(Config.from(envB));
    a = Api.of(nodeA);
    b = Api.of(nodeB);
  }

  @AfterAll
  static void stop() {
    nodeA.close();
    nodeB.close();
  }

  private static String newPhone() {
    return "+4917" + (100_000_000L + ThreadLocalRandom.current().nextLong(899_999_999L));
  }

  /** Requests a code on A and reads it from the outbox once the job delivered it. */
  private static String requestCode(String phone, int messagesBefore) {
    Api.Response r = a.post("/api/v1/sms-codes", null, Map.of("phone", phone, "purpose", "login"));
    assertThat(r.status()).as(r.text()).isEqualTo(202);
    assertThat(Instant.parse(r.json().get("expiresAt").asText()))
        .isAfter(Instant.now().plusSeconds(240));
    assertThat(r.json().get("resendAfter").asText()).endsWith("Z");
    JsonNode[] newest = new JsonNode[1];
    await()
        .atMost(Duration.ofSeconds(15))
        .until(
            () -> {
              JsonNode messages =
                  b.get("/api/v1/dev/sms-outbox?phone=" + phone.replace("+", "%2B"), null)
                      .json()
                      .get("messages");
              newest[0] = messages.size() > messagesBefore ? messages.get(0) : null;
              return newest[0] != null;
            });
    assertThat(newest[0].get("phone").asText()).isEqualTo(phone);
    Matcher m = CODE.matcher(newest[0].get("text").asText());
    assertThat(m.find()).isTrue();
    return m.group(1);
  }

  @Test
  void codeRequestedOnA_logsInOnB_creatingTheAccount_andWorksOnce() {
    String phone = newPhone();
    String code = requestCode(phone, 0);

    Api.Response login =
        b.post(
            "/api/v1/sessions/sms",
            null,
            Map.of("phone", phone, "code", code, "device", "phone app"));

    assertThat(login.status()).as(login.text()).isEqualTo(201);
    String token = login.json().get("token").asText();
    assertThat(login.json().get("user").get("displayName").asText())
        .startsWith(phone.substring(0, 3))
        .contains("•")
        .endsWith(phone.substring(phone.length() - 2));
    assertThat(a.get("/api/v1/me", token).json().get("login").asText()).isEqualTo(phone);
    Api.Response again = a.post("/api/v1/sessions/sms", null, Map.of("phone", phone, "code", code));
    assertThat(again.status()).isEqualTo(401);
    assertThat(again.json().get("code").asText()).isEqualTo("invalid_code");

    // the same phone logs in to the same account next time
    String second = requestCode(phone, 1);
    Api.Response relogin =
        a.post("/api/v1/sessions/sms", null, Map.of("phone", phone, "code", second));
    assertThat(relogin.json().get("user").get("id")).isEqualTo(login.json().get("user").get("id"));
  }

  @Test
  void fiveWrongCodes_burnTheCode_untilANewOneIsSent() {
    String phone = newPhone();
    String code = requestCode(phone, 0);
    String wrong = code.equals("000000") ? "111111" : "000000";

    for (int i = 0; i < 5; i++) {
      Api api = i % 2 == 0 ? a : b;
      Api.Response r =
          api.post("/api/v1/sessions/sms", null, Map.of("phone", phone, "code", wrong));
      assertThat(r.status()).isEqualTo(401);
      assertThat(r.json().get("code").asText()).isEqualTo("invalid_code");
    }
    assertThat(b.post("/api/v1/sessions/sms", null, Map.of("phone", phone, "code", code)).status())
        .isEqualTo(401);

    String fresh = requestCode(phone, 1);
    assertThat(b.post("/api/v1/sessions/sms", null, Map.of("phone", phone, "code", fresh)).status())
        .isEqualTo(201);
  }

  @Test
  void badInput_isA400NamingTheField() {
    assertThat(
            a.post("/api/v1/sms-codes", null, Map.of("phone", "0170 1234", "purpose", "login"))
                .json()
                .get("field")
                .asText())
        .isEqualTo("phone");
    assertThat(
            a.post("/api/v1/sms-codes", null, Map.of("phone", newPhone(), "purpose", "marketing"))
                .json()
                .get("field")
                .asText())
        .isEqualTo("purpose");
    assertThat(a.get("/api/v1/dev/sms-outbox", null).status()).isEqualTo(400);
  }
}
