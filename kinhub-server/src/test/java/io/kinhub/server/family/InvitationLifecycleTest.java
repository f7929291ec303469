package io.kinhub.server.family;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kinhub.server.app.Kinhub;
import io.kinhub.server.system.Api;
import io.kinhub.server.system.Api.User;
import io.kinhub.server.system.TestBackends;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Audit finding 7: a removed admin rejoined with a code made beforehand. An invitation dies when
 * its creator loses {@code family:member:invite} (role change, removal, leaving); accepting a dead
 * one is {@code 410 invitation_revoked}. Live invitations can be listed (without their codes, which
 * only the creator ever sees) and revoked.
 */
class InvitationLifecycleTest {
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

  private static String invite(User by, String family) {
    Api.Response r = api.post("/api/v1/families/" + family + "/invitations", by.token(), Map.of());
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    return r.json().get("code").asText();
  }

  private static Api.Response accept(String code, User by) {
    return api.post("/api/v1/invitations/" + code + "/accept", by.token(), Map.of());
  }

  private static void assertDead(Api.Response r) {
    assertThat(r.status()).as(r.text()).isEqualTo(410);
    assertThat(r.contentType()).startsWith("application/problem+json");
    assertThat(r.json().get("code").asText()).isEqualTo("invitation_revoked");
  }

  /** A family with an admin in it; returns the family id. */
  private static String familyWithAdmin(User originator, User admin) {
    String family = Families.create(api, originator, "Invitations", false);
    Families.join(api, originator, family, admin);
    Families.setRole(api, originator, family, admin, "admin");
    return family;
  }

  private static List<JsonNode> listed(User by, String family) {
    Api.Response r = api.get("/api/v1/families/" + family + "/invitations", by.token());
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    List<JsonNode> out = new ArrayList<>();
    r.json().get("invitations").forEach(out::add);
    return out;
  }

  @Test
  void invitation_diesWhenCreatorLosesInvitePermission() {
    User originator = api.newUser("Originator");
    User admin = api.newUser("Admin");
    User outsider = api.newUser("Outsider");

    // removed: the audit's case, the removed admin rejoining with their own code
    String family = familyWithAdmin(originator, admin);
    String beforeRemoval = invite(admin, family);
    assertThat(
            api.delete("/api/v1/families/" + family + "/members/" + admin.id(), originator.token())
                .status())
        .isEqualTo(204);
    assertDead(accept(beforeRemoval, admin));
    assertDead(accept(beforeRemoval, outsider));
    assertThat(api.get("/api/v1/families/" + family, admin.token()).status()).isEqualTo(403);

    // demoted: dead, and it stays dead when the creator is made admin again
    String demoted = familyWithAdmin(originator, admin);
    String beforeDemotion = invite(admin, demoted);
    Families.setRole(api, originator, demoted, admin, "member");
    assertDead(accept(beforeDemotion, outsider));
    Families.setRole(api, originator, demoted, admin, "admin");
    assertDead(accept(beforeDemotion, outsider));

    // left
    String left = familyWithAdmin(originator, admin);
    String beforeLeaving = invite(admin, left);
    assertThat(
            api.delete("/api/v1/families/" + left + "/members/" + admin.id(), admin.token())
                .status())
        .isEqualTo(204);
    assertDead(accept(beforeLeaving, outsider));

    // family deleted: the invitation is gone with it
    String deleted = familyWithAdmin(originator, admin);
    String beforeDeletion = invite(admin, deleted);
    assertThat(api.delete("/api/v1/families/" + deleted, originator.token()).status())
        .isEqualTo(204);
    assertThat(accept(beforeDeletion, outsider).status()).isEqualTo(404);

    // a creator who keeps the permission keeps their invitations: the originator handing over the
    // role stays admin
    String handedOver = familyWithAdmin(originator, admin);
    String byOriginator = invite(originator, handedOver);
    Families.setRole(api, originator, handedOver, admin, "originator");
    assertThat(accept(byOriginator, outsider).status()).isEqualTo(200);
  }

