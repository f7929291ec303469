package io.kinhub.server.tree;

import static io.kinhub.server.session.RouteAccess.SESSION;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.kinhub.server.family.FamilyRoutes;
import io.kinhub.server.genealogy.KinGraphs;
import io.kinhub.server.genealogy.PersonBody;
import io.kinhub.server.genealogy.Privacy;
import io.kinhub.server.genealogy.Privacy.Audience;
import io.kinhub.server.http.Json;
import io.kinhub.server.http.JsonBody;
import io.kinhub.server.http.Problem;
import io.kinhub.server.permission.FamilyPermission;
import io.kinhub.server.permission.Permissions;
import io.kinhub.server.session.Authentication;
import io.kinhub.server.session.Session;
import io.kinhub.server.tree.gedcom.PartialDate;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Persons, links, reverts of a change from the history, and the whole tree of a family (GEDCOM
 * lives in {@link GedcomRoutes}).
 */
public final class TreeRoutes {
  private static final int MAX_NAME = 200;
  private static final int MAX_SURNAME = 100;
  private static final int MAX_PLACE = 200;
  private static final int MAX_NOTES = 10_000;
  private static final int MAX_SPOUSES = 50;
  private static final Set<String> GENDERS = Set.of("male", "female", "unknown");

  private final PersonStore persons;
  private final TreeVersions versions;
  private final TreeJson trees;
  private final Permissions permissions;
  private final KinGraphs graphs;

  public TreeRoutes(
      PersonStore persons,
      TreeVersions versions,
      TreeJson trees,
      KinGraphs graphs,
      Permissions permissions) {
    this.graphs = graphs;
    this.persons = persons;
    this.versions = versions;
    this.trees = trees;
    this.permissions = permissions;
  }

  public void register(RoutesConfig routes) {
    routes.post("/api/v1/families/{id}/persons", this::create, SESSION);
    routes.get("/api/v1/families/{id}/persons/{personId}", this::read, SESSION);
    routes.patch("/api/v1/families/{id}/persons/{personId}", this::update, SESSION);
    routes.delete("/api/v1/families/{id}/persons/{personId}", this::delete, SESSION);
    routes.post("/api/v1/families/{id}/changes/{changeId}/revert", this::revert, SESSION);
    routes.get("/api/v1/families/{id}/tree", this::tree, SESSION);
    routes.exception(TreeRefusal.class, (e, ctx) -> problem(e).answer(ctx));
  }

  /** The problem a refusal of the tree store is answered with. */
  static Problem problem(TreeRefusal refusal) {
    return switch (refusal.reason()) {
      case NOT_FOUND -> Problem.notFound(refusal.detail());
      case CONFLICT -> Problem.of(409, refusal.code(), refusal.detail());
      case INVALID -> Problem.invalid(refusal.field(), refusal.detail());
      case STALE ->
          Problem.of(412, refusal.code(), refusal.detail())
              .withHeaders(
                  Map.of(
                      "ETag",
                      new TreeJson.Document(refusal.currentVersion(), null)
                          .etag(refusal.familyId())));
    };
  }

  private void create(Context ctx) {
    Session s = Authentication.session(ctx);
    long family = FamilyRoutes.pathId(ctx, "id", "family");
    permissions.require(s, FamilyPermission.createPersons(family));
    PersonStore.Changed changed =
        persons.create(family, edit(JsonBody.read(ctx), true), s.userId(), ifMatch(ctx, family));
    ctx.header("ETag", new TreeJson.Document(changed.version(), null).etag(family));
    Json.respond(ctx, 201, shown(family, changed.person().body(), Audience.FULL));
  }

  private void read(Context ctx) {
    Session s = Authentication.session(ctx);
    long family = FamilyRoutes.pathId(ctx, "id", "family");
    long id = FamilyRoutes.pathId(ctx, "personId", "person");
    Audience audience = Privacy.audience(permissions.require(s, FamilyPermission.read(family)));
    Person person =
        persons
            .find(family, id)
            .orElseThrow(() -> Problem.notFound("No such person in this family."));
    Json.respond(ctx, 200, shown(family, person.body(), audience));
  }

  private void update(Context ctx) {
    Session s = Authentication.session(ctx);
    long family = FamilyRoutes.pathId(ctx, "id", "family");
    long id = FamilyRoutes.pathId(ctx, "personId", "person");
    permissions.require(s, FamilyPermission.editPersons(family));
    PersonStore.Changed changed =
        persons.update(
            family, id, edit(JsonBody.read(ctx), false), s.userId(), ifMatch(ctx, family));
    ctx.header("ETag", new TreeJson.Document(changed.version(), null).etag(family));
    Json.respond(ctx, 200, shown(family, changed.person().body(), Audience.FULL));
  }

