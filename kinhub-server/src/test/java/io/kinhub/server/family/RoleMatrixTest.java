package io.kinhub.server.family;

import static org.assertj.core.api.Assertions.assertThat;

import io.kinhub.server.app.Kinhub;
import io.kinhub.server.app.SuperadminCli;
import io.kinhub.server.system.Api;
import io.kinhub.server.system.Api.User;
import io.kinhub.server.system.TestBackends;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The role matrix of API.md, "Families, roles and permissions", row by row through HTTP: every role
 * tries every action on a family of its own (set up fresh, so destructive actions do not
 * interfere), and is either served or refused with {@code 403 forbidden}.
 */
class RoleMatrixTest {
  private static final boolean Y = true;
  private static final boolean N = false;

  private static final String[] ROLES = {
    "superadmin",
    "originator",
    "admin",
    "member",
    "visitor of a public family",
    "visitor of a private family"
  };

  /**
   * The table of API.md, plus the two invitation rows Kinhub adds (listing and revoking); "post to
   * the family feed" is asked through the permission-check endpoint.
   */
  private static final Object[][] MATRIX = {
    // action                     superadmin originator admin member visitor(public)
    // visitor(private)
    {"read family", Y, Y, Y, Y, Y, N},
    {"read members", Y, Y, Y, Y, Y, N},
    {"read tree", Y, Y, Y, Y, Y, N},
    {"edit family profile", N, Y, Y, N, N, N},
    {"delete family", Y, Y, N, N, N, N},
    {"invite members", N, Y, Y, N, N, N},
    {"list invitations", N, Y, Y, N, N, N},
    {"revoke an invitation", N, Y, Y, N, N, N},
    {"remove a member", N, Y, Y, N, N, N},
    {"remove an admin", N, Y, N, N, N, N},
    {"appoint an admin", N, Y, N, N, N, N},
    {"revoke an admin", N, Y, N, N, N, N},
    {"transfer originator", N, Y, N, N, N, N},
    {"add a person", N, Y, Y, N, N, N},
    {"edit a person", N, Y, Y, N, N, N},
    {"delete a person", N, Y, Y, N, N, N},
    {"post to the family feed", N, Y, Y, Y, N, N},
  };

  private static Kinhub node;
  private static Api api;
  private static User originator;
  private static User admin;
  private static User member;
  private static User otherMember;
  private static User otherAdmin;
  private static User visitor;
  private static User superadmin;

  @BeforeAll
  static void start() {
    node = TestBackends.get().startNode(TestBackends.newPrefix());
    api = Api.of(node);
    originator = api.newUser("Originator");
    admin = api.newUser("Admin");
    member = api.newUser("Member");
    otherMember = api.newUser("Other member");
    otherAdmin = api.newUser("Other admin");
    visitor = api.newUser("Visitor");
    superadmin = api.newUser("Superadmin");
    assertThat(SuperadminCli.grant(node, superadmin.login())).isZero();
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  /** A fresh family: every role present, one person without children. */
  private record Setup(String family, String person, String invitation) {}

  private static Setup setUp(boolean isPublic) {
    String family = Families.create(api, originator, "Matrix", isPublic);
    for (User u : List.of(admin, member, otherMember, otherAdmin)) {
      Families.join(api, originator, family, u);
    }
    Families.setRole(api, originator, family, admin, "admin");
    Families.setRole(api, originator, family, otherAdmin, "admin");
    String person = Families.person(api, originator, family, Map.of("name", "Ada Matrix"));
    String invitation =
        api.post("/api/v1/families/" + family + "/invitations", originator.token(), Map.of())
            .json()
            .get("code")
            .asText();
    return new Setup(family, person, invitation);
  }

  /**
   * Runs one action as {@code user}; returns whether it was allowed (and checks the refusal is a
   * 403).
   */
  private static boolean attempt(String action, User user, Setup s) {
    String f = "/api/v1/families/" + s.family();
    String t = user.token();
    Map<String, Function<Void, Api.Response>> actions =
        Map.ofEntries(
            Map.entry("read family", v -> api.get(f, t)),
            Map.entry("read members", v -> api.get(f + "/members", t)),
            Map.entry("read tree", v -> api.get(f + "/tree", t)),
            Map.entry("edit family profile", v -> api.patch(f, t, Map.of("description", "edited"))),
            Map.entry("delete family", v -> api.delete(f, t)),
            Map.entry("invite members", v -> api.post(f + "/invitations", t, Map.of())),
            Map.entry("list invitations", v -> api.get(f + "/invitations", t)),
            Map.entry(
                "revoke an invitation", v -> api.delete(f + "/invitations/" + s.invitation(), t)),
            Map.entry("remove a member", v -> api.delete(f + "/members/" + otherMember.id(), t)),
            Map.entry("remove an admin", v -> api.delete(f + "/members/" + otherAdmin.id(), t)),
            Map.entry(
                "appoint an admin",
                v ->
                    api.put(
                        f + "/members/" + otherMember.id() + "/role", t, Map.of("role", "admin"))),
            Map.entry(
                "revoke an admin",
                v ->
                    api.put(
                        f + "/members/" + otherAdmin.id() + "/role", t, Map.of("role", "member"))),
            Map.entry(
                "transfer originator",
                v ->
                    api.put(
                        f + "/members/" + otherMember.id() + "/role",
                        t,
                        Map.of("role", "originator"))),
            Map.entry(
                "add a person", v -> api.post(f + "/persons", t, Map.of("name", "New Person"))),
            Map.entry(
                "edit a person",
                v -> api.patch(f + "/persons/" + s.person(), t, Map.of("notes", "edited"))),
            Map.entry("delete a person", v -> api.delete(f + "/persons/" + s.person(), t)));
    if (action.equals("post to the family feed")) {
      String permission = "family:feed:post:" + s.family();
      Api.Response r =
          api.post("/api/v1/permission-checks", t, Map.of("permissions", List.of(permission)));
      assertThat(r.status()).as(r.text()).isEqualTo(200);
      return r.json().get("results").get(permission).asBoolean();
    }
    Api.Response r = actions.get(action).apply(null);
    if (r.status() == 403) {
      assertThat(r.json().get("code").asText()).isEqualTo("forbidden");
      assertThat(r.contentType()).startsWith("application/problem+json");
      return false;
    }
    assertThat(r.status())
        .as(action + " by " + user.displayName() + ": " + r.text())
        .isBetween(200, 204);
    return true;
  }

  @TestFactory
  Stream<DynamicTest> everyRoleTimesEveryAction() {
    List<DynamicTest> tests = new ArrayList<>();
    for (Object[] row : MATRIX) {
      String action = (String) row[0];
      for (int r = 0; r < ROLES.length; r++) {
        String role = ROLES[r];
        boolean expected = (Boolean) row[r + 1];
        tests.add(
            DynamicTest.dynamicTest(
                role + " / " + action + " → " + (expected ? "allowed" : "403"),
                () -> {
                  Setup s = setUp(role.equals("visitor of a public family"));
                  User user =
                      switch (role) {
                        case "superadmin" -> superadmin;
                        case "originator" -> originator;
                        case "admin" -> admin;
                        case "member" -> member;
                        default -> visitor;
                      };
                  assertThat(attempt(action, user, s))
                      .as(role + " / " + action)
                      .isEqualTo(expected);
                }));
      }
    }
    return tests.stream();
  }
}
