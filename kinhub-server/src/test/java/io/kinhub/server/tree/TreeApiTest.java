package io.kinhub.server.tree;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kinhub.server.app.Kinhub;
import io.kinhub.server.family.Families;
import io.kinhub.server.http.Json;
import io.kinhub.server.system.Api;
import io.kinhub.server.system.Api.User;
import io.kinhub.server.system.TestBackends;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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

/**
 * Persons and links through HTTP: cycles, deletion, partial dates, names in any script, ETags,
 * races.
 */
class TreeApiTest {
  private static Kinhub node;
  private static Api api;
  private static User owner;

  @BeforeAll
  static void start() {
    node = TestBackends.get().startNode(TestBackends.newPrefix());
    api = Api.of(node);
    owner = api.newUser("Tree keeper");
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static String family() {
    return Families.create(api, owner, "Tree", false);
  }

  private static String person(String family, Map<String, Object> fields) {
    return Families.person(api, owner, family, fields);
  }

  private static Api.Response patch(String family, String person, Map<String, Object> fields) {
    return api.patch("/api/v1/families/" + family + "/persons/" + person, owner.token(), fields);
  }

  @Test
  void aLinkThatMakesSomeoneTheirOwnAncestorIsA409Cycle() {
    String f = family();
    String grandfather = person(f, Map.of("name", "Grandfather", "gender", "male"));
    String father = person(f, Map.of("name", "Father", "gender", "male", "fatherId", grandfather));
    String son = person(f, Map.of("name", "Son", "gender", "male", "fatherId", father));

    Api.Response cycle = patch(f, grandfather, Map.of("fatherId", son));
    assertThat(cycle.status()).isEqualTo(409);
    assertThat(cycle.json().get("code").asText()).isEqualTo("cycle");
    assertThat(patch(f, grandfather, Map.of("motherId", father)).json().get("code").asText())
        .isEqualTo("cycle");
    assertThat(patch(f, father, Map.of("fatherId", father)).json().get("code").asText())
        .isEqualTo("cycle");
    // a link elsewhere in the tree is fine
    String uncle = person(f, Map.of("name", "Uncle", "gender", "male"));
    assertThat(patch(f, uncle, Map.of("fatherId", grandfather)).status()).isEqualTo(200);
    JsonNode grandpa =
        api.get("/api/v1/families/" + f + "/persons/" + grandfather, owner.token()).json();
    assertThat(grandpa.get("childrenIds"))
        .extracting(JsonNode::asText)
        .containsExactlyInAnyOrder(father, uncle);
    assertThat(grandpa.get("fatherId").isNull()).isTrue();
  }

  @Test
  void linksMustStayInsideTheFamily() {
    String f = family();
    String other = family();
    String stranger = person(other, Map.of("name", "Stranger"));
    Api.Response r =
        api.post(
            "/api/v1/families/" + f + "/persons",
            owner.token(),
            Map.of("name", "Child", "fatherId", stranger));
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().get("field").asText()).isEqualTo("fatherId");
    String p = person(f, Map.of("name", "P"));
    assertThat(patch(f, p, Map.of("spouseIds", List.of(p))).json().get("field").asText())
        .isEqualTo("spouseIds");
    String q = person(f, Map.of("name", "Q"));
    assertThat(
            api.post(
                    "/api/v1/families/" + f + "/persons",
                    owner.token(),
                    Map.of("name", "C", "fatherId", q, "motherId", q))
                .json()
                .get("field")
                .asText())
        .isEqualTo("motherId");
    assertThat(api.get("/api/v1/families/" + other + "/persons/" + p, owner.token()).status())
        .isEqualTo(404);
  }

  @Test
  void deletingAPersonWithChildrenNeedsCascadeFalse() {
    String f = family();
    String mother = person(f, Map.of("name", "Mother", "gender", "female"));
    String child = person(f, Map.of("name", "Child", "motherId", mother));
    String spouse = person(f, Map.of("name", "Spouse", "spouseIds", List.of(mother)));
    String path = "/api/v1/families/" + f + "/persons/" + mother;

    Api.Response refused = api.delete(path, owner.token());
    assertThat(refused.status()).isEqualTo(409);
    assertThat(refused.json().get("code").asText()).isEqualTo("has_children");
    assertThat(api.delete(path + "?cascade=true", owner.token()).status()).isEqualTo(400);
    assertThat(api.delete(path + "?cascade=false", owner.token()).status()).isEqualTo(204);
    assertThat(api.get(path, owner.token()).status()).isEqualTo(404);
    JsonNode orphan = api.get("/api/v1/families/" + f + "/persons/" + child, owner.token()).json();
    assertThat(orphan.get("motherId").isNull()).isTrue();
    assertThat(
            api.get("/api/v1/families/" + f + "/persons/" + spouse, owner.token())
                .json()
                .get("spouseIds"))
        .isEmpty();
  }