  private void delete(Context ctx) {
    Session s = Authentication.session(ctx);
    long family = FamilyRoutes.pathId(ctx, "id", "family");
    long id = FamilyRoutes.pathId(ctx, "personId", "person");
    permissions.require(s, FamilyPermission.deletePersons(family));
    String cascade = ctx.queryParam("cascade");
    if (cascade != null && !cascade.equals("false")) {
      throw Problem.invalid(
          "cascade",
          "Only cascade=false (delete the person and detach their children) is supported.");
    }
    long version = persons.delete(family, id, cascade != null, s.userId(), ifMatch(ctx, family));
    ctx.header("ETag", new TreeJson.Document(version, null).etag(family)).status(204);
  }

  /** The change undone and the person as they are now. */
  record Reverted(String reverted, PersonBody person) {}

  private void revert(Context ctx) {
    Session s = Authentication.session(ctx);
    long family = FamilyRoutes.pathId(ctx, "id", "family");
    long change = FamilyRoutes.pathId(ctx, "changeId", "change");
    permissions.require(s, FamilyPermission.editPersons(family));
    Person person = persons.revert(family, change, s.userId());
    Json.respond(ctx, 200, new Reverted(Long.toString(change), person.body()));
  }

  private void tree(Context ctx) throws IOException {
    Session s = Authentication.session(ctx);
    long family = FamilyRoutes.pathId(ctx, "id", "family");
    Audience audience = Privacy.audience(permissions.require(s, FamilyPermission.read(family)));
    long version = versions.version(family).orElseThrow(() -> Problem.notFound("No such family."));
    String etag = new TreeJson.Document(version, null, audience).etag(family);
    ctx.header("Cache-Control", "private, no-cache");
    if (matches(ctx.header("If-None-Match"), etag)) {
      ctx.header("ETag", etag).status(304);
      return;
    }
    TreeJson.Document document =
        trees
            .document(family, version, audience)
            .orElseThrow(() -> Problem.notFound("No such family."));
    ctx.header("ETag", document.etag(family))
        .header("Vary", "Accept-Encoding")
        .status(200)
        .contentType("application/json");
    if (acceptsGzip(ctx.header("Accept-Encoding"))) {
      ctx.header("Content-Encoding", "gzip")
          .header("Content-Length", Integer.toString(document.gzipped().length));
      ctx.outputStream().write(document.gzipped());
    } else {
      try (InputStream json = document.json()) {
        json.transferTo(ctx.outputStream());
      }
    }
  }

  /**
   * A person as {@code audience} may see them, with the generation fields, from the graph at the
   * current version.
   */
  private Privacy.Shown shown(long family, PersonBody full, Audience audience) {
    if (audience == Audience.FULL && !graphs.hasFounder(family)) {
      // an edit of a large tree does not wait for a graph it does not need
      return Privacy.full(full);
    }
    long version = versions.version(family).orElseThrow(() -> Problem.notFound("No such family."));
    return Privacy.person(full, graphs.graph(family, version), audience);
  }

  /**
   * RFC 9110 If-Match on a person edit, against the tree's ETag (the persons of a tree share its
   * version): the tree versions it names, null when absent or {@code *} (any version). Tags of
   * other families or malformed ones name no version, so they never match.
   */
  static Set<Long> ifMatch(Context ctx, long family) {
    String header = ctx.header("If-Match");
    if (header == null || header.isBlank()) {
      return null;
    }
    Set<Long> versions = new HashSet<>();
    String prefix = "\"tree-" + family + "-";
    for (String candidate : header.split(",", 64)) {
      String tag = candidate.strip();
      if (tag.equals("*")) {
        return null;
      }
      tag = tag.startsWith("W/") ? tag.substring(2) : tag;
      if (tag.startsWith(prefix) && tag.endsWith("\"") && tag.length() > prefix.length() + 1) {
        String digits = tag.substring(prefix.length(), tag.length() - 1);
        if (digits.matches("[0-9]{1,18}")) {
          versions.add(Long.parseLong(digits));
        }
      }
    }
    return versions;
  }

  /** RFC 9110 Accept-Encoding: whether gzip (or {@code *}) is listed without {@code q=0}. */
  static boolean acceptsGzip(String acceptEncoding) {
    if (acceptEncoding == null) {
      return false;
    }
    for (String candidate : acceptEncoding.split(",", 0)) {
      String[] parts = candidate.strip().split(";", 0);
      String coding = parts[0].strip().toLowerCase(Locale.ROOT);
      if (!coding.equals("gzip") && !coding.equals("x-gzip") && !coding.equals("*")) {
        continue;
      }
      boolean refused = false;
      for (int i = 1; i < parts.length; i++) {
        String p = parts[i].strip().toLowerCase(Locale.ROOT).replace(" ", "");
        refused |= p.matches("q=0(\\.0{0,3})?");
      }
      return !refused;
    }
    return false;
  }

