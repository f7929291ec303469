package io.kinhub.server.genealogy;

import static com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL;
import static io.kinhub.server.session.RouteAccess.SESSION;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.kinhub.server.backing.Database;
import io.kinhub.server.family.FamilyExtension;
import io.kinhub.server.family.FamilyRoutes;
import io.kinhub.server.genealogy.Privacy.Audience;
import io.kinhub.server.http.Json;
import io.kinhub.server.http.JsonBody;
import io.kinhub.server.http.Problem;
import io.kinhub.server.permission.FamilyPermission;
import io.kinhub.server.permission.Permissions;
import io.kinhub.server.permission.Permissions.Access;
import io.kinhub.server.session.Authentication;
import io.kinhub.server.session.Session;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Relationships and kinship terms, generation mismatches, the change history (its reverts are
 * person edits: {@code TreeRoutes}), the account ↔ person link ("me"), and the family's genealogy
 * settings (privacy, founder, poem) on {@code GET/PATCH /families/{id}}.
 */
public final class GenealogyRoutes implements FamilyExtension {
  static final String NOT_RELATED = "not_related";
  private static final int MAX_POEM = 200;
  private static final int DEFAULT_CHANGES = 50;
  private static final int MAX_CHANGES = 200;
  private static final int DEFAULT_MISMATCHES = 500;
  private static final int MAX_MISMATCHES = 5_000;

  private final Database db;
  private final KinGraphs graphs;
  private final Versions versions;
  private final Changes changes;
  private final Permissions permissions;

  public GenealogyRoutes(
      Database db, KinGraphs graphs, Versions versions, Permissions permissions) {
    this.db = db;
    this.graphs = graphs;
    this.versions = versions;
    this.changes = new Changes(db);
    this.permissions = permissions;
  }

  public void register(RoutesConfig routes) {
    routes.get("/api/v1/families/{id}/relationship", this::relationship, SESSION);
    routes.get("/api/v1/families/{id}/generations/mismatches", this::mismatches, SESSION);
    routes.get("/api/v1/families/{id}/changes", this::changes, SESSION);
    routes.get("/api/v1/families/{id}/me", this::me, SESSION);
    routes.put("/api/v1/families/{id}/me", this::setMe, SESSION);
  }

  private KinGraph graph(long family) {
    long version = versions.version(family).orElseThrow(() -> Problem.notFound("No such family."));
    return graphs.graph(family, version);
  }

  private static long personParam(Context ctx, String field) {
    String text = ctx.queryParam(field);
    if (text == null || !text.matches("[1-9][0-9]{0,17}")) {
      throw Problem.invalid(
          field,
          "'"
              + field
              + "' must be a person id (a string of digits)"
              + (field.equals("from") || field.equals("to") ? " or \"me\"." : "."));
    }
    return Long.parseLong(text);
  }

  private Optional<Long> myPerson(long family, long userId) {
    return db.withHandle(
        h ->
            h.createQuery(
                    "SELECT person_id FROM family_person_link WHERE family_id = :family AND account_id = :account")
                .bind("family", family)
                .bind("account", userId)
                .mapTo(Long.class)
                .findOne());
  }

  private long endpoint(Context ctx, String field, long family, long userId) {
    if ("me".equals(ctx.queryParam(field))) {
      return myPerson(family, userId)
          .orElseThrow(
              () ->
                  Problem.invalid(
                      field,
                      "You are not linked to a person of this family yet (PUT /api/v1/families/{id}/me)."));
    }
    return personParam(ctx, field);
  }

  private void relationship(Context ctx) {
    Session s = Authentication.session(ctx);
    long family = FamilyRoutes.pathId(ctx, "id", "family");
    Audience audience = Privacy.audience(permissions.require(s, FamilyPermission.read(family)));
    long from = endpoint(ctx, "from", family, s.userId());
    long to = endpoint(ctx, "to", family, s.userId());
    KinGraph g = graph(family);
    int a = g.index(from);
    int b = g.index(to);
    if (a < 0 || b < 0) {
      throw Problem.notFound("No such person in this family.");
    }
    Relationships.Answer answer = Relationships.between(g, a, b, audience);
    if (answer == null) {
      throw Problem.of(
          404,
          NOT_RELATED,
          "These two persons are not connected by parent, child or spouse links.");
    }
    List<PathPerson> shown = new ArrayList<>();
    for (long id : answer.pathIds()) {
      int i = g.index(id);
      shown.add(
          new PathPerson(
              Long.toString(id),
              Privacy.name(g, audience, i),
              Privacy.hidden(g, audience, i) ? Boolean.TRUE : null));
    }
    Relationship out =
        new Relationship(
            Long.toString(from),
            Long.toString(to),
            answer.pathIds().stream().map(String::valueOf).toList(),
            answer.steps(),
            answer.commonAncestorIds().stream().map(String::valueOf).toList(),
            answer.term(),
            shown,
            g.version());
    Json.respond(ctx, 200, out);
  }

  /** How two persons are related, with the persons of the path as the reader may see them. */
  record Relationship(
      String from,
      String to,
      List<String> path,
      List<String> steps,
      List<String> commonAncestorIds,
      KinshipTerms.Term term,
      List<PathPerson> persons,
      long version) {}

