package io.kinhub.server.genealogy;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kinhub.server.app.Kinhub;
import io.kinhub.server.family.Families;
import io.kinhub.server.system.Api;
import io.kinhub.server.system.Api.User;
import io.kinhub.server.system.TestBackends;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Issue 16: relationships on generated trees, generations and 字辈, and the change history. */
class GenealogyApiTest {
  private static Kinhub node;
  private static Api api;
  private static User owner;

  @BeforeAll
  static void start() {
    node = TestBackends.get().startNode(TestBackends.newPrefix());
    api = Api.of(node);
    owner = api.newUser("Owner");
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static String path(String family, String rest) {
    return "/api/v1/families/" + family + rest;
  }

  /** A tree as the test sees it: persons with parents, spouses, sex. */
  private record Tree(Map<String, JsonNode> persons, Map<String, Set<String>> adjacency) {}

  private static Tree tree(String family) {
    JsonNode body = api.get(path(family, "/tree"), owner.token()).json();
    Map<String, JsonNode> persons = new HashMap<>();
    Map<String, Set<String>> adj = new HashMap<>();
    for (JsonNode p : body.get("persons")) {
      String id = p.get("id").asText();
      persons.put(id, p);
      adj.computeIfAbsent(id, k -> new HashSet<>());
      for (String link : new String[] {"fatherId", "motherId"}) {
        if (!p.get(link).isNull()) {
          adj.get(id).add(p.get(link).asText());
          adj.computeIfAbsent(p.get(link).asText(), k -> new HashSet<>()).add(id);
        }
      }
      for (JsonNode s : p.get("spouseIds")) {
        adj.get(id).add(s.asText());
        adj.computeIfAbsent(s.asText(), k -> new HashSet<>()).add(id);
      }
    }
    return new Tree(persons, adj);
  }

  /** The test's own breadth-first distance (links, not collapsed steps); -1 when unreachable. */
  private static int distance(Tree t, String a, String b) {
    Map<String, Integer> dist = new HashMap<>(Map.of(a, 0));
    ArrayDeque<String> queue = new ArrayDeque<>(List.of(a));
    while (!queue.isEmpty()) {
      String u = queue.poll();
      if (u.equals(b)) {
        return dist.get(u);
      }
      for (String w : t.adjacency().getOrDefault(u, Set.of())) {
        if (dist.putIfAbsent(w, dist.get(u) + 1) == null) {
          queue.add(w);
        }
      }
    }
    return -1;
  }

  private static String text(JsonNode p, String field) {
    return p.get(field) == null || p.get(field).isNull() ? null : p.get(field).asText();
  }

  /** Checks each step against the tree; returns the number of links the steps stand for. */
  private static int checkSteps(Tree t, JsonNode answer) {
    List<String> ids = new ArrayList<>();
    answer.get("path").forEach(n -> ids.add(n.asText()));
    List<String> steps = new ArrayList<>();
    answer.get("steps").forEach(n -> steps.add(n.asText()));
    assertThat(ids).hasSize(steps.size() + 1);
    assertThat(ids.get(0)).isEqualTo(answer.get("from").asText());
    assertThat(ids.get(ids.size() - 1)).isEqualTo(answer.get("to").asText());
    int links = 0;
    for (int i = 0; i < steps.size(); i++) {
      JsonNode a = t.persons().get(ids.get(i));
      JsonNode b = t.persons().get(ids.get(i + 1));
      String step = steps.get(i);
      String gender = b.get("gender").asText();
      switch (step) {
        case "father", "mother", "parent" -> {
          assertThat(ids.get(i + 1)).isIn(text(a, "fatherId"), text(a, "motherId"));
          links++;
        }
        case "son", "daughter", "child" -> {
          assertThat(ids.get(i)).isIn(text(b, "fatherId"), text(b, "motherId"));
          links++;
        }
        case "husband", "wife", "spouse" -> {
          List<String> spouses = new ArrayList<>();
          a.get("spouseIds").forEach(n -> spouses.add(n.asText()));
          assertThat(spouses).contains(ids.get(i + 1));
          links++;
        }
        default -> {
          assertThat(step).matches("(elder_|younger_)?(brother|sister)|sibling");
          Set<String> shared = new HashSet<>();
          for (String f : new String[] {"fatherId", "motherId"}) {
            if (text(a, f) != null
                && (text(a, f).equals(text(b, "fatherId"))
                    || text(a, f).equals(text(b, "motherId")))) {
              shared.add(text(a, f));
            }
          }
          assertThat(shared).as("siblings share a parent").isNotEmpty();
          links += 2;
        }
      }
      if (step.endsWith("brother")
          || step.equals("father")
          || step.equals("son")
          || step.equals("husband")) {
        assertThat(gender).isEqualTo("male");
      }
      if (step.endsWith("sister")
          || step.equals("mother")
          || step.equals("daughter")
          || step.equals("wife")) {
        assertThat(gender).isEqualTo("female");
      }
    }
    return links;
  }

  /**
   * A random GEDCOM family tree: a few founding couples, children marrying across lines, some
   * unrelated loners.
   */
  private static String randomGedcom(Random random, int couples) {
    StringBuilder g = new StringBuilder("0 HEAD\n1 CHAR UTF-8\n");
    List<int[]> fams = new ArrayList<>();
    List<Integer> men = new ArrayList<>();
    List<Integer> women = new ArrayList<>();
    int next = 1;
    Map<Integer, String> sex = new LinkedHashMap<>();
    Map<Integer, Integer> birth = new HashMap<>();
    for (int i = 0; i < 4; i++) {
      sex.put(next, "M");
      birth.put(next, 1800 + random.nextInt(10));
      men.add(next++);
      sex.put(next, "F");
      birth.put(next, 1800 + random.nextInt(10));
      women.add(next++);
    }
    List<Integer> children = new ArrayList<>();
    for (int f = 0; f < couples; f++) {
      int husband = men.get(random.nextInt(men.size()));
      int wife = women.get(random.nextInt(women.size()));
      int[] fam = new int[8];
      fam[0] = husband;
      fam[1] = wife;
      int kids = 1 + random.nextInt(3);
      for (int k = 0; k < kids; k++) {
        boolean male = random.nextBoolean();
        sex.put(next, male ? "M" : "F");
        birth.put(next, Math.max(birth.get(husband), birth.get(wife)) + 20 + random.nextInt(15));
        (male ? men : women).add(next);
        fam[2 + k] = next++;
      }
      fams.add(fam);
    }
    for (int loner = 0; loner < 3; loner++) {
      sex.put(next, "M");
      birth.put(next, 1900);
      next++;
    }
    sex.forEach(
        (id, s) ->
            g.append("0 @I")
                .append(id)
                .append("@ INDI\n1 NAME P")
                .append(id)
                .append(" /Test/\n1 SEX ")
                .append(s)
                .append("\n1 BIRT\n2 DATE ")
                .append(birth.get(id))
                .append('\n'));
    int n = 1;
    for (int[] fam : fams) {
      g.append("0 @F")
          .append(n++)
          .append("@ FAM\n1 HUSB @I")
          .append(fam[0])
          .append("@\n1 WIFE @I")
          .append(fam[1])
          .append("@\n");
      for (int k = 2; k < fam.length && fam[k] != 0; k++) {
        g.append("1 CHIL @I").append(fam[k]).append("@\n");
      }
    }
    return g.append("0 TRLR\n").toString();
  }

  @Test
  void relationshipsOnGeneratedTrees_followRealLinks_areShortest_andSymmetricInLength() {
    Random random = new Random(16);
    for (int round = 0; round < 2; round++) {
      String family = Families.create(api, owner, "Generated " + round, false);
      Api.Response imported =
          api.raw(
              "POST",
              path(family, "/gedcom"),
              owner.token(),
              "text/plain",
              randomGedcom(random, 25).getBytes(UTF_8));
      assertThat(imported.status()).as(imported.text()).isEqualTo(200);
      Tree t = tree(family);
      List<String> ids = new ArrayList<>(t.persons().keySet());
      int related = 0;
      int unrelated = 0;
      for (int q = 0; q < 30; q++) {
        String a = ids.get(random.nextInt(ids.size()));
        String b = ids.get(random.nextInt(ids.size()));
        Api.Response r =
            api.get(path(family, "/relationship?from=" + a + "&to=" + b), owner.token());
        int expected = distance(t, a, b);
        if (expected < 0) {
          assertThat(r.status()).isEqualTo(404);
          assertThat(r.json().get("code").asText()).isEqualTo("not_related");
          unrelated++;
          continue;
        }
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(checkSteps(t, r.json())).as("shortest: " + r.text()).isEqualTo(expected);
        Api.Response back =
            api.get(path(family, "/relationship?from=" + b + "&to=" + a), owner.token());
        assertThat(checkSteps(t, back.json())).isEqualTo(expected);
        assertThat(r.json().get("term").get("zh").asText()).isNotBlank();
        assertThat(r.json().get("term").get("en").asText()).isNotBlank();
        related++;
      }
      assertThat(related).isPositive();
      assertThat(unrelated + related).isEqualTo(30);
    }
  }

  @Test
  void cousinThroughFathersBrother_isTangGe_withCommonAncestors_andStrangersAreNotRelated() {
    String family = Families.create(api, owner, "王家", false);
    String grandpa = Families.person(api, owner, family, Map.of("name", "王老", "gender", "male"));
    String grandma =
        Families.person(
            api,
            owner,
            family,
            Map.of("name", "李氏", "gender", "female", "spouseIds", List.of(grandpa)));
    String father =
        Families.person(
            api,
            owner,
            family,
            Map.of(
                "name",
                "王父",
                "gender",
                "male",
                "birthDate",
                "1960",
                "fatherId",
                grandpa,
                "motherId",
                grandma));
    String uncle =
        Families.person(
            api,
            owner,
            family,
            Map.of(
                "name",
                "王伯",
                "gender",
                "male",
                "birthDate",
                "1955",
                "fatherId",
                grandpa,
                "motherId",
                grandma));
    String me =
        Families.person(
            api,
            owner,
            family,
            Map.of("name", "王小明", "gender", "male", "birthDate", "1990", "fatherId", father));
    String cousin =
        Families.person(
            api,
            owner,
            family,
            Map.of("name", "王大明", "gender", "male", "birthDate", "1985", "fatherId", uncle));
    String stranger = Families.person(api, owner, family, Map.of("name", "张三", "gender", "male"));

    Api.Response r =
        api.get(path(family, "/relationship?from=" + me + "&to=" + cousin), owner.token());
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    assertThat(r.json().get("steps").toString())
        .isEqualTo("[\"father\",\"elder_brother\",\"son\"]");
    assertThat(r.json().get("term").get("zh").asText()).isEqualTo("堂哥");
    assertThat(r.json().get("term").get("en").asText()).isEqualTo("cousin");
    List<String> common = new ArrayList<>();
    r.json().get("commonAncestorIds").forEach(n -> common.add(n.asText()));
    assertThat(common).containsExactlyInAnyOrder(grandpa, grandma);
    Api.Response uncleTerm =
        api.get(path(family, "/relationship?from=" + me + "&to=" + uncle), owner.token());
    assertThat(uncleTerm.json().get("term").get("zh").asText()).isEqualTo("伯父");

    Api.Response none =
        api.get(path(family, "/relationship?from=" + me + "&to=" + stranger), owner.token());
    assertThat(none.status()).isEqualTo(404);
    assertThat(none.json().get("code").asText()).isEqualTo("not_related");
    Api.Response bad = api.get(path(family, "/relationship?from=abc&to=" + me), owner.token());
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.json().get("field").asText()).isEqualTo("from");

    // "me": link my account to a person
    Api.Response linked = api.put(path(family, "/me"), owner.token(), Map.of("personId", me));
    assertThat(linked.status()).as(linked.text()).isEqualTo(200);
    Api.Response viaMe =
        api.get(path(family, "/relationship?from=me&to=" + grandpa), owner.token());
    assertThat(viaMe.json().get("term").get("zh").asText()).isEqualTo("爷爷");
    assertThat(api.get(path(family, ""), owner.token()).json().get("myPersonId").asText())
        .isEqualTo(me);
  }

