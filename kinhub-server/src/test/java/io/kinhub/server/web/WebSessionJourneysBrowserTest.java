package io.kinhub.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kinhub.server.system.Kinhub;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 13 in headless Chromium: SMS login end to end; a session ended elsewhere (a password change, a logout from
 * /account) sends that page's next action to /login.
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

  @Test
  void passwordChangedInOneContext_sendsTheOtherContextsNextActionToLogin() throws Exception {
    JsonNode result = BrowserJourneys.run(node, "password");
    assertThat(result.at("/checks/otherSentToLogin").asText()).endsWith("/login?next=%2F");
  }

  @Test
  void loggingOutAnotherSessionFromAccount_sendsThatContextsNextActionToLogin() throws Exception {
    JsonNode result = BrowserJourneys.run(node, "kick");
    assertThat(result.at("/checks/otherSentToLogin").asText()).endsWith("/login?next=%2Faccount");
  }
}