  @Test
  void partialDatesAreValidatedAndNormalised() {
    String f = family();
    Map<String, String> normalised =
        Map.of(
            "1900",
            "1900",
            "1900-05",
            "1900-05",
            "1900-05-17",
            "1900-05-17",
            "about 1900",
            "about 1900",
            "ABT 1900",
            "about 1900",
            "17 MAY 1900",
            "1900-05-17",
            "2000-02-29",
            "2000-02-29",
            "1900-5-1",
            "1900-05-01");
    for (Map.Entry<String, String> e : normalised.entrySet()) {
      Api.Response r =
          api.post(
              "/api/v1/families/" + f + "/persons",
              owner.token(),
              Map.of("name", "D", "birthDate", e.getKey()));
      assertThat(r.status()).as(e.getKey() + ": " + r.text()).isEqualTo(201);
      assertThat(r.json().get("birthDate").asText()).as(e.getKey()).isEqualTo(e.getValue());
    }
    for (String bad :
        List.of(
            "1900-02-30",
            "1900-13",
            "19000",
            "yesterday",
            "1900-05-32",
            "1899-02-29",
            "about",
            "(")) {
      Api.Response r =
          api.post(
              "/api/v1/families/" + f + "/persons",
              owner.token(),
              Map.of("name", "D", "deathDate", bad));
      assertThat(r.status()).as(bad).isEqualTo(400);
      assertThat(r.json().get("field").asText()).isEqualTo("deathDate");
    }
  }

  @Test
  void chineseNamesSurviveTheRoundTrip() {
    String f = family();
    String name = "欧阳修";
    String p =
        person(
            f,
            Map.of(
                "name", name, "surname", "欧阳", "birthPlace", "綿州", "notes", "北宋文学家\n唐宋八大家之一 😀"));
    JsonNode read = api.get("/api/v1/families/" + f + "/persons/" + p, owner.token()).json();
    assertThat(read.get("name").asText()).isEqualTo(name);
    assertThat(read.get("surname").asText()).isEqualTo("欧阳");
    assertThat(read.get("notes").asText()).isEqualTo("北宋文学家\n唐宋八大家之一 😀");
    JsonNode tree = api.get("/api/v1/families/" + f + "/tree", owner.token()).json();
    assertThat(tree.get("persons").get(0).get("name").asText()).isEqualTo(name);
  }

  @Test
  void theTreeHasAnEtagAndAnswers304UntilItChanges() throws Exception {
    String f = family();
    String a = person(f, Map.of("name", "A"));
    String path = "/api/v1/families/" + f + "/tree";
    Api.Response first = api.get(path, owner.token());
    assertThat(first.status()).isEqualTo(200);
    String etag = first.header("ETag");
    long version = first.json().get("version").asLong();
    assertThat(etag).isNotBlank();

    HttpClient client = HttpClient.newHttpClient();
    HttpRequest conditional =
        HttpRequest.newBuilder(URI.create(node.baseUrl() + path))
            .header("Authorization", "Bearer " + owner.token())
            .header("If-None-Match", etag)
            .build();
    HttpResponse<String> notModified =
        client.send(conditional, HttpResponse.BodyHandlers.ofString());
    assertThat(notModified.statusCode()).isEqualTo(304);
    assertThat(notModified.body()).isEmpty();

    person(f, Map.of("name", "B", "fatherId", a));
    HttpResponse<String> changed = client.send(conditional, HttpResponse.BodyHandlers.ofString());
    assertThat(changed.statusCode()).isEqualTo(200);
    assertThat(changed.headers().firstValue("ETag")).isPresent().get().isNotEqualTo(etag);
    JsonNode tree = Json.MAPPER.readTree(changed.body());
    assertThat(tree.get("version").asLong()).isGreaterThan(version);
    assertThat(tree.get("persons")).hasSize(2);
    assertThat(tree.get("persons").get(1).get("fatherId").asText()).isEqualTo(a);
  }

  @Test
  void concurrentEditsCannotCloseACycleTogether() throws Exception {
    for (int round = 0; round < 15; round++) {
      String f = family();
      String x = person(f, Map.of("name", "X"));
      String y = person(f, Map.of("name", "Y"));
      List<Integer> statuses = new ArrayList<>();
      try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
        Future<Integer> one = pool.submit(() -> patch(f, x, Map.of("fatherId", y)).status());
        Future<Integer> two = pool.submit(() -> patch(f, y, Map.of("fatherId", x)).status());
        statuses.add(one.get());
        statuses.add(two.get());
      }
      assertThat(statuses).containsExactlyInAnyOrder(200, 409);
      JsonNode persons =
          api.get("/api/v1/families/" + f + "/tree", owner.token()).json().get("persons");
      long linked = 0;
      for (JsonNode p : persons) {
        linked += p.get("fatherId").isNull() ? 0 : 1;
      }
      assertThat(linked).isEqualTo(1);
    }
  }

  @Test
  void patchSemantics() {
    String f = family();
    String a =
        person(f, Map.of("name", "A", "gender", "female", "birthDate", "1950", "notes", "keep"));
    String b = person(f, Map.of("name", "B"));
    Map<String, Object> change = new HashMap<>();
    change.put("birthDate", null);
    change.put("spouseIds", List.of(b));
    JsonNode after = patch(f, a, change).json();
    assertThat(after.get("birthDate").isNull()).isTrue();
    assertThat(after.get("notes").asText()).isEqualTo("keep");
    assertThat(after.get("gender").asText()).isEqualTo("female");
    assertThat(after.get("spouseIds")).extracting(JsonNode::asText).containsExactly(b);
    assertThat(
            api.get("/api/v1/families/" + f + "/persons/" + b, owner.token())
                .json()
                .get("spouseIds"))
        .extracting(JsonNode::asText)
        .containsExactly(a);
    assertThat(patch(f, a, Map.of("gender", "other")).json().get("field").asText())
        .isEqualTo("gender");
    assertThat(patch(f, a, Map.of("name", "")).json().get("field").asText()).isEqualTo("name");
    assertThat(patch(f, "123456789", Map.of("name", "x")).status()).isEqualTo(404);
  }
}
