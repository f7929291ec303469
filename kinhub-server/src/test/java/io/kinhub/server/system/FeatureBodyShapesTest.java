package io.kinhub.server.system;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kinhub.server.app.Kinhub;
import io.kinhub.server.system.Api.User;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The tree, genealogy, feed and health bodies written down member by member, in wire order: name,
 * JSON type and null-or-absent state, recursively. Pinned on the map-built bodies before they
 * became records; clients see exactly these.
 */
class FeatureBodyShapesTest {
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

  /**
   * Members the maps built with {@code Map.of}, whose order changed from one JVM to the next: their
   * members are compared sorted.
   */
  private static final Set<String> UNORDERED =
      Set.of("author", "actor", "by", "term", "imported", "database", "bus");

  /** Members in wire order with their JSON types; arrays by their first element. */
  static String layout(JsonNode node) {
    return layout(node, false);
  }

  private static String layout(JsonNode node, boolean sorted) {
    if (node.isObject()) {
      List<String> parts = new ArrayList<>();
      node.fields()
          .forEachRemaining(
              e ->
                  parts.add(
                      e.getKey() + ":" + layout(e.getValue(), UNORDERED.contains(e.getKey()))));
      if (sorted) {
        parts.sort(null);
      }
      return "{" + String.join(",", parts) + "}";
    }
    if (node.isArray()) {
      return node.isEmpty() ? "[]" : "[" + layout(node.get(0), false) + "]";
    }
    return node.isNull()
        ? "null"
        : node.isTextual()
            ? "s"
            : node.isBoolean() ? "b" : node.isIntegralNumber() ? "i" : node.isNumber() ? "f" : "?";
  }

  private static JsonNode ok(Api.Response r, int status) {
    assertThat(r.status()).as(r.text()).isEqualTo(status);
    assertThat(r.contentType()).startsWith("application/json");
    return r.json();
  }

  private static String full(
      String surname, String birth, String death, String father, String children) {
    return String.format(
        "id:s,familyId:s,name:s,surname:%s,gender:s,birthDate:%s,birthPlace:null,deathDate:%s,"
            + "deathPlace:null,fatherId:%s,motherId:null,spouseIds:[],childrenIds:%s,notes:null,"
            + "deceased:b",
        surname, birth, death, father, children);
  }