  @Test
  void generations_founderIsOne_poemCycles_mismatchesAreListed_andMothersLineIsNotCounted() {
    String family = Families.create(api, owner, "字辈", false);
    api.patch(path(family, ""), owner.token(), Map.of("surname", "王"));
    String g1 = Families.person(api, owner, family, Map.of("name", "王文一", "gender", "male"));
    String g2 =
        Families.person(
            api, owner, family, Map.of("name", "王章二", "gender", "male", "fatherId", g1));
    String g3 =
        Families.person(
            api, owner, family, Map.of("name", "王大明", "gender", "male", "fatherId", g2));
    String daughter =
        Families.person(
            api, owner, family, Map.of("name", "王华丽", "gender", "female", "fatherId", g3));
    String g5 =
        Families.person(
            api,
            owner,
            family,
            Map.of("name", "王文五", "gender", "male", "surname", "王", "fatherId", g3));
    String viaMother =
        Families.person(
            api, owner, family, Map.of("name", "李四", "gender", "male", "motherId", daughter));

    Api.Response bad =
        api.patch(path(family, ""), owner.token(), Map.of("founderPersonId", "999999"));
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.json().get("field").asText()).isEqualTo("founderPersonId");
    Api.Response set =
        api.patch(
            path(family, ""),
            owner.token(),
            Map.of("founderPersonId", g1, "generationPoem", "文章华", "poemStartGeneration", 1));
    assertThat(set.status()).as(set.text()).isEqualTo(200);
    assertThat(set.json().get("generationPoem").asText()).isEqualTo("文章华");
    assertThat(set.json().get("founderPersonId").asText()).isEqualTo(g1);

