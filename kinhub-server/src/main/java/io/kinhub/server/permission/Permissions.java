package io.kinhub.server.permission;

import io.kinhub.redis.events.EventBus;
import io.kinhub.redis.nearcache.NearCache;
import io.kinhub.server.backing.Database;
import io.kinhub.server.http.Problem;
import io.kinhub.server.permission.Roles.FamilyRole;
import io.kinhub.server.session.Session;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Answers "is this user permitted {@code family:member:delete:478}?". A user's effective
 * permissions in a family (from their membership role, the family's visibility and the platform
 * superadmin flag, mapped by {@link Roles}) are computed from PostgreSQL and kept in a {@link
 * NearCache}: every change to a membership, a family's visibility or a superadmin flag invalidates
 * the affected entries on every node before the changing call returns, so a demoted admin is
 * refused everywhere right after the demotion.
 */
public final class Permissions {
  /** A user's standing in one family (or on the platform, for family id 0). */
  public record Access(
      long familyId,
      boolean familyPublic,
      FamilyRole role,
      boolean superadmin,
      List<Permission> granted) {
    public boolean permits(Permission permission) {
      for (Permission p : granted) {
        if (p.implies(permission)) {
          return true;
        }
      }
      return false;
    }

    /** The caller's role as the API names it ({@code visitor} without a membership). */
    public String myRole() {
      return role == null ? FamilyRole.VISITOR.apiName() : role.apiName();
    }

    public boolean member() {
      return role != null;
    }
  }

  private static final long PLATFORM = 0;

  private final Database db;
  private final NearCache<Access> cache;

  public Permissions(
      Database db, EventBus bus, long cacheSize, Duration cacheMaxAge, MeterRegistry meters) {
    this.db = db;
    this.cache = NearCache.create("permissions", bus, cacheSize, cacheMaxAge, meters);
  }

  private static String key(long userId, long familyId) {
    return userId + ":" + familyId;
  }

  /** The user's access to a family; empty when the family does not exist. Near-cached. */
  public Optional<Access> access(long userId, long familyId) {
    return Optional.ofNullable(cache.get(key(userId, familyId), k -> load(userId, familyId)));
  }

  private Access load(long userId, long familyId) {
    record Row(boolean superadmin, Boolean familyPublic, String role) {}
    Optional<Row> row =
        db.withHandle(
            h ->
                h.createQuery(
                        """
            SELECT a.superadmin, f.public, m.role
            FROM account a
            LEFT JOIN family f ON f.id = :family
            LEFT JOIN family_member m ON m.family_id = f.id AND m.account_id = a.id
            WHERE a.id = :user""")
                    .bind("user", userId)
                    .bind("family", familyId)
                    .map(
                        (rs, ctx) ->
                            new Row(
                                rs.getBoolean("superadmin"),
                                (Boolean) rs.getObject("public"),
                                rs.getString("role")))
                    .findOne());
    if (row.isEmpty()) {
      return null;
    }
    boolean superadmin = row.get().superadmin();
    List<Permission> granted = new ArrayList<>(superadmin ? Roles.SUPERADMIN : List.of());
    if (familyId == PLATFORM) {
      return new Access(PLATFORM, false, null, superadmin, List.copyOf(granted));
    }
    if (row.get().familyPublic() == null) {
      return null; // absent families are not cached: one may be created with this id later
    }
    boolean familyPublic = row.get().familyPublic();
    FamilyRole role =
        row.get().role() == null ? null : FamilyRole.member(row.get().role()).orElseThrow();
    if (role != null) {
      granted.addAll(role.permissions(familyId));
    } else if (familyPublic) {
      granted.addAll(FamilyRole.VISITOR.permissions(familyId));
    }
    return new Access(familyId, familyPublic, role, superadmin, List.copyOf(granted));
  }

  /**
   * The caller's access to the family after checking {@code permission}: {@code 404} when the
   * family does not exist, {@code 403 forbidden} when the permission is not granted.
   */
  public Access require(Session session, FamilyPermission permission) {
    Permission wanted = permission.permission();
    Access access =
        access(session.userId(), permission.familyId())
            .orElseThrow(() -> Problem.notFound("No such family."));
    if (!access.permits(wanted)) {
      throw Problem.of(403, Problem.FORBIDDEN, "You lack the permission " + wanted + ".");
    }
    return access;
  }

  /**
   * Whether the user holds {@code permission}. Family permissions are looked up in the family named
   * by the permission's last part ({@code family:...:478}); anything else is checked against
   * platform permissions.
   */
  public boolean permits(long userId, Permission permission) {
    long familyId = PLATFORM;
    if (permission.size() >= 3 && "family".equals(permission.single(0))) {
      familyId = familyId(permission.single(permission.size() - 1));
    }
    Optional<Access> access = access(userId, familyId);
    if (access.isEmpty() && familyId != PLATFORM) {
      access = access(userId, PLATFORM);
    }
    return access.map(a -> a.permits(permission)).orElse(false);
  }

  /** A family id written as a positive decimal of at most 18 digits, else {@link #PLATFORM}. */
  private static long familyId(String text) {
    if (text == null || text.isEmpty() || text.length() > 18 || text.charAt(0) == '0') {
      return PLATFORM;
    }
    long id = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return PLATFORM;
      }
      id = id * 10 + (c - '0');
    }
    return id;
  }

  /**
   * Runs {@code listener} on every node for every change heard of, with the changed {@code
   * "userId:familyId"} keys, or an empty list when everything may have changed.
   */
  public void onChange(Consumer<List<String>> listener) {
    cache.onInvalidation(listener);
  }

  /** After a membership of the user changed: every node forgets it before this returns. */
  public void membershipChanged(long userId, long familyId) {
    cache.invalidateEverywhere(List.of(key(userId, familyId)));
  }

  /**
   * After a change that affects everyone's access to a family (visibility, deletion) or a platform
   * role.
   */
  public void everythingChanged() {
    cache.invalidateAllEverywhere();
  }
}