  /** A person on a relationship's path; {@code private} only on a private one. */
  record PathPerson(
      String id, String name, @JsonProperty("private") @JsonInclude(NON_NULL) Boolean hidden) {}

  private static int limit(Context ctx, int dflt, int max) {
    String text = ctx.queryParam("limit");
    if (text == null) {
      return dflt;
    }
    if (!text.matches("[0-9]{1,6}") || Integer.parseInt(text) < 1 || Integer.parseInt(text) > max) {
      throw Problem.invalid("limit", "'limit' must be a whole number from 1 to " + max + ".");
    }
    return Integer.parseInt(text);
  }

  /** A person whose given name does not carry their generation's character. */
  record Mismatch(
      String id, String name, String givenName, int generation, String generationName) {}

  record Mismatches(List<Mismatch> mismatches, int total) {}

  private void mismatches(Context ctx) {
    Session s = Authentication.session(ctx);
    long family = FamilyRoutes.pathId(ctx, "id", "family");
    Audience audience = Privacy.audience(permissions.require(s, FamilyPermission.read(family)));
    int limit = limit(ctx, DEFAULT_MISMATCHES, MAX_MISMATCHES);
    KinGraph g = graph(family);
    List<Mismatch> out = new ArrayList<>();
    int total = 0;
    for (int i = 0; i < g.size(); i++) {
      if (!Boolean.FALSE.equals(Generations.matches(g, i)) || Privacy.hidden(g, audience, i)) {
        continue; // a private person's name is not the visitor's to check
      }
      total++;
      if (out.size() < limit) {
        out.add(
            new Mismatch(
                Long.toString(g.id(i)),
                g.names[i],
                Generations.givenName(g.names[i], g.surnames[i], g.settings.familySurname()),
                g.generation[i],
                Generations.generationName(g, i)));
      }
    }
    Json.respond(ctx, 200, new Mismatches(out, total));
  }

  private void changes(Context ctx) {
    Session s = Authentication.session(ctx);
    long family = FamilyRoutes.pathId(ctx, "id", "family");
    Access access = permissions.require(s, FamilyPermission.read(family));
    if (Privacy.audience(access) != Audience.FULL) {
      throw Problem.of(403, Problem.FORBIDDEN, "The change history is for the family's members.");
    }
    Long person = ctx.queryParam("personId") == null ? null : personParam(ctx, "personId");
    Long before = ctx.queryParam("before") == null ? null : personParam(ctx, "before");
    int limit = limit(ctx, DEFAULT_CHANGES, MAX_CHANGES);
    List<Changes.Change> page = changes.list(family, person, before, limit + 1);
    boolean more = page.size() > limit;
    List<ChangeItem> out = new ArrayList<>();
    for (Changes.Change c : page.subList(0, Math.min(limit, page.size()))) {
      out.add(
          new ChangeItem(
              Long.toString(c.id()),
              c.personId() == null ? null : Long.toString(c.personId()),
              c.kind(),
              c.accountId() == null
                  ? null
                  : new By(
                      Long.toString(c.accountId()), c.displayName() == null ? "" : c.displayName()),
              Json.time(c.at()),
              c.before(),
              c.after(),
              c.reverts() == null ? null : Long.toString(c.reverts())));
    }
    Json.respond(ctx, 200, new ChangePage(out, more ? out.get(out.size() - 1).id() : null));
  }

  /** A recorded change as the history lists it. */
  record ChangeItem(
      String id,
      String personId,
      String kind,
      By by,
      String at,
      ChangeState before,
      ChangeState after,
      String reverts) {}

  /** Who made a change. */
  record By(String userId, String displayName) {}

  /** A page of the history, newest first, and the cursor of the next one (null at the end). */
  record ChangePage(List<ChangeItem> changes, String nextBefore) {}

  /** The person of the tree the caller is (null: none chosen). */
  record Me(String personId) {}

  private void me(Context ctx) {
    Session s = Authentication.session(ctx);
    long family = FamilyRoutes.pathId(ctx, "id", "family");
    permissions.require(s, FamilyPermission.read(family));
    Json.respond(ctx, 200, new Me(myPerson(family, s.userId()).map(String::valueOf).orElse(null)));
  }

  private void setMe(Context ctx) {
    Session s = Authentication.session(ctx);
    long family = FamilyRoutes.pathId(ctx, "id", "family");
    Access access = permissions.require(s, FamilyPermission.read(family));
    if (!access.member()) {
      throw Problem.of(
          403, Problem.FORBIDDEN, "Only members link themselves to a person of the family.");
    }
    JsonBody body = JsonBody.read(ctx);
    Optional<String> text = body.optionalString("personId", 20);
    if (text.isEmpty()) {
      db.withHandle(
          h ->
              h.createUpdate(
                      "DELETE FROM family_person_link WHERE family_id = :family AND account_id = :account")
                  .bind("family", family)
                  .bind("account", s.userId())
                  .execute());
      Json.respond(ctx, 200, new Me(null));
      return;
    }
    long person = idOf("personId", text.get());
    requirePerson(family, person, "personId");
    db.withHandle(
        h ->
            h.createUpdate(
                    "INSERT INTO family_person_link (family_id, account_id, person_id) VALUES (:family, :account, :person) "
                        + "ON CONFLICT (family_id, account_id) DO UPDATE SET person_id = excluded.person_id")
                .bind("family", family)
                .bind("account", s.userId())
                .bind("person", person)
                .execute());
    Json.respond(ctx, 200, new Me(Long.toString(person)));
  }

