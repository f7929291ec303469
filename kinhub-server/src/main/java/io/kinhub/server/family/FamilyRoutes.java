package io.kinhub.server.family;

import static io.kinhub.server.session.RouteAccess.SESSION;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.kinhub.server.backing.Digests;
import io.kinhub.server.family.FamilyStore.Acceptance;
import io.kinhub.server.http.Json;
import io.kinhub.server.http.JsonBody;
import io.kinhub.server.http.Problem;
import io.kinhub.server.permission.FamilyPermission;
import io.kinhub.server.permission.MalformedPermissionException;
import io.kinhub.server.permission.Permission;
import io.kinhub.server.permission.Permissions;
import io.kinhub.server.permission.Permissions.Access;
import io.kinhub.server.permission.Roles.FamilyRole;
import io.kinhub.server.session.Authentication;
import io.kinhub.server.session.Session;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Families, members, invitations, roles and permission checks. Every route asks {@link Permissions}
 * for one explicit permission and nothing else; {@link FamilyStore} invalidates the permission
 * caches of every node when memberships and visibility change, before it returns.
 */
public final class FamilyRoutes {
  private static final int MAX_NAME = 100;
  private static final int MAX_DESCRIPTION = 2000;
  private static final int MAX_CHECKS = 100;
  private static final Duration DEFAULT_INVITATION = Duration.ofDays(7);
  private static final SecureRandom RANDOM = new SecureRandom();

  /** 410 for an invitation that was revoked or whose creator lost the right to invite. */
  static final String INVITATION_REVOKED = "invitation_revoked";

  private final FamilyStore families;
  private final Permissions permissions;
  private volatile FamilyExtension extension = FamilyExtension.NONE;

  /** Adds the fields of another area (genealogy settings) to GET and PATCH of a family. */
  public void extend(FamilyExtension extension) {
    this.extension = extension;
  }

  public FamilyRoutes(FamilyStore families, Permissions permissions) {
    this.families = families;
    this.permissions = permissions;
  }

  public void register(RoutesConfig routes) {
    routes.post("/api/v1/families", this::create, SESSION);
    routes.get("/api/v1/families", this::list, SESSION);
    routes.get("/api/v1/families/{id}", this::read, SESSION);
    routes.patch("/api/v1/families/{id}", this::update, SESSION);
    routes.delete("/api/v1/families/{id}", this::delete, SESSION);
    routes.get("/api/v1/families/{id}/members", this::members, SESSION);
    routes.post("/api/v1/families/{id}/invitations", this::invite, SESSION);
    routes.get("/api/v1/families/{id}/invitations", this::invitations, SESSION);
    routes.delete("/api/v1/families/{id}/invitations/{code}", this::revokeInvitation, SESSION);
    routes.post("/api/v1/invitations/{code}/accept", this::accept, SESSION);
    routes.put("/api/v1/families/{id}/members/{userId}/role", this::setRole, SESSION);
    routes.delete("/api/v1/families/{id}/members/{userId}", this::remove, SESSION);
    routes.post("/api/v1/permission-checks", this::check, SESSION);
  }

  /** A path id: a positive decimal number; anything else names nothing. */
  public static long pathId(Context ctx, String param, String what) {
    String text = ctx.pathParam(param);
    if (!text.matches("[1-9][0-9]{0,17}")) {
      throw Problem.notFound("No such " + what + ".");
    }
    return Long.parseLong(text);
  }

  /**
   * A family as the API shows it; {@code more} adds another area's members ({@link
   * FamilyExtension}).
   */
  record FamilyBody(
      String id,
      String name,
      String surname,
      String description,
      @JsonProperty("public") boolean isPublic,
      String myRole,
      int memberCount,
      String createdAt,
      @JsonUnwrapped Object more) {}

  record Families(List<FamilyBody> families) {}

  record MemberBody(String userId, String displayName, String role, String joinedAt) {}

  record Members(List<MemberBody> members) {}

  record InvitationCreated(String code, String expiresAt) {}

  record Creator(String userId, String displayName) {}

  record InvitationBody(String id, Creator createdBy, String createdAt, String expiresAt) {}

  record Invitations(List<InvitationBody> invitations) {}

  record Joined(String familyId, String role) {}

  record RoleSet(String familyId, String userId, String role) {}

  record Checks(Map<String, Boolean> results) {}

  private static FamilyBody json(Family f, String myRole, Object more) {
    return new FamilyBody(
        Long.toString(f.id()),
        f.name(),
        f.surname(),
        f.description(),
        f.isPublic(),
        myRole,
        f.memberCount(),
        Json.time(f.createdAt()),
        more);
  }

  private static String text(JsonBody body, String field, int max) {
    return body.optionalString(field, 4 * max)
        .map(String::strip)
        .map(s -> checked(field, s, max))
        .orElse(null);
  }

