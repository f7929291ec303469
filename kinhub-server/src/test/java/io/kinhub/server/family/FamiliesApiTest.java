package io.kinhub.server.family;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kinhub.server.app.Kinhub;
import io.kinhub.server.system.Api;
import io.kinhub.server.system.Api.User;
import io.kinhub.server.system.TestBackends;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Families, invitations, roles and leaving, through HTTP, beyond the role matrix. */
class FamiliesApiTest {
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

  @Test
  void createReadListUpdate() {
    User u = api.newUser("Li Wei");
    Api.Response created =
        api.post(
            "/api/v1/families",
            u.token(),
            Map.of("name", "  李氏宗亲  ", "surname", "李", "description", "The Li clan of Hangzhou"));
    assertThat(created.status()).isEqualTo(201);
    JsonNode f = created.json();
    assertThat(f.get("name").asText()).isEqualTo("李氏宗亲");
    assertThat(f.get("surname").asText()).isEqualTo("李");
    assertThat(f.get("public").asBoolean()).isFalse();
    assertThat(f.get("myRole").asText()).isEqualTo("originator");
    String id = f.get("id").asText();

    JsonNode listed = api.get("/api/v1/families", u.token()).json().get("families");
    assertThat(listed).hasSize(1);
    assertThat(listed.get(0).get("id").asText()).isEqualTo(id);
    assertThat(listed.get(0).get("memberCount").asInt()).isEqualTo(1);

    Api.Response patched =
        api.patch("/api/v1/families/" + id, u.token(), Map.of("public", true, "name", "Li"));
    assertThat(patched.status()).isEqualTo(200);
    assertThat(patched.json().get("public").asBoolean()).isTrue();
    assertThat(patched.json().get("surname").asText()).isEqualTo("李");
    Map<String, Object> clear = new HashMap<>();
    clear.put("surname", null);
    assertThat(api.patch("/api/v1/families/" + id, u.token(), clear).json().get("surname").isNull())
        .isTrue();
  }

  @Test
  void badInputIsA400NamingTheField() {
    User u = api.newUser("Bad Input");
    for (Object[] c :
        new Object[][] {
          {Map.of(), "name"},
          {Map.of("name", ""), "name"},
          {Map.of("name", "x".repeat(101)), "name"},
          {Map.of("name", 7), "name"},
          {Map.of("name", "ok", "public", "yes"), "public"},
          {Map.of("name", "ok", "description", "d".repeat(2001)), "description"},
          {Map.of("name", "a\nb"), "name"}
        }) {
      Api.Response r = api.post("/api/v1/families", u.token(), c[0]);
      assertThat(r.status()).as(c[0].toString()).isEqualTo(400);
      assertThat(r.json().get("field").asText()).isEqualTo(c[1]);
    }
    assertThat(api.get("/api/v1/families/abc", u.token()).status()).isEqualTo(404);
    assertThat(api.get("/api/v1/families/99999999999", u.token()).status()).isEqualTo(404);
    assertThat(api.get("/api/v1/families", null).status()).isEqualTo(401);
    Api.Response malformed =
        api.post(
            "/api/v1/permission-checks", u.token(), Map.of("permissions", List.of("family::read")));
    assertThat(malformed.status()).isEqualTo(400);
    assertThat(malformed.json().get("field").asText()).isEqualTo("permissions");
    assertThat(malformed.json().get("detail").asText()).contains("empty part");
  }

