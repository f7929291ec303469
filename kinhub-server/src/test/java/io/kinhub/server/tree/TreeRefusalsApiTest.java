package io.kinhub.server.tree;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kinhub.server.app.Kinhub;
import io.kinhub.server.family.Families;
import io.kinhub.server.system.Api;
import io.kinhub.server.system.Api.User;
import io.kinhub.server.system.TestBackends;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every refusal of the person store, answered byte for byte as the API contract has it (status,
 * type, title, detail, code, field, content type), whichever layer turns the refusal into a
 * problem.
 */
class TreeRefusalsApiTest {
  private static Kinhub node;
  private static Api api;
  private static User owner;

  @BeforeAll
  static void start() {
    node = TestBackends.get().startNode(TestBackends.newPrefix());
    api = Api.of(node);
    owner = api.newUser("Refused keeper");
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static String path(String family, String rest) {
    return "/api/v1/families/" + family + rest;
  }

  private static String problem(
      int status, String title, String code, String detail, String field) {
    return "{\"type\":\"https://kinhub.dev/problems/"
        + code.replace('_', '-')
        + "\",\"title\":\""
        + title
        + "\",\"status\":"
        + status
        + ",\"detail\":\""
        + detail
        + "\",\"code\":\""
        + code
        + "\""
        + (field == null ? "" : ",\"field\":\"" + field + "\"")
        + "}";
  }

  private static void assertProblem(Api.Response r, String expected) {
    assertThat(r.text()).isEqualTo(expected);
    assertThat(r.contentType()).startsWith("application/problem+json");
  }

  @Test
  void personAndChangeRefusals_areAnsweredAsTheSameProblems() {
    String f = Families.create(api, owner, "Refusals", false);
    String father = Families.person(api, owner, f, Map.of("name", "Father", "gender", "male"));
    String son =
        Families.person(api, owner, f, Map.of("name", "Son", "gender", "male", "fatherId", father));

    assertProblem(
        api.patch(path(f, "/persons/999999"), owner.token(), Map.of("name", "X")),
        problem(404, "Not Found", "not_found", "No such person in this family.", null));
    assertProblem(
        api.delete(path(f, "/persons/999999"), owner.token()),
        problem(404, "Not Found", "not_found", "No such person in this family.", null));
    assertProblem(
        api.patch(path(f, "/persons/" + father), owner.token(), Map.of("fatherId", son)),
        problem(
            409,
            "Conflict",
            "cycle",
            "Person "
                + son
                + " descends from person "
                + father
                + ", so 'fatherId' would make "
                + father
                + " their own ancestor.",
            null));
    assertProblem(
        api.patch(path(f, "/persons/" + son), owner.token(), Map.of("motherId", son)),
        problem(409, "Conflict", "cycle", "A person cannot be their own parent.", null));
    assertProblem(
        api.patch(path(f, "/persons/" + son), owner.token(), Map.of("spouseIds", List.of(son))),
        problem(
            400,
            "Bad Request",
            "invalid_request",
            "A person cannot be their own spouse.",
            "spouseIds"));
    assertProblem(
        api.patch(path(f, "/persons/" + son), owner.token(), Map.of("fatherId", "999999")),
        problem(
            400,
            "Bad Request",
            "invalid_request",
            "There is no person 999999 in this family.",
            "fatherId"));
    assertProblem(
        api.post(
            path(f, "/persons"),
            owner.token(),
            Map.of("name", "Twin", "fatherId", father, "motherId", father)),
        problem(
            400,
            "Bad Request",
            "invalid_request",
            "The father and the mother must be two different persons.",
            "motherId"));
    assertProblem(
        api.delete(path(f, "/persons/" + father), owner.token()),
        problem(
            409,
            "Conflict",
            "has_children",
            "This person has 1 child(ren) in the tree; delete with ?cascade=false to detach "
                + "them, or delete the children first.",
            null));

    assertProblem(
        api.post(path(f, "/changes/999999/revert"), owner.token(), Map.of()),
        problem(404, "Not Found", "not_found", "No such change in this family.", null));
    JsonNode changes = api.get(path(f, "/changes"), owner.token()).json().get("changes");
    String sonCreated = changes.get(0).get("id").asText();
    String fatherCreated = changes.get(1).get("id").asText();
    assertProblem(
        api.post(path(f, "/changes/" + fatherCreated + "/revert"), owner.token(), Map.of()),
        problem(
            409,
            "Conflict",
            "has_children",
            "Person " + father + " has children now; delete them first.",
            null));
    assertThat(
            api.patch(path(f, "/persons/" + son), owner.token(), Map.of("name", "Son II")).status())
        .isEqualTo(200);
    assertProblem(
        api.post(path(f, "/changes/" + sonCreated + "/revert"), owner.token(), Map.of()),
        problem(
            409,
            "Conflict",
            "conflict",
            "Person " + son + " changed after this change; revert the later changes first.",
            null));

    Api.Response imported =
        api.raw(
            "POST",
            path(f, "/gedcom"),
            owner.token(),
            "text/plain",
            "0 HEAD\n1 CHAR UTF-8\n0 @I1@ INDI\n1 NAME Gus /Ged/\n0 TRLR\n".getBytes(UTF_8));
    assertThat(imported.status()).isEqualTo(200);
    String importChange =
        api.get(path(f, "/changes"), owner.token()).json().get("changes").get(0).get("id").asText();
    assertProblem(
        api.post(path(f, "/changes/" + importChange + "/revert"), owner.token(), Map.of()),
        problem(
            409,
            "Conflict",
            "not_revertible",
            "A GEDCOM import is not reverted change by change; delete its persons " + "instead.",
            null));
  }
}
