package io.kinhub.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kinhub.server.app.Kinhub;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 13 in headless Chromium: SMS login end to end; a session ended elsewhere (a password
 * change, a logout from /account) sends that page's next action to /login.
 */
class WebSessionJourneysBrowserTest {
  private static Kinhub node;

  @BeforeAll
  static void start() {
    node = BrowserJourneys.startNode();
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
  }

  @Test
  void smsLogin_sendsACode_countsDownToResend_andLogsInWithTheCodeFromTheOutbox() throws Exception {
    JsonNode result = BrowserJourneys.run(node, "sms");
    assertThat(result.at("/checks/countdown").asText()).containsPattern("\\d+");
    assertThat(Path.of("target", "screenshots", "web-b2-sms-logged-in.png")).exists();
  }

  /**
   * The other context lands on /login: at once when the live channel of its page (the feed on
   * {@code /}) pushes the revocation, else when its next action meets the ended session. Either way
   * it never keeps acting logged in.
   */
  @Test
  void passwordChangedInOneContext_sendsTheOtherContextToLogin() throws Exception {
    JsonNode result = BrowserJourneys.run(node, "password");
    assertThat(result.at("/checks/otherSentToLogin").asText()).endsWith("/login?next=%2F");
    assertThat(result.at("/checks/revocationPushedOrMetOnNextAction").asText()).isNotEmpty();
  }

  @Test
  void loggingOutAnotherSessionFromAccount_sendsThatContextToLogin() throws Exception {
    JsonNode result = BrowserJourneys.run(node, "kick");
    boolean pushed =
        result.at("/checks/revocationPushedOrMetOnNextAction").asText().startsWith("pushed");
    // pushed while on "/", or sent there when it opened /account
    assertThat(result.at("/checks/otherSentToLogin").asText())
        .endsWith(pushed ? "/login?next=%2F" : "/login?next=%2Faccount");
  }
}