  /** RFC 9110 If-None-Match: a list of (possibly weak) entity tags, or {@code *}. */
  static boolean matches(String ifNoneMatch, String etag) {
    if (ifNoneMatch == null) {
      return false;
    }
    for (String candidate : ifNoneMatch.split(",", 0)) {
      String tag = candidate.strip();
      if (tag.equals("*")
          || tag.equals(etag)
          || (tag.startsWith("W/") && tag.substring(2).equals(etag))) {
        return true;
      }
    }
    return false;
  }

  /** Validates a create ({@code complete}) or PATCH body into an edit. */
  private static PersonEdit edit(JsonBody body, boolean complete) {
    // the columns this body sets: a PATCH names any subset of them
    Map<String, Object> columns = new LinkedHashMap<>();
    if (complete || body.has("name")) {
      columns.put(
          "name",
          line(body, "name", MAX_NAME)
              .orElseThrow(() -> Problem.invalid("name", "'name' is required.")));
    }
    text(body, "surname", MAX_SURNAME, true, columns, "surname");
    if (body.has("gender")) {
      String gender = body.optionalString("gender", 16).orElse("unknown");
      if (!GENDERS.contains(gender)) {
        throw Problem.invalid("gender", "'gender' must be \"male\", \"female\" or \"unknown\".");
      }
      columns.put("gender", gender);
    } else if (complete) {
      columns.put("gender", "unknown");
    }
    date(body, "birthDate", "birth_date", columns);
    date(body, "deathDate", "death_date", columns);
    text(body, "birthPlace", MAX_PLACE, true, columns, "birth_place");
    text(body, "deathPlace", MAX_PLACE, true, columns, "death_place");
    text(body, "notes", MAX_NOTES, false, columns, "notes");
    if (body.has("deceased")) {
      columns.put("deceased", body.optionalBoolean("deceased").orElse(false));
    }
    boolean setFather = body.has("fatherId");
    boolean setMother = body.has("motherId");
    List<Long> spouses = null;
    if (body.has("spouseIds")) {
      spouses = new ArrayList<>();
      for (String id : body.optionalStringList("spouseIds", MAX_SPOUSES, 20).orElse(List.of())) {
        spouses.add(personId("spouseIds", id));
      }
    }
    return new PersonEdit(
        columns,
        setFather,
        reference(body, "fatherId"),
        setMother,
        reference(body, "motherId"),
        spouses);
  }

  private static Long reference(JsonBody body, String field) {
    return body.optionalString(field, 20).map(id -> personId(field, id)).orElse(null);
  }

  private static long personId(String field, String id) {
    if (!id.matches("[1-9][0-9]{0,17}")) {
      throw Problem.invalid(field, "'" + field + "' must hold person ids (strings of digits).");
    }
    return Long.parseLong(id);
  }

  private static Optional<String> line(JsonBody body, String field, int max) {
    Optional<String> value = body.optionalString(field, 4 * max).map(String::strip);
    value.ifPresent(
        v -> {
          if (v.isEmpty() || v.codePointCount(0, v.length()) > max) {
            throw Problem.invalid(field, "'" + field + "' must be 1 to " + max + " characters.");
          }
          if (v.codePoints().anyMatch(Character::isISOControl)) {
            throw Problem.invalid(
                field, "'" + field + "' must be one line without control characters.");
          }
        });
    return value;
  }

  private static void text(
      JsonBody body,
      String field,
      int max,
      boolean oneLine,
      Map<String, Object> columns,
      String column) {
    if (!body.has(field)) {
      return;
    }
    if (oneLine) {
      columns.put(column, line(body, field, max).orElse(null));
      return;
    }
    String value =
        body.optionalString(field, max).map(String::strip).filter(v -> !v.isEmpty()).orElse(null);
    if (value != null
        && value.codePoints().anyMatch(c -> Character.isISOControl(c) && c != '\n' && c != '\t')) {
      throw Problem.invalid(
          field,
          "'" + field + "' must not contain control characters other than newlines and tabs.");
    }
    columns.put(column, value);
  }

  private static void date(
      JsonBody body, String field, String column, Map<String, Object> columns) {
    if (!body.has(field)) {
      return;
    }
    Optional<String> text = body.optionalString(field, 256);
    if (text.isEmpty() || text.get().isBlank()) {
      columns.put(column, null);
      return;
    }
    try {
      columns.put(column, PartialDate.parse(text.get()).toString());
    } catch (IllegalArgumentException e) {
      throw Problem.invalid(field, e.getMessage());
    }
  }
}