  private static String checked(String field, String value, int max) {
    if (value.isEmpty() || value.codePointCount(0, value.length()) > max) {
      throw Problem.invalid(field, "'" + field + "' must be 1 to " + max + " characters.");
    }
    if (value.codePoints().anyMatch(c -> Character.isISOControl(c) && c != '\n' && c != '\t')) {
      throw Problem.invalid(field, "'" + field + "' must not contain control characters.");
    }
    return value;
  }

  private void create(Context ctx) {
    Session s = Authentication.session(ctx);
    JsonBody body = JsonBody.read(ctx);
    String name = checked("name", body.requiredString("name", 4 * MAX_NAME).strip(), MAX_NAME);
    if (name.contains("\n")) {
      throw Problem.invalid("name", "'name' must be one line.");
    }
    Family family =
        families.create(
            name,
            text(body, "surname", MAX_NAME),
            text(body, "description", MAX_DESCRIPTION),
            body.optionalBoolean("public").orElse(false),
            s.userId());
    Json.respond(ctx, 201, json(family, FamilyRole.ORIGINATOR.apiName(), null));
  }

  private void list(Context ctx) {
    Session s = Authentication.session(ctx);
    List<FamilyBody> out =
        families.familiesOf(s.userId()).stream()
            .map(m -> json(m.family(), m.role().apiName(), null))
            .toList();
    Json.respond(ctx, 200, new Families(out));
  }

  private void read(Context ctx) {
    Session s = Authentication.session(ctx);
    long id = pathId(ctx, "id", "family");
    Access access = permissions.require(s, FamilyPermission.read(id));
    Family family = families.find(id).orElseThrow(() -> Problem.notFound("No such family."));
    Json.respond(
        ctx, 200, json(family, access.myRole(), extension.describe(id, s.userId(), access)));
  }

  private void update(Context ctx) {
    Session s = Authentication.session(ctx);
    long id = pathId(ctx, "id", "family");
    Access access = permissions.require(s, FamilyPermission.edit(id));
    JsonBody body = JsonBody.read(ctx);
    String name = text(body, "name", MAX_NAME);
    if (body.isNull("name")) {
      throw Problem.invalid("name", "'name' cannot be removed.");
    }
    if (name != null && name.contains("\n")) {
      throw Problem.invalid("name", "'name' must be one line.");
    }
    Optional<Boolean> visibility = body.optionalBoolean("public");
    Runnable extra = extension.patch(id, body, s.userId());
    Family family =
        families
            .update(
                id,
                name,
                text(body, "surname", MAX_NAME),
                body.isNull("surname"),
                text(body, "description", MAX_DESCRIPTION),
                body.isNull("description"),
                visibility.orElse(null))
            .orElseThrow(() -> Problem.notFound("No such family."));
    extra.run();
    Json.respond(
        ctx, 200, json(family, access.myRole(), extension.describe(id, s.userId(), access)));
  }

  private void delete(Context ctx) {
    Session s = Authentication.session(ctx);
    long id = pathId(ctx, "id", "family");
    permissions.require(s, FamilyPermission.delete(id));
    if (!families.delete(id)) {
      throw Problem.notFound("No such family.");
    }
    ctx.status(204);
  }

  private void members(Context ctx) {
    Session s = Authentication.session(ctx);
    long id = pathId(ctx, "id", "family");
    permissions.require(s, FamilyPermission.read(id));
    List<MemberBody> out =
        families.members(id).stream()
            .map(
                m ->
                    new MemberBody(
                        Long.toString(m.userId()),
                        m.displayName(),
                        m.role().apiName(),
                        Json.time(m.joinedAt())))
            .toList();
    Json.respond(ctx, 200, new Members(out));
  }

  private void invite(Context ctx) {
    Session s = Authentication.session(ctx);
    long id = pathId(ctx, "id", "family");
    permissions.require(s, FamilyPermission.inviteMembers(id));
    JsonBody body = JsonBody.readOptional(ctx);
    Duration validFor =
        body.optionalLong("validForHours", 1, 24 * 30)
            .map(Duration::ofHours)
            .orElse(DEFAULT_INVITATION);
    byte[] secret = new byte[16];
    RANDOM.nextBytes(secret);
    String code = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    Instant expiresAt = Instant.now().plus(validFor).truncatedTo(ChronoUnit.SECONDS);
    families.createInvitation(id, s.userId(), Digests.sha256Hex(code), expiresAt);
    Json.respond(ctx, 201, new InvitationCreated(code, Json.time(expiresAt)));
  }

  private static boolean isCode(String text) {
    return text.matches("[A-Za-z0-9_-]{22}");
  }

  private void invitations(Context ctx) {
    Session s = Authentication.session(ctx);
    long id = pathId(ctx, "id", "family");
    permissions.require(s, FamilyPermission.readInvitations(id));
    List<InvitationBody> out =
        families.liveInvitations(id).stream()
            .map(
                i ->
                    new InvitationBody(
                        i.id(),
                        new Creator(Long.toString(i.createdBy()), i.createdByName()),
                        Json.time(i.createdAt()),
                        Json.time(i.expiresAt())))
            .toList();
    Json.respond(ctx, 200, new Invitations(out));
  }