  private static long idOf(String field, String text) {
    if (!text.matches("[1-9][0-9]{0,17}")) {
      throw Problem.invalid(field, "'" + field + "' must be a person id (a string of digits).");
    }
    return Long.parseLong(text);
  }

  private void requirePerson(long family, long person, String field) {
    boolean exists =
        db.withHandle(
            h ->
                h.createQuery(
                        "SELECT EXISTS (SELECT 1 FROM person WHERE family_id = :family AND id = :id)")
                    .bind("family", family)
                    .bind("id", person)
                    .mapTo(Boolean.class)
                    .one());
    if (!exists) {
      throw Problem.invalid(field, "There is no person " + person + " in this family.");
    }
  }

  // ---- the family's settings (FamilyExtension)

  @Override
  public Runnable patch(long familyId, JsonBody body, long userId) {
    // keyed by column: the PATCH sets any subset of the settings
    Map<String, Object> sets = new LinkedHashMap<>();
    Optional<JsonBody> privacy = body.optionalObject("privacy");
    if (body.isNull("privacy")) {
      throw Problem.invalid("privacy", "'privacy' must be an object.");
    }
    if (privacy.isPresent()) {
      JsonBody p = privacy.get(); // its problems name "privacy.<field>"
      p.optionalLong("maxAliveAge", 1, 200).ifPresent(v -> sets.put("max_alive_age", v.intValue()));
      p.optionalOneOf("showLivingNamesTo", List.of("members", "everyone"))
          .ifPresent(v -> sets.put("show_living_names_to", v));
    }
    if (body.has("founderPersonId")) {
      Optional<String> founder = body.optionalString("founderPersonId", 20);
      if (founder.isPresent()) {
        long id = idOf("founderPersonId", founder.get());
        requirePerson(familyId, id, "founderPersonId");
        sets.put("founder_person_id", id);
      } else {
        sets.put("founder_person_id", null);
      }
    }
    if (body.has("generationPoem")) {
      String poem =
          body.optionalString("generationPoem", 4 * MAX_POEM).map(String::strip).orElse(null);
      if (poem != null
          && (poem.isEmpty()
              || poem.codePointCount(0, poem.length()) > MAX_POEM
              || poem.codePoints().anyMatch(Character::isISOControl))) {
        throw Problem.invalid(
            "generationPoem",
            "'generationPoem' must be 1 to " + MAX_POEM + " characters on one line.");
      }
      sets.put("generation_poem", poem);
    }
    body.optionalLong("poemStartGeneration", 1, 1000)
        .ifPresent(v -> sets.put("poem_start_generation", v.intValue()));
    if (sets.isEmpty()) {
      return () -> {};
    }
    return () -> {
      db.withHandle(
          h -> {
            String assignments =
                String.join(", ", sets.keySet().stream().map(c -> c + " = :" + c).toList());
            var update =
                h.createUpdate(
                        "UPDATE family SET "
                            + assignments
                            + ", tree_version = tree_version + 1 WHERE id = :id")
                    .bind("id", familyId);
            sets.forEach(update::bind);
            return update.execute();
          });
      versions.changed(familyId); // what GET /tree shows depends on these
    };
  }

  @Override
  public Object describe(long familyId, long userId, Access access) {
    Settings settings =
        db.withHandle(
            h ->
                h.createQuery(
                        "SELECT max_alive_age, show_living_names_to, founder_person_id, "
                            + "generation_poem, poem_start_generation FROM family WHERE id = :id")
                    .bind("id", familyId)
                    .map(
                        (rs, ctx) -> {
                          Object founder = rs.getObject("founder_person_id");
                          return new Settings(
                              new PrivacySettings(
                                  rs.getInt("max_alive_age"), rs.getString("show_living_names_to")),
                              founder == null ? null : founder.toString(),
                              rs.getString("generation_poem"),
                              rs.getInt("poem_start_generation"));
                        })
                    .findOne()
                    .orElse(null));
    if (access.member()) {
      return new MemberSettings(
          settings, myPerson(familyId, userId).map(String::valueOf).orElse(null));
    }
    return settings;
  }

  /** The family's genealogy settings, in every family object. */
  record Settings(
      PrivacySettings privacy,
      String founderPersonId,
      String generationPoem,
      int poemStartGeneration) {}

  /** Who counts as living and whose names are shown. */
  record PrivacySettings(int maxAliveAge, String showLivingNamesTo) {}

  /** The settings and, for members only, which person of the tree they are (null: none chosen). */
  record MemberSettings(@JsonUnwrapped Settings settings, String myPersonId) {}
}
