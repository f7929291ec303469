package io.kinhub.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kinhub.server.app.Kinhub;
import io.kinhub.server.system.Api;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 13 in headless Chromium: a family is founded and grows by invitation; every page speaks
 * Chinese without an English word left, and the switch to English sticks across pages.
 */
class WebFamilyJourneysBrowserTest {
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
  void signUp_createFamily_invite_andTheInvitedPersonSignsUpThroughTheLink_andJoinsAsMember()
      throws Exception {
    JsonNode result = BrowserJourneys.run(node, "invite");
    assertThat(result.at("/checks/copied").asText()).contains("/invitations/");
    // the server agrees: the invited person is in the family (appointed admin at the end of the
    // journey)
    JsonNode family =
        Api.of(node)
            .get(
                "/api/v1/families/" + result.get("familyId").asText(),
                result.get("invitedToken").asText())
            .json();
    assertThat(family.get("myRole").asText()).isEqualTo("admin");
    assertThat(family.get("memberCount").asInt()).isEqualTo(2);
    assertThat(Path.of("target", "screenshots", "web-a4-joined-family-375px.png")).exists();
  }

  @Test
  void chineseUi_showsNoEnglishOnAnyPage_andTheSwitchToEnglishPersistsAcrossPages()
      throws Exception {
    JsonNode result = BrowserJourneys.run(node, "chinese");
    assertThat(result.get("pages").asInt()).isGreaterThanOrEqualTo(10);
    assertThat(Path.of("target", "screenshots", "web-e-family-zh.png")).exists();
  }
}