  @Test
  void treeAndGenealogyBodies_keepTheirShapes() {
    User owner = api.newUser("Owner");
    User visitor = api.newUser("Visitor");
    String f =
        ok(
                api.post(
                    "/api/v1/families",
                    owner.token(),
                    Map.of("name", "Shapes", "surname", "Li", "public", true)),
                201)
            .get("id")
            .asText();
    String p = "/api/v1/families/" + f;
    JsonNode grandpa =
        ok(
            api.post(
                p + "/persons",
                owner.token(),
                Map.of("name", "Li Wen", "birthDate", "1900", "deathDate", "1980")),
            201);
    // a new person of a tree without a founder: generation null, no generation names
    assertThat(layout(grandpa))
        .isEqualTo("{" + full("null", "s", "s", "null", "[]") + ",generation:null}");
    String g = grandpa.get("id").asText();
    Map<String, Object> child = new HashMap<>();
    child.put("name", "Li Zhang");
    child.put("surname", "Li");
    child.put("fatherId", g);
    String c = ok(api.post(p + "/persons", owner.token(), child), 201).get("id").asText();
    ok(api.patch(p, owner.token(), Map.of("founderPersonId", g, "generationPoem", "文章华")), 200);
    String withNames =
        "{"
            + full("null", "s", "s", "null", "[s]")
            + ",generation:i,generationName:s,generationNameMatches:b}";
    assertThat(layout(ok(api.get(p + "/persons/" + g, owner.token()), 200))).isEqualTo(withNames);
    // a visitor sees the dead in full and the living as private
    assertThat(layout(ok(api.get(p + "/persons/" + g, visitor.token()), 200))).isEqualTo(withNames);
    assertThat(layout(ok(api.get(p + "/persons/" + c, visitor.token()), 200)))
        .isEqualTo(
            "{id:s,familyId:s,name:s,private:b,fatherId:s,motherId:null,spouseIds:[],childrenIds:[],"
                + "generation:i}");
    JsonNode edited = ok(api.patch(p + "/persons/" + c, owner.token(), Map.of("notes", "n")), 200);
    assertThat(layout(edited))
        .isEqualTo(
            "{"
                + full("s", "null", "null", "s", "[]").replace("notes:null", "notes:s")
                + ",generation:i,generationName:s,generationNameMatches:b}");
    // a founder of generation 0 is impossible, but a person outside the founder's line has
    // generation null and no names
    String loner =
        ok(api.post(p + "/persons", owner.token(), Map.of("name", "Wang")), 201).get("id").asText();
    assertThat(layout(ok(api.get(p + "/persons/" + loner, owner.token()), 200)))
        .isEqualTo("{" + full("null", "null", "null", "null", "[]") + ",generation:null}");
    assertThat(api.delete(p + "/persons/" + loner, owner.token()).status()).isEqualTo(204);

    JsonNode changes = ok(api.get(p + "/changes", owner.token()), 200);
    String stored =
        "{id:s,name:s,notes:%s,gender:s,surname:%s,deceased:b,familyId:s,fatherId:%s,motherId:null,"
            + "birthDate:%s,deathDate:%s,spouseIds:[],birthPlace:null,deathPlace:null,childrenIds:%s}";
    String lonerStored = String.format(stored, "null", "null", "null", "null", "null", "[]");
    String change =
        "{id:s,personId:s,kind:s,by:{displayName:s,userId:s},at:s,before:%s,after:%s,reverts:%s}";
    assertThat(layout(changes))
        .isEqualTo(
            "{changes:["
                + String.format(change, lonerStored, "null", "null")
                + "],nextBefore:null}");
    List<String> kinds = new ArrayList<>();
    List<String> layouts = new ArrayList<>();
    for (JsonNode ch : changes.get("changes")) {
      kinds.add(ch.get("kind").asText());
      layouts.add(layout(ch));
    }
    assertThat(kinds).containsExactly("delete", "create", "update", "create", "create");
    assertThat(layouts.get(1)).isEqualTo(String.format(change, "null", lonerStored, "null"));
    assertThat(layouts.get(2))
        .isEqualTo(
            String.format(
                change,
                String.format(stored, "null", "s", "s", "null", "null", "[]"),
                String.format(stored, "s", "s", "s", "null", "null", "[]"),
                "null"));
    JsonNode page = ok(api.get(p + "/changes?limit=1", owner.token()), 200);
    assertThat(layout(page).endsWith(",nextBefore:s}")).as(layout(page)).isTrue();
    String deletion = changes.get("changes").get(0).get("id").asText();

    JsonNode reverted =
        ok(api.post(p + "/changes/" + deletion + "/revert", owner.token(), Map.of()), 200);
    assertThat(layout(reverted))
        .isEqualTo("{reverted:s,person:{" + full("null", "null", "null", "null", "[]") + "}}");
    JsonNode revertChange = ok(api.get(p + "/changes?limit=1", owner.token()), 200);
    assertThat(layout(revertChange))
        .isEqualTo(
            "{changes:[" + String.format(change, "null", lonerStored, "s") + "],nextBefore:s}");

    JsonNode relationship =
        ok(api.get(p + "/relationship?from=" + c + "&to=" + g, visitor.token()), 200);
    assertThat(layout(relationship))
        .isEqualTo(
            "{from:s,to:s,path:[s],steps:[s],commonAncestorIds:[s],term:{en:s,zh:s},"
                + "persons:[{id:s,name:s,private:b}],version:i}");
    assertThat(layout(relationship.get("persons").get(1))).isEqualTo("{id:s,name:s}");

    assertThat(layout(ok(api.get(p + "/me", owner.token()), 200))).isEqualTo("{personId:null}");
    assertThat(layout(ok(api.put(p + "/me", owner.token(), Map.of("personId", c)), 200)))
        .isEqualTo("{personId:s}");
    assertThat(layout(ok(api.get(p + "/me", owner.token()), 200))).isEqualTo("{personId:s}");
    Map<String, Object> none = new HashMap<>();
    none.put("personId", null);
    assertThat(layout(ok(api.put(p + "/me", owner.token(), none), 200)))
        .isEqualTo("{personId:null}");

    byte[] gedcom =
        "0 HEAD\n0 @I1@ INDI\n1 NAME Chen /Bo/\n0 @I1@ INDI\n1 NAME Again\n0 TRLR\n"
            .getBytes(StandardCharsets.UTF_8);
    JsonNode imported =
        ok(api.raw("POST", p + "/gedcom", owner.token(), "application/octet-stream", gedcom), 200);
    assertThat(layout(imported))
        .isEqualTo(
            "{imported:{families:i,persons:i},warnings:[{line:i,message:s}],warningCount:i}");
    JsonNode importChange = ok(api.get(p + "/changes?limit=1", owner.token()), 200);
    assertThat(layout(importChange))
        .isEqualTo(
            "{changes:[{id:s,personId:null,kind:s,by:{displayName:s,userId:s},at:s,before:null,"
                + "after:{imported:{families:i,persons:i}},reverts:null}],nextBefore:s}");
  }