  @Test
  void liveInvitations_areListed_withoutTheirCodes() {
    User originator = api.newUser("Originator");
    User admin = api.newUser("Admin");
    User joiner = api.newUser("Joiner");
    String family = familyWithAdmin(originator, admin);
    String mine = invite(originator, family);
    String admins = invite(admin, family);
    String used = invite(originator, family);
    assertThat(accept(used, joiner).status()).isEqualTo(200);

    Api.Response raw = api.get("/api/v1/families/" + family + "/invitations", admin.token());
    assertThat(raw.text()).doesNotContain(mine).doesNotContain(admins).doesNotContain(used);
    List<JsonNode> live = listed(originator, family);
    assertThat(live).hasSize(2);
    assertThat(live)
        .extracting(i -> i.get("createdBy").get("userId").asText())
        .containsExactlyInAnyOrder(originator.id(), admin.id());
    for (JsonNode i : live) {
      assertThat(i.get("id").asText()).matches("[0-9a-f]{16}");
      assertThat(i.get("createdAt").asText()).endsWith("Z");
      assertThat(i.get("expiresAt").asText()).endsWith("Z");
      assertThat(i.has("code")).isFalse();
    }
    assertThat(live)
        .extracting(i -> i.get("createdBy").get("displayName").asText())
        .contains("Admin");

    // the admin's invitations leave the list with the admin's permission
    Families.setRole(api, originator, family, admin, "member");
    assertThat(listed(originator, family))
        .extracting(i -> i.get("createdBy").get("userId").asText())
        .containsExactly(originator.id());

    // members (now including the demoted admin) and outsiders may not look
    Api.Response byMember = api.get("/api/v1/families/" + family + "/invitations", joiner.token());
    assertThat(byMember.status()).isEqualTo(403);
    assertThat(byMember.json().get("code").asText()).isEqualTo("forbidden");
    assertThat(api.get("/api/v1/families/" + family + "/invitations", admin.token()).status())
        .isEqualTo(403);
  }

  @Test
  void invitation_canBeRevoked_byCodeOrByListedId() {
    User originator = api.newUser("Originator");
    User admin = api.newUser("Admin");
    User outsider = api.newUser("Outsider");
    String family = familyWithAdmin(originator, admin);
    String path = "/api/v1/families/" + family + "/invitations/";

    String byCode = invite(originator, family);
    assertThat(api.delete(path + byCode, admin.token()).status()).isEqualTo(204);
    assertDead(accept(byCode, outsider));
    assertThat(api.delete(path + byCode, admin.token()).status()).isEqualTo(404);

    String byId = invite(admin, family);
    String id = listed(originator, family).getFirst().get("id").asText();
    assertThat(api.delete(path + id, originator.token()).status()).isEqualTo(204);
    assertDead(accept(byId, outsider));
    assertThat(listed(originator, family)).isEmpty();

    // only in its own family, only with the permission, and junk names nothing
    String other = Families.create(api, outsider, "Elsewhere", false);
    String foreign = invite(outsider, other);
    assertThat(api.delete(path + foreign, originator.token()).status()).isEqualTo(404);
    String live = invite(originator, family);
    User member = api.newUser("Plain member");
    Families.join(api, originator, family, member);
    Api.Response forbidden = api.delete(path + live, member.token());
    assertThat(forbidden.status()).isEqualTo(403);
    for (String junk : new String[] {"x", "%C3%28", "0".repeat(300), "ABCDEF0123456789"}) {
      Api.Response r = api.delete(path + junk, originator.token());
      assertThat(r.status()).as(junk).isEqualTo(404);
      assertThat(r.json().get("code").asText()).isEqualTo("not_found");
    }
    assertThat(accept(foreign, originator).status()).isEqualTo(200);
    assertThat(accept(live, outsider).status()).isEqualTo(200);
  }

  @Test
  void acceptsRacingTheCreatorsRemoval_eachJoinOrAre410_andNoneSucceedsAfterwards()
      throws Exception {
    User originator = api.newUser("Originator");
    User admin = api.newUser("Admin");
    String family = familyWithAdmin(originator, admin);
    List<String> codes = new ArrayList<>();
    List<User> joiners = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      codes.add(invite(admin, family));
      joiners.add(api.newUser("Joiner " + i));
    }
    List<Integer> statuses = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
      List<Future<Integer>> accepts = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        int n = i;
        accepts.add(pool.submit(() -> accept(codes.get(n), joiners.get(n)).status()));
        if (i == 8) {
          int removal =
              api.delete(
                      "/api/v1/families/" + family + "/members/" + admin.id(), originator.token())
                  .status();
          assertThat(removal).isEqualTo(204);
        }
      }
      for (Future<Integer> f : accepts) {
        statuses.add(f.get());
      }
    }
    // lock order creator-membership-then-invitation: no deadlock (a 500) and no hang, only the two
    // outcomes
    assertThat(statuses).allMatch(st -> st == 200 || st == 410);
    // the removal has returned: whatever was not used is dead now
    for (int i = 0; i < 16; i++) {
      if (statuses.get(i) == 410) {
        assertDead(accept(codes.get(i), joiners.get(i)));
      }
    }
    assertThat(listed(originator, family)).isEmpty();
    long joined = statuses.stream().filter(st -> st == 200).count();
    Api.Response members = api.get("/api/v1/families/" + family + "/members", originator.token());
    assertThat(members.json().get("members").size()).isEqualTo(1 + (int) joined);
  }
}
