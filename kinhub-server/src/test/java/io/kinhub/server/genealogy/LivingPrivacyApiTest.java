package io.kinhub.server.genealogy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kinhub.server.app.Kinhub;
import io.kinhub.server.family.Families;
import io.kinhub.server.system.Api;
import io.kinhub.server.system.Api.User;
import io.kinhub.server.system.TestBackends;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 16, privacy of the living: a visitor of a public family never sees a living person's
 * details, anywhere.
 */
class LivingPrivacyApiTest {
  private static final String SECRET_NAME = "Zebediah Livingperson";
  private static final String SECRET_PLACE = "Secretville";
  private static final String SECRET_NOTES = "Allergic to walnuts";
  private static final String SECRET_DATE = "1990-04-17";
  private static Kinhub node;
  private static Api api;
  private static User owner;
  private static User visitor;
  private static String family;
  private static String living;
  private static String dead;
  private static String child;

  @BeforeAll
  static void start() {
    node = TestBackends.get().startNode(TestBackends.newPrefix());
    api = Api.of(node);
    owner = api.newUser("Owner");
    visitor = api.newUser("Visitor");
    family = Families.create(api, owner, "Public clan", true);
    dead =
        Families.person(
            api,
            owner,
            family,
            Map.of(
                "name",
                "Old Ancestor",
                "gender",
                "male",
                "birthDate",
                "1820",
                "deathDate",
                "1890",
                "birthPlace",
                "Oldtown"));
    living =
        Families.person(
            api,
            owner,
            family,
            Map.of(
                "name",
                SECRET_NAME,
                "gender",
                "male",
                "birthDate",
                SECRET_DATE,
                "birthPlace",
                SECRET_PLACE,
                "notes",
                SECRET_NOTES,
                "fatherId",
                dead));
    child =
        Families.person(
            api,
            owner,
            family,
            Map.of(
                "name",
                "Undated Kid",
                "gender",
                "female",
                "fatherId",
                living,
                "notes",
                SECRET_NOTES));
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static void assertNoSecrets(String route, Api.Response r) {
    assertThat(r.text())
        .as(route)
        .doesNotContain(SECRET_NAME)
        .doesNotContain("Livingperson")
        .doesNotContain(SECRET_PLACE)
        .doesNotContain(SECRET_NOTES)
        .doesNotContain("1990")
        .doesNotContain("Undated Kid")
        .doesNotContain("17 APR");
  }

  /**
   * Every GET route of openapi.json under /api/v1/families/{id}, with the living person wherever a
   * person fits.
   */
  private static List<String> familyGetRoutes() {
    JsonNode paths = api.get("/openapi.json", null).json().get("paths");
    List<String> out = new ArrayList<>();
    paths
        .fields()
        .forEachRemaining(
            e -> {
              if (e.getKey().startsWith("/api/v1/families/{id}") && e.getValue().has("get")) {
                out.add(e.getKey());
              }
            });
    return out;
  }

  private static List<String> concrete(String route) {
    String base =
        route
            .replace("{id}", family)
            .replace("{personId}", living)
            .replace("{userId}", owner.id())
            .replace("{code}", "x")
            .replace("{changeId}", "1");
    List<String> out = new ArrayList<>(List.of(base));
    if (route.endsWith("/relationship")) {
      out.set(0, base + "?from=" + dead + "&to=" + living);
      out.add(base + "?from=" + living + "&to=" + child);
      out.add(base + "?from=" + dead + "&to=" + child);
    }
    if (route.endsWith("/changes")) {
      out.add(base + "?personId=" + living);
    }
    if (route.endsWith("/persons/{personId}")) {
      out.add(route.replace("{id}", family).replace("{personId}", child));
    }
    return out;
  }

  @Test
  void visitorOfAPublicFamily_neverSeesALivingPersonsNameDatesPlacesOrNotes_throughAnyRoute() {
    List<String> routes = familyGetRoutes();
    assertThat(routes)
        .contains(
            "/api/v1/families/{id}/tree",
            "/api/v1/families/{id}/persons/{personId}",
            "/api/v1/families/{id}/gedcom",
            "/api/v1/families/{id}/relationship");
    Map<String, Integer> crawled = new LinkedHashMap<>();
    for (String route : routes) {
      for (String path : concrete(route)) {
        Api.Response r = api.get(path, visitor.token());
        crawled.put(path, r.status());
        assertThat(r.status()).as(path + " " + r.text()).isLessThan(500);
        assertNoSecrets(path, r);
      }
    }
    assertThat(crawled.values()).as("the crawl reached the data: " + crawled).contains(200);

    Api.Response person =
        api.get("/api/v1/families/" + family + "/persons/" + living, visitor.token());
    assertThat(person.status()).isEqualTo(200);
    assertThat(person.json().get("name").asText()).isEqualTo("Private");
    assertThat(person.json().get("private").asBoolean()).isTrue();
    assertThat(person.json().get("fatherId").asText()).isEqualTo(dead);
    assertThat(person.json().has("birthDate")).isFalse();
    // the dead ancestor is shown in full
    Api.Response ancestor =
        api.get("/api/v1/families/" + family + "/persons/" + dead, visitor.token());
    assertThat(ancestor.json().get("name").asText()).isEqualTo("Old Ancestor");
    assertThat(ancestor.json().get("birthPlace").asText()).isEqualTo("Oldtown");
  }

  @Test
  void membersSeeLivingPersonsInFull_andTheTwoAudiencesGetDifferentETags() throws Exception {
    Api.Response tree = api.get("/api/v1/families/" + family + "/tree", owner.token());
    assertThat(tree.text()).contains(SECRET_NAME, SECRET_PLACE, "Undated Kid");
    Api.Response shown = api.get("/api/v1/families/" + family + "/tree", visitor.token());
    assertThat(shown.status()).isEqualTo(200);
    assertNoSecrets("tree", shown);
    assertThat(shown.text()).contains("Old Ancestor");
    assertThat(shown.header("ETag")).isNotEqualTo(tree.header("ETag"));
    // a visitor presenting the members' ETag does not get a 304 (that would confirm a body they may
    // not see)
    var conditional =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(node.baseUrl() + "/api/v1/families/" + family + "/tree"))
                    .header("Authorization", "Bearer " + visitor.token())
                    .header("If-None-Match", tree.header("ETag"))
                    .GET()
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(conditional.statusCode()).isEqualTo(200);
    assertThat(conditional.body()).doesNotContain(SECRET_NAME).doesNotContain(SECRET_PLACE);
    Api.Response gedcom = api.get("/api/v1/families/" + family + "/gedcom", owner.token());
    assertThat(gedcom.text()).contains("Livingperson", SECRET_PLACE);
  }

