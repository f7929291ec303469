package io.kinhub.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kinhub.server.system.Api;
import io.kinhub.server.system.Config;
import io.kinhub.server.system.ExternalTools;
import io.kinhub.server.system.Json;
import io.kinhub.server.system.Kinhub;
import io.kinhub.server.system.TestBackends;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 13: the journeys a family takes through the web pages, each in headless Chromium against a real node
 * (src/test/browser/web-journeys.mjs; screenshots under target/screenshots/web-*.png). The node serves the
 * development SMS outbox and keeps the default per-phone SMS limit, so the page has a resend countdown to show.
 */
class WebJourneysBrowserTest {
  private static Kinhub node;

  @BeforeAll
  static void start() {
    Map<String, String> env = TestBackends.get().env(TestBackends.newPrefix());
    env.put("KINHUB_DEV_ENDPOINTS", "true");
    env.put("KINHUB_RATE_LIMIT_SMS_CODES", "phone:1/60s+10/1d,ip:1000/1h");
    node = Kinhub.start(Config.from(env));
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
  }

  private static JsonNode run(String journey) throws Exception {
    Path chromium = ExternalTools.chromium();
    Path tools = ExternalTools.playwright();
    Path shots = Path.of("target", "screenshots").toAbsolutePath();
    Files.createDirectories(shots);
    // ES modules resolve packages next to the script: run a copy placed beside node_modules/playwright-core
    Path script = tools.resolve("kinhub-web-journeys.mjs");
    Files.copy(Path.of("src", "test", "browser", "web-journeys.mjs"), script, StandardCopyOption.REPLACE_EXISTING);
    Path bundles = Path.of("src", "main", "resources", "web", "i18n").toAbsolutePath();
    Process process = new ProcessBuilder(List.of("node", script.toString(), chromium.toString(), node.baseUrl(),
        shots.toString(), journey, bundles.toString())).directory(tools.toFile()).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).as(output).isTrue();
    String last = output.strip().lines().reduce((x, y) -> y).orElse("{}");
    assertThat(process.exitValue()).as(output).isZero();
    JsonNode result = Json.MAPPER.readTree(last);
    assertThat(result.path("ok").asBoolean()).as(output).isTrue();
    return result;
  }

  @Test
  void signUp_createFamily_invite_andTheInvitedPersonSignsUpThroughTheLink_andJoinsAsMember() throws Exception {
    JsonNode result = run("invite");
    assertThat(result.at("/checks/copied").asText()).contains("/invitations/");
    // the server agrees: the invited person is in the family (appointed admin at the end of the journey)
    Api api = Api.of(node);
    JsonNode family = api.get("/api/v1/families/" + result.get("familyId").asText(), result.get("invitedToken").asText()).json();
    assertThat(family.get("myRole").asText()).isEqualTo("admin");
    assertThat(family.get("memberCount").asInt()).isEqualTo(2);
    assertThat(Path.of("target", "screenshots", "web-a4-joined-family-375px.png")).exists();
  }

  @Test
  void smsLogin_sendsACode_countsDownToResend_andLogsInWithTheCodeFromTheOutbox() throws Exception {
    JsonNode result = run("sms");
    assertThat(result.at("/checks/countdown").asText()).containsPattern("\\d+");
    assertThat(Path.of("target", "screenshots", "web-b2-sms-logged-in.png")).exists();
  }

  @Test
  void passwordChangedInOneContext_sendsTheOtherContextsNextActionToLogin() throws Exception {
    JsonNode result = run("password");
    assertThat(result.at("/checks/otherSentToLogin").asText()).endsWith("/login?next=%2F");
  }

  @Test
  void loggingOutAnotherSessionFromAccount_sendsThatContextsNextActionToLogin() throws Exception {
    JsonNode result = run("kick");
    assertThat(result.at("/checks/otherSentToLogin").asText()).endsWith("/login?next=%2Faccount");
  }

  @Test
  void chineseUi_showsNoEnglishOnAnyPage_andTheSwitchToEnglishPersistsAcrossPages() throws Exception {
    JsonNode result = run("chinese");
    assertThat(result.get("pages").asInt()).isGreaterThanOrEqualTo(10);
  }
}