    Tree t = tree(family);
    assertThat(t.persons().get(g1).get("generation").asInt()).isEqualTo(1);
    assertThat(t.persons().get(g1).get("generationName").asText()).isEqualTo("文");
    assertThat(t.persons().get(g1).get("generationNameMatches").asBoolean()).isTrue();
    assertThat(t.persons().get(g2).get("generationName").asText()).isEqualTo("章");
    assertThat(t.persons().get(g3).get("generation").asInt()).isEqualTo(3);
    assertThat(t.persons().get(g3).get("generationNameMatches").asBoolean()).isFalse();
    assertThat(t.persons().get(daughter).get("generation").asInt()).isEqualTo(4);
    assertThat(t.persons().get(daughter).get("generationName").asText())
        .isEqualTo("文"); // the poem cycles
    assertThat(t.persons().get(g5).get("generation").asInt()).isEqualTo(4);
    assertThat(t.persons().get(g5).get("generationNameMatches").asBoolean()).isTrue();
    assertThat(t.persons().get(viaMother).get("generation").isNull()).isTrue();
    Api.Response person = api.get(path(family, "/persons/" + g2), owner.token());
    assertThat(person.json().get("generation").asInt()).isEqualTo(2);

    Api.Response mismatches = api.get(path(family, "/generations/mismatches"), owner.token());
    assertThat(mismatches.status()).isEqualTo(200);
    List<String> ids = new ArrayList<>();
    mismatches.json().get("mismatches").forEach(m -> ids.add(m.get("id").asText()));
    assertThat(ids).containsExactlyInAnyOrder(g3, daughter);
    assertThat(mismatches.json().get("mismatches").get(0).get("givenName").asText())
        .doesNotStartWith("王");
  }

  private static JsonNode changes(String family, String query) {
    Api.Response r = api.get(path(family, "/changes" + query), owner.token());
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    return r.json();
  }

  @Test
  void everyWriteLeavesExactlyOneChange_revertRestores_andAConflictingRevertIs409() {
    String family = Families.create(api, owner, "History", false);
    String a = Families.person(api, owner, family, Map.of("name", "Anna", "gender", "female"));
    assertThat(changes(family, "").get("changes")).hasSize(1);
    String b = Families.person(api, owner, family, Map.of("name", "Ben", "gender", "male"));
    assertThat(changes(family, "").get("changes")).hasSize(2);
    assertThat(
            api.patch(
                    path(family, "/persons/" + a),
                    owner.token(),
                    Map.of("name", "Anna Maria", "spouseIds", List.of(b)))
                .status())
        .isEqualTo(200);
    JsonNode page = changes(family, "");
    assertThat(page.get("changes")).hasSize(3);
    JsonNode update = page.get("changes").get(0);
    assertThat(update.get("kind").asText()).isEqualTo("update");
    assertThat(update.get("before").get("name").asText()).isEqualTo("Anna");
    assertThat(update.get("after").get("name").asText()).isEqualTo("Anna Maria");
    assertThat(update.get("by").get("userId").asText()).isEqualTo(owner.id());
    String c = Families.person(api, owner, family, Map.of("name", "Carl", "gender", "male"));
    assertThat(api.delete(path(family, "/persons/" + c), owner.token()).status()).isEqualTo(204);
    assertThat(changes(family, "").get("changes")).hasSize(5);
    Api.Response imported =
        api.raw(
            "POST",
            path(family, "/gedcom"),
            owner.token(),
            "text/plain",
            "0 HEAD\n1 CHAR UTF-8\n0 @I1@ INDI\n1 NAME Gus /Ged/\n0 TRLR\n".getBytes(UTF_8));
    assertThat(imported.status()).isEqualTo(200);
    assertThat(changes(family, "").get("changes")).hasSize(6);
    assertThat(changes(family, "").get("changes").get(0).get("kind").asText()).isEqualTo("import");

    // pagination
    JsonNode first = changes(family, "?limit=4");
    assertThat(first.get("changes")).hasSize(4);
    JsonNode second = changes(family, "?limit=4&before=" + first.get("nextBefore").asText());
    assertThat(second.get("changes")).hasSize(2);
    assertThat(second.get("nextBefore").isNull()).isTrue();
    assertThat(changes(family, "?personId=" + a).get("changes")).hasSize(2);

    // revert the rename: Anna again, spouse link gone
    Api.Response reverted =
        api.post(
            path(family, "/changes/" + update.get("id").asText() + "/revert"),
            owner.token(),
            Map.of());
    assertThat(reverted.status()).as(reverted.text()).isEqualTo(200);
    JsonNode anna = api.get(path(family, "/persons/" + a), owner.token()).json();
    assertThat(anna.get("name").asText()).isEqualTo("Anna");
    assertThat(anna.get("spouseIds")).isEmpty();
    // reverting it again: the person changed since (the revert itself)
    Api.Response again =
        api.post(
            path(family, "/changes/" + update.get("id").asText() + "/revert"),
            owner.token(),
            Map.of());
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.json().get("code").asText()).isEqualTo("conflict");
    // a deleted person comes back with their id
    String carlDelete = changes(family, "?personId=" + c).get("changes").get(0).get("id").asText();
    Api.Response back =
        api.post(path(family, "/changes/" + carlDelete + "/revert"), owner.token(), Map.of());
    assertThat(back.status()).as(back.text()).isEqualTo(200);
    assertThat(api.get(path(family, "/persons/" + c), owner.token()).json().get("name").asText())
        .isEqualTo("Carl");
    // a conflicting edit in between: Ben renamed twice, the first rename cannot be reverted
    api.patch(path(family, "/persons/" + b), owner.token(), Map.of("name", "Benjamin"));
    String firstRename = changes(family, "?personId=" + b).get("changes").get(0).get("id").asText();
    api.patch(path(family, "/persons/" + b), owner.token(), Map.of("name", "Benji"));
    Api.Response conflict =
        api.post(path(family, "/changes/" + firstRename + "/revert"), owner.token(), Map.of());
    assertThat(conflict.status()).isEqualTo(409);
    assertThat(api.get(path(family, "/persons/" + b), owner.token()).json().get("name").asText())
        .isEqualTo("Benji");
    // the import is not revertible change by change
    String importId =
        changes(family, "?limit=200").get("changes").findValuesAsText("kind").indexOf("import") >= 0
            ? findKind(changes(family, "?limit=200"), "import")
            : null;
    assertThat(
            api.post(path(family, "/changes/" + importId + "/revert"), owner.token(), Map.of())
                .status())
        .isEqualTo(409);
  }

  private static String findKind(JsonNode page, String kind) {
    for (JsonNode c : page.get("changes")) {
      if (c.get("kind").asText().equals(kind)) {
        return c.get("id").asText();
      }
    }
    return null;
  }
}
