package io.kinhub.server.tree;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kinhub.server.app.Kinhub;
import io.kinhub.server.family.Families;
import io.kinhub.server.http.Json;
import io.kinhub.server.system.Api;
import io.kinhub.server.system.Api.User;
import io.kinhub.server.system.TestBackends;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Person edits can be made conditional on the tree they were made against: {@code If-Match} with
 * the tree's ETag refuses an edit of a tree that changed meanwhile ({@code 412 tree_changed},
 * nothing changes), and every edit answers with the tree's new ETag, so an editor can tell their
 * own change from someone else's.
 */
class TreeEditPreconditionsApiTest {
  private static final HttpClient CLIENT = HttpClient.newHttpClient();
  private static Kinhub node;
  private static Api api;
  private static User owner;

  @BeforeAll
  static void start() {
    node = TestBackends.get().startNode(TestBackends.newPrefix());
    api = Api.of(node);
    owner = api.newUser("Tree editor");
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private record Reply(int status, String etag, JsonNode json) {}

  private static Reply send(String method, String path, String ifMatch, Object body)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(node.baseUrl() + path))
            .header("Authorization", "Bearer " + owner.token());
    if (ifMatch != null) {
      b.header("If-Match", ifMatch);
    }
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    b.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(Json.MAPPER.writeValueAsString(body)));
    HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    JsonNode json = r.body().isEmpty() ? Json.MAPPER.nullNode() : Json.MAPPER.readTree(r.body());
    return new Reply(r.statusCode(), r.headers().firstValue("ETag").orElse(null), json);
  }

  private static String treeEtag(String family) {
    return api.get("/api/v1/families/" + family + "/tree", owner.token()).header("ETag");
  }

  @Test
  void anEditAgainstAStaleTree_isRefusedWith412AndChangesNothing() throws Exception {
    String f = Families.create(api, owner, "Stale", false);
    String ada = Families.person(api, owner, f, Map.of("name", "Ada"));
    String seen = treeEtag(f);
    // someone else renames Ada meanwhile
    assertThat(
            api.patch(
                    "/api/v1/families/" + f + "/persons/" + ada,
                    owner.token(),
                    Map.of("name", "Ada King"))
                .status())
        .isEqualTo(200);

    Reply stale =
        send("PATCH", "/api/v1/families/" + f + "/persons/" + ada, seen, Map.of("name", "Augusta"));
    assertThat(stale.status()).isEqualTo(412);
    assertThat(stale.json().path("code").asText()).isEqualTo("tree_changed");
    assertThat(stale.etag()).isEqualTo(treeEtag(f));
    assertThat(
            api.get("/api/v1/families/" + f + "/persons/" + ada, owner.token())
                .json()
                .path("name")
                .asText())
        .isEqualTo("Ada King");

    assertThat(send("DELETE", "/api/v1/families/" + f + "/persons/" + ada, seen, null).status())
        .isEqualTo(412);
    assertThat(
            send(
                    "POST",
                    "/api/v1/families/" + f + "/persons",
                    seen,
                    Map.of("name", "Child", "fatherId", ada))
                .status())
        .isEqualTo(412);
    assertThat(api.get("/api/v1/families/" + f + "/tree", owner.token()).json().path("persons"))
        .hasSize(1);
    // a tag that is not this tree's (another family, garbage) never matches
    String other = Families.create(api, owner, "Other", false);
    assertThat(
            send(
                    "PATCH",
                    "/api/v1/families/" + f + "/persons/" + ada,
                    treeEtag(other),
                    Map.of("name", "X"))
                .status())
        .isEqualTo(412);
    assertThat(
            send(
                    "PATCH",
                    "/api/v1/families/" + f + "/persons/" + ada,
                    "\"nonsense\"",
                    Map.of("name", "X"))
                .status())
        .isEqualTo(412);
  }

  @Test
  void anEditAgainstTheCurrentTree_isMadeAndAnswersWithTheTreesNewEtag() throws Exception {
    String f = Families.create(api, owner, "Current", false);
    String ada = Families.person(api, owner, f, Map.of("name", "Ada", "gender", "female"));

    Reply child =
        send(
            "POST",
            "/api/v1/families/" + f + "/persons",
            treeEtag(f),
            Map.of("name", "Byron", "motherId", ada));
    assertThat(child.status()).isEqualTo(201);
    assertThat(child.etag()).isEqualTo(treeEtag(f));
    Reply renamed =
        send(
            "PATCH",
            "/api/v1/families/" + f + "/persons/" + ada,
            "W/" + child.etag(),
            Map.of("name", "Ada King"));
    assertThat(renamed.status()).isEqualTo(200);
    assertThat(renamed.json().path("name").asText()).isEqualTo("Ada King");
    assertThat(renamed.etag()).isEqualTo(treeEtag(f)).isNotEqualTo(child.etag());
    Reply any =
        send("PATCH", "/api/v1/families/" + f + "/persons/" + ada, "*", Map.of("surname", "King"));
    assertThat(any.status()).isEqualTo(200);
    Reply gone =
        send(
            "DELETE",
            "/api/v1/families/" + f + "/persons/" + child.json().path("id").asText(),
            any.etag(),
            null);
    assertThat(gone.status()).isEqualTo(204);
    assertThat(gone.etag()).isEqualTo(treeEtag(f));
    // without If-Match an edit is unconditional, as before, and still tells the new version
    Reply plain =
        send("PATCH", "/api/v1/families/" + f + "/persons/" + ada, null, Map.of("notes", "n"));
    assertThat(plain.status()).isEqualTo(200);
    assertThat(plain.etag()).isEqualTo(treeEtag(f));
  }

  @Test
  void aRefusedEdit_leavesTheVersionAlone() throws Exception {
    String f = Families.create(api, owner, "Refused", false);
    String a = Families.person(api, owner, f, Map.of("name", "A", "gender", "male"));
    String b = Families.person(api, owner, f, Map.of("name", "B", "gender", "male", "fatherId", a));
    String before = treeEtag(f);
    Reply cycle =
        send("PATCH", "/api/v1/families/" + f + "/persons/" + a, before, Map.of("fatherId", b));
    assertThat(cycle.status()).isEqualTo(409);
    assertThat(cycle.json().path("code").asText()).isEqualTo("cycle");
    assertThat(treeEtag(f)).isEqualTo(before);
  }
}
