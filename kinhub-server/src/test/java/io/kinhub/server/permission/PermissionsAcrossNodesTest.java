package io.kinhub.server.permission;

import static org.assertj.core.api.Assertions.assertThat;

import io.kinhub.server.app.Kinhub;
import io.kinhub.server.app.SuperadminCli;
import io.kinhub.server.family.Families;
import io.kinhub.server.system.Api;
import io.kinhub.server.system.Api.User;
import io.kinhub.server.system.TestBackends;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Permission changes made on one node are enforced by the other as soon as the changing call
 * returns, although the other node answered from its near cache a moment before.
 */
class PermissionsAcrossNodesTest {

  @Test
  void aDemotedAdminIsRefusedOnTheOtherNodeRightAfterTheDemotionReturns() {
    String prefix = TestBackends.newPrefix();
    try (Kinhub a = TestBackends.get().startNode(prefix);
        Kinhub b = TestBackends.get().startNode(prefix)) {
      Api onA = Api.of(a);
      Api onB = Api.of(b);
      User originator = onA.newUser("Originator");
      User admin = onA.newUser("Admin");
      String family = Families.create(onA, originator, "Two nodes", false);
      Families.join(onA, originator, family, admin);
      for (int round = 0; round < 25; round++) {
        Families.setRole(onA, originator, family, admin, "admin");
        // B serves the admin (and caches the permissions) ...
        for (int i = 0; i < 3; i++) {
          assertThat(
                  onB.patch(
                          "/api/v1/families/" + family,
                          admin.token(),
                          Map.of("description", "round " + round))
                      .status())
              .isEqualTo(200);
        }
        // ... A demotes, and the very next request on B is refused
        Families.setRole(onA, originator, family, admin, "member");
        Api.Response refused =
            onB.patch(
                "/api/v1/families/" + family, admin.token(), Map.of("description", "too late"));
        assertThat(refused.status()).as("round %d: %s", round, refused.text()).isEqualTo(403);
        assertThat(refused.json().get("code").asText()).isEqualTo("forbidden");
      }
    }
  }

  @Test
  void removalVisibilityAndSuperadminChangesReachTheOtherNodeAtOnce() {
    String prefix = TestBackends.newPrefix();
    try (Kinhub a = TestBackends.get().startNode(prefix);
        Kinhub b = TestBackends.get().startNode(prefix)) {
      Api onA = Api.of(a);
      Api onB = Api.of(b);
      User originator = onA.newUser("Originator");
      User member = onA.newUser("Member");
      User stranger = onA.newUser("Stranger");
      String family = Families.create(onA, originator, "Visibility", false);
      Families.join(onA, originator, family, member);
      String path = "/api/v1/families/" + family;

      assertThat(onB.get(path, member.token()).status()).isEqualTo(200);
      assertThat(onA.delete(path + "/members/" + member.id(), originator.token()).status())
          .isEqualTo(204);
      assertThat(onB.get(path, member.token()).status()).isEqualTo(403);

      assertThat(onB.get(path, stranger.token()).status()).isEqualTo(403);
      assertThat(onA.patch(path, originator.token(), Map.of("public", true)).status())
          .isEqualTo(200);
      Api.Response visiting = onB.get(path, stranger.token());
      assertThat(visiting.status()).isEqualTo(200);
      assertThat(visiting.json().get("myRole").asText()).isEqualTo("visitor");
      assertThat(onA.patch(path, originator.token(), Map.of("public", false)).status())
          .isEqualTo(200);
      assertThat(onB.get(path, stranger.token()).status()).isEqualTo(403);

      String check = "family:delete:" + family;
      assertThat(
              onB.post(
                      "/api/v1/permission-checks",
                      stranger.token(),
                      Map.of("permissions", List.of(check)))
                  .json()
                  .get("results")
                  .get(check)
                  .asBoolean())
          .isFalse();
      assertThat(SuperadminCli.grant(a, stranger.login())).isZero();
      assertThat(
              onB.post(
                      "/api/v1/permission-checks",
                      stranger.token(),
                      Map.of("permissions", List.of(check)))
                  .json()
                  .get("results")
                  .get(check)
                  .asBoolean())
          .isTrue();
      assertThat(onB.get(path, stranger.token()).status()).isEqualTo(200);
      assertThat(SuperadminCli.revoke(a, stranger.login())).isZero();
      assertThat(onB.get(path, stranger.token()).status()).isEqualTo(403);
      assertThat(SuperadminCli.grant(a, "nobody-" + stranger.login())).isEqualTo(1);
    }
  }
}