  /**
   * Revokes by the code itself or by the listing's id (the code is not stored, so the list cannot
   * show it).
   */
  private void revokeInvitation(Context ctx) {
    Session s = Authentication.session(ctx);
    long id = pathId(ctx, "id", "family");
    permissions.require(s, FamilyPermission.revokeInvitations(id));
    String given = ctx.pathParam("code");
    String key;
    if (isCode(given)) {
      key = Digests.sha256Hex(given);
    } else if (given.matches("[0-9a-f]{16}")) {
      key = given;
    } else {
      throw Problem.notFound("No such invitation.");
    }
    if (!families.revokeInvitation(id, key)) {
      throw Problem.notFound(
          "No such invitation in this family, or it has been used or revoked already.");
    }
    ctx.status(204);
  }

  private void accept(Context ctx) {
    Session s = Authentication.session(ctx);
    String code = ctx.pathParam("code");
    if (!isCode(code)) {
      throw Problem.notFound("No such invitation.");
    }
    Acceptance result = families.accept(Digests.sha256Hex(code), s.userId());
    switch (result) {
      case Acceptance.Joined joined ->
          Json.respond(
              ctx, 200, new Joined(Long.toString(joined.familyId()), FamilyRole.MEMBER.apiName()));
      case Acceptance.AlreadyMember member ->
          throw Problem.of(
              409,
              "already_member",
              "You are a member of this family already; the invitation was not used.");
      case Acceptance.Unknown unknown -> throw Problem.notFound("No such invitation.");
      case Acceptance.Expired expired ->
          throw Problem.of(410, Problem.EXPIRED, "This invitation has expired.");
      case Acceptance.Used used ->
          throw Problem.of(410, "invitation_used", "This invitation has been used already.");
      case Acceptance.Revoked revoked ->
          throw Problem.of(
              410,
              INVITATION_REVOKED,
              revoked.creatorLostPermission()
                  ? "This invitation is no longer valid: the member who made it can no longer invite people to this family."
                  : "This invitation has been revoked by the family.");
    }
  }

  private void setRole(Context ctx) {
    Session s = Authentication.session(ctx);
    long id = pathId(ctx, "id", "family");
    long userId = pathId(ctx, "userId", "member");
    permissions.require(s, FamilyPermission.assignRoles(id));
    JsonBody body = JsonBody.read(ctx);
    String name = body.requiredString("role", 32);
    FamilyRole role =
        FamilyRole.member(name)
            .orElseThrow(
                () ->
                    Problem.invalid(
                        "role", "'role' must be \"admin\", \"member\" or \"originator\"."));
    FamilyRole current =
        families
            .roleOf(id, userId)
            .orElseThrow(() -> Problem.notFound("This user is not a member of the family."));
    if (role == FamilyRole.ORIGINATOR) {
      if (families.transferOriginator(id, userId).isEmpty()) {
        throw Problem.notFound("This user is not a member of the family.");
      }
    } else if (current == FamilyRole.ORIGINATOR) {
      throw Problem.of(
          409,
          Problem.CONFLICT,
          "The originator keeps the role until it is transferred to another member.");
    } else {
      if (!families.setRole(id, userId, role)) {
        throw Problem.notFound("This user is not a member of the family.");
      }
    }
    Json.respond(ctx, 200, new RoleSet(Long.toString(id), Long.toString(userId), role.apiName()));
  }

  private void remove(Context ctx) {
    Session s = Authentication.session(ctx);
    long id = pathId(ctx, "id", "family");
    long userId = pathId(ctx, "userId", "member");
    if (permissions.access(s.userId(), id).isEmpty()) {
      throw Problem.notFound("No such family.");
    }
    Optional<FamilyRole> target = families.roleOf(id, userId);
    if (userId == s.userId()) {
      permissions.require(s, FamilyPermission.leave(id));
    } else {
      // which permission removing someone needs depends on the role they hold
      permissions.require(s, FamilyPermission.removeMember(id, target.orElse(null)));
    }
    if (target.isEmpty() || !families.removeMember(id, userId)) {
      throw Problem.notFound("This user is not a member of the family.");
    }
    ctx.status(204);
  }

  private void check(Context ctx) {
    Session s = Authentication.session(ctx);
    JsonBody body = JsonBody.read(ctx);
    List<String> wanted =
        body.optionalStringList("permissions", MAX_CHECKS, Permission.MAX_LENGTH)
            .orElseThrow(
                () ->
                    Problem.invalid(
                        "permissions",
                        "'permissions' is required: an array of permission strings."));
    Map<String, Boolean> results = new LinkedHashMap<>();
    for (String text : wanted) {
      Permission permission;
      try {
        permission = Permission.parse(text);
      } catch (MalformedPermissionException e) {
        throw Problem.invalid("permissions", e.getMessage());
      }
      results.put(text, permissions.permits(s.userId(), permission));
    }
    Json.respond(ctx, 200, new Checks(results));
  }
}