  @Test
  void invitationsAreUsableByOnePersonOnceAndExpire() {
    User owner = api.newUser("Owner");
    User first = api.newUser("First");
    User second = api.newUser("Second");
    String family = Families.create(api, owner, "Invites", false);
    Api.Response invitation =
        api.post(
            "/api/v1/families/" + family + "/invitations",
            owner.token(),
            Map.of("validForHours", 2));
    assertThat(invitation.status()).isEqualTo(201);
    assertThat(invitation.json().get("expiresAt").asText())
        .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
    String code = invitation.json().get("code").asText();

    // the owner is a member already: refused without using the code up
    assertThat(
            api.post("/api/v1/invitations/" + code + "/accept", owner.token(), Map.of())
                .json()
                .get("code")
                .asText())
        .isEqualTo("already_member");
    Api.Response joined =
        api.post("/api/v1/invitations/" + code + "/accept", first.token(), Map.of());
    assertThat(joined.status()).isEqualTo(200);
    assertThat(joined.json().get("familyId").asText()).isEqualTo(family);
    assertThat(joined.json().get("role").asText()).isEqualTo("member");
    Api.Response used =
        api.post("/api/v1/invitations/" + code + "/accept", second.token(), Map.of());
    assertThat(used.status()).isEqualTo(410);
    assertThat(
            api.post("/api/v1/invitations/AAAAAAAAAAAAAAAAAAAAAA/accept", second.token(), Map.of())
                .status())
        .isEqualTo(404);
    assertThat(api.post("/api/v1/invitations/short/accept", second.token(), Map.of()).status())
        .isEqualTo(404);
    assertThat(
            api.post(
                    "/api/v1/families/" + family + "/invitations",
                    owner.token(),
                    Map.of("validForHours", 0))
                .status())
        .isEqualTo(400);

    // two people racing for one code: exactly one gets in
    String raced =
        api.post("/api/v1/families/" + family + "/invitations", owner.token(), Map.of())
            .json()
            .get("code")
            .asText();
    List<User> racers =
        List.of(api.newUser("R1"), api.newUser("R2"), api.newUser("R3"), api.newUser("R4"));
    List<Integer> statuses = new ArrayList<>();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<Integer>> futures =
          racers.stream()
              .map(
                  r ->
                      pool.submit(
                          () ->
                              api.post(
                                      "/api/v1/invitations/" + raced + "/accept",
                                      r.token(),
                                      Map.of())
                                  .status()))
              .toList();
      for (Future<Integer> f : futures) {
        statuses.add(f.get());
      }
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    assertThat(statuses).containsOnlyOnce(200).filteredOn(s -> s != 200).containsOnly(410);
    assertThat(
            api.get("/api/v1/families/" + family + "/members", owner.token()).json().get("members"))
        .hasSize(3);
  }

  @Test
  void transferringTheOriginatorRoleAndLeaving() {
    User owner = api.newUser("Old originator");
    User heir = api.newUser("Heir");
    String family = Families.create(api, owner, "Succession", false);
    Families.join(api, owner, family, heir);
    String path = "/api/v1/families/" + family;

    Api.Response leaving = api.delete(path + "/members/" + owner.id(), owner.token());
    assertThat(leaving.status()).isEqualTo(403);
    assertThat(
            api.put(
                    path + "/members/" + owner.id() + "/role",
                    owner.token(),
                    Map.of("role", "member"))
                .status())
        .isEqualTo(409);
    assertThat(
            api.put(path + "/members/" + heir.id() + "/role", owner.token(), Map.of("role", "king"))
                .status())
        .isEqualTo(400);

    Families.setRole(api, owner, family, heir, "originator");
    JsonNode members = api.get(path + "/members", heir.token()).json().get("members");
    assertThat(members.get(0).get("userId").asText()).isEqualTo(heir.id());
    assertThat(members.get(0).get("role").asText()).isEqualTo("originator");
    assertThat(members.get(1).get("role").asText()).isEqualTo("admin");
    assertThat(members.get(1).get("displayName").asText()).isEqualTo("Old originator");
    assertThat(members.get(1).get("joinedAt").asText()).endsWith("Z");

    // the former originator is an admin now: may leave, and is gone
    assertThat(api.delete(path + "/members/" + owner.id(), owner.token()).status()).isEqualTo(204);
    assertThat(api.get(path, owner.token()).status()).isEqualTo(403);
    assertThat(api.get(path + "/members", heir.token()).json().get("members")).hasSize(1);
    assertThat(api.delete(path + "/members/" + owner.id(), heir.token()).status()).isEqualTo(404);
  }

  @Test
  void deletingAFamilyDeletesItsTreeAndMemberships() {
    User owner = api.newUser("Owner");
    User member = api.newUser("Member");
    String family = Families.create(api, owner, "Short-lived", false);
    Families.join(api, owner, family, member);
    Families.person(api, owner, family, Map.of("name", "Someone"));
    assertThat(api.delete("/api/v1/families/" + family, owner.token()).status()).isEqualTo(204);
    assertThat(api.get("/api/v1/families/" + family, owner.token()).status()).isEqualTo(404);
    assertThat(api.get("/api/v1/families", member.token()).json().get("families")).isEmpty();
  }
}