  @Test
  void feedBodies_keepTheirShapes() {
    User author = api.newUser("Author");
    User reader = api.newUser("Reader");
    String f =
        ok(
                api.post(
                    "/api/v1/families",
                    author.token(),
                    Map.of("name", "Feed shapes", "public", true)),
                201)
            .get("id")
            .asText();
    String code =
        ok(api.post("/api/v1/families/" + f + "/invitations", author.token(), Map.of()), 201)
            .get("code")
            .asText();
    ok(api.post("/api/v1/invitations/" + code + "/accept", reader.token(), Map.of()), 200);
    String post =
        "{id:s,familyId:s,author:{displayName:s,id:s},text:s,createdAt:s,likeCount:i,"
            + "commentCount:i,likedByMe:b}";
    JsonNode created =
        ok(api.post("/api/v1/families/" + f + "/posts", author.token(), Map.of("text", "hi")), 201);
    assertThat(layout(created)).isEqualTo(post);
    String id = created.get("id").asText();
    assertThat(layout(ok(api.get("/api/v1/posts/" + id, author.token()), 200))).isEqualTo(post);
    assertThat(layout(ok(api.get("/api/v1/families/" + f + "/posts", author.token()), 200)))
        .isEqualTo("{items:[" + post + "],next:null}");
    assertThat(layout(ok(api.get("/api/v1/feed?limit=1", author.token()), 200)))
        .isEqualTo("{items:[" + post + "],next:null}");
    ok(api.post("/api/v1/families/" + f + "/posts", author.token(), Map.of("text", "two")), 201);
    assertThat(layout(ok(api.get("/api/v1/families/" + f + "/posts?limit=1", author.token()), 200)))
        .isEqualTo("{items:[" + post + "],next:s}");
    String comment = "{id:s,author:{displayName:s,id:s},text:s,createdAt:s}";
    assertThat(
            layout(
                ok(
                    api.post(
                        "/api/v1/posts/" + id + "/comments", reader.token(), Map.of("text", "c")),
                    201)))
        .isEqualTo(comment);
    assertThat(layout(ok(api.get("/api/v1/posts/" + id + "/comments", reader.token()), 200)))
        .isEqualTo("{items:[" + comment + "],next:null}");
    assertThat(layout(ok(api.put("/api/v1/posts/" + id + "/like", reader.token(), Map.of()), 200)))
        .isEqualTo("{likeCount:i,likedByMe:b}");
    assertThat(layout(ok(api.get("/api/v1/users/" + author.id(), reader.token()), 200)))
        .isEqualTo("{id:s,displayName:s,followerCount:i,followingCount:i,followedByMe:b}");
    String notification = "{id:s,type:s,actor:{displayName:s,id:s},postId:s,%screatedAt:s,read:b}";
    JsonNode notifications = ok(api.get("/api/v1/notifications", author.token()), 200);
    assertThat(layout(notifications))
        .isEqualTo("{items:[" + String.format(notification, "") + "],next:null,unreadCount:i}");
    assertThat(layout(notifications.get("items").get(1)))
        .isEqualTo(String.format(notification, "commentId:s,"));
  }

  @Test
  void health_keepsItsShape() {
    assertThat(layout(ok(api.get("/health", null), 200)))
        .isEqualTo(
            "{status:s,node:s,version:s,redis:{status:s,mode:s,endpoint:s,runId:s},"
                + "database:{status:s},bus:{instance:s,trusted:b},"
                + "nodes:[{node:s,redis:{mode:s,endpoint:s,runId:s},lastSeenAt:s,version:s,"
                + "startedAt:s,draining:b}],consistent:b}");
  }
}