  @Test
  void livingNamesShownToEveryone_revealTheNameButNeverTheDates() {
    String other = Families.create(api, owner, "Open names", true);
    Families.person(
        api,
        owner,
        other,
        Map.of("name", "Visible Name", "birthDate", "2001-02-03", "birthPlace", SECRET_PLACE));
    Api.Response patched =
        api.patch(
            "/api/v1/families/" + other,
            owner.token(),
            Map.of("privacy", Map.of("showLivingNamesTo", "everyone")));
    assertThat(patched.status()).as(patched.text()).isEqualTo(200);
    assertThat(patched.json().get("privacy").get("showLivingNamesTo").asText())
        .isEqualTo("everyone");
    Api.Response tree = api.get("/api/v1/families/" + other + "/tree", visitor.token());
    assertThat(tree.text())
        .contains("Visible Name")
        .doesNotContain("2001")
        .doesNotContain(SECRET_PLACE);
  }

  @Test
  void maxAliveAgeDecidesWhoIsLiving_andRelativesDatesImplyDeath() {
    String other = Families.create(api, owner, "Ages", true);
    String born1900 =
        Families.person(
            api, owner, other, Map.of("name", "Born Nineteen Hundred", "birthDate", "1900"));
    String undatedSon =
        Families.person(api, owner, other, Map.of("name", "Son Of Old", "fatherId", born1900));
    String father1700 =
        Families.person(api, owner, other, Map.of("name", "Very Old Father", "birthDate", "1700"));
    String undatedChildOfOld =
        Families.person(
            api, owner, other, Map.of("name", "Child Of Very Old", "fatherId", father1700));
    Api.Response tree = api.get("/api/v1/families/" + other + "/tree", visitor.token());
    // born 1900: dead by the default 120 years; the undated son of a man born 1900 is presumed
    // living
    assertThat(tree.text()).contains("Born Nineteen Hundred").doesNotContain("Son Of Old");
    // a parent born 1700 (more than 120 + 45 years ago) makes an undated child dead
    assertThat(tree.text()).contains("Child Of Very Old");
    Api.Response bad =
        api.patch(
            "/api/v1/families/" + other,
            owner.token(),
            Map.of("privacy", Map.of("maxAliveAge", 0)));
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.json().get("field").asText()).isEqualTo("privacy.maxAliveAge");
    assertThat(bad.contentType()).startsWith("application/problem+json");
    Api.Response badNames =
        api.patch(
            "/api/v1/families/" + other,
            owner.token(),
            Map.of("privacy", Map.of("showLivingNamesTo", "cats")));
    assertThat(badNames.json().get("field").asText()).isEqualTo("privacy.showLivingNamesTo");
    Api.Response older =
        api.patch(
            "/api/v1/families/" + other,
            owner.token(),
            Map.of("privacy", Map.of("maxAliveAge", 200)));
    assertThat(older.json().get("privacy").get("maxAliveAge").asInt()).isEqualTo(200);
    assertThat(
            api.get("/api/v1/families/" + other, visitor.token())
                .json()
                .get("privacy")
                .get("maxAliveAge")
                .asInt())
        .isEqualTo(200);
    // with 200 years, someone born 1900 is presumed living
    assertThat(api.get("/api/v1/families/" + other + "/tree", visitor.token()).text())
        .doesNotContain("Born Nineteen Hundred");
    assertThat(undatedSon).isNotEmpty();
    assertThat(undatedChildOfOld).isNotEmpty();
  }

  @Test
  void gedcomDeathOrBurialWithoutADate_marksThePersonDead_andTheExportKeepsIt() {
    String other = Families.create(api, owner, "Events", true);
    String gedcom =
        "0 HEAD\n1 CHAR UTF-8\n0 @I1@ INDI\n1 NAME Buried /Bob/\n1 BIRT\n2 DATE 1990\n1 BURI\n2 PLAC Hill\n"
            + "0 @I2@ INDI\n1 NAME Dead /Dan/\n1 BIRT\n2 DATE 1995\n1 DEAT Y\n"
            + "0 @I3@ INDI\n1 NAME Alive /Al/\n1 BIRT\n2 DATE 1995\n0 TRLR\n";
    Api.Response imported =
        api.raw(
            "POST",
            "/api/v1/families/" + other + "/gedcom",
            owner.token(),
            "text/plain",
            gedcom.getBytes(StandardCharsets.UTF_8));
    assertThat(imported.status()).as(imported.text()).isEqualTo(200);
    String shown = api.get("/api/v1/families/" + other + "/tree", visitor.token()).text();
    assertThat(shown).contains("Buried Bob", "Dead Dan").doesNotContain("Alive Al");
    String exported = api.get("/api/v1/families/" + other + "/gedcom", owner.token()).text();
    assertThat(exported).contains("1 DEAT Y");
  }
}
