package io.kinhub.server.family;

import io.kinhub.server.backing.Database;
import io.kinhub.server.permission.Permissions;
import io.kinhub.server.permission.Roles.FamilyRole;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.RowMapper;

/**
 * Families, memberships and invitations in PostgreSQL. Multi-row changes are single transactions.
 *
 * <p>An invitation lives only while its creator holds {@code family:member:invite} in its family.
 * Every change that can take the permission away (role change, originator transfer, removal,
 * leaving) revokes the creator's live invitations in its own transaction, so they stay dead if the
 * permission comes back; and accepting re-checks the creator's current role (catching any change to
 * the role table itself). Both sides lock the creator's membership row before the invitation rows,
 * so they serialise without deadlocks: an acceptance either commits before the creator loses the
 * permission or sees that it is lost.
 */
public final class FamilyStore {
  /** The member roles whose holders may invite, from the role table. */
  private static final List<String> INVITERS =
      Arrays.stream(FamilyRole.values())
          .filter(r -> r != FamilyRole.VISITOR && r.holds("family:member:invite:{family}"))
          .map(FamilyRole::apiName)
          .toList();

  /** Most invitations one listing shows (newest first): the list is for people to read. */
  static final int MAX_LISTED = 500;

  /**
   * Length of the listing's handle: a prefix of the code's SHA-256, which reveals nothing of the
   * code.
   */
  static final int HANDLE_LENGTH = 16;

  private static final String FAMILY_COLUMNS =
      "f.id, f.name, f.surname, f.description, f.public, "
          + "(SELECT count(*) FROM family_member c WHERE c.family_id = f.id) AS member_count, f.created_at";
  private static final RowMapper<Family> FAMILY =
      (rs, ctx) ->
          new Family(
              rs.getLong("id"),
              rs.getString("name"),
              rs.getString("surname"),
              rs.getString("description"),
              rs.getBoolean("public"),
              rs.getInt("member_count"),
              rs.getTimestamp("created_at").toInstant());

  private final Database db;
  private final Permissions permissions;

  /**
   * Every change to memberships, roles or visibility invalidates {@code permissions} on every node
   * once committed.
   */
  public FamilyStore(Database db, Permissions permissions) {
    this.db = db;
    this.permissions = permissions;
  }

  /** Creates a family with {@code originator} as its originator. */
  public Family create(
      String name, String surname, String description, boolean isPublic, long originator) {
    return db.inTransaction(
        h -> {
          long id =
              h.createQuery(
                      "INSERT INTO family (name, surname, description, public) VALUES (:name, :surname, :description, :public) RETURNING id")
                  .bind("name", name)
                  .bind("surname", surname)
                  .bind("description", description)
                  .bind("public", isPublic)
                  .mapTo(Long.class)
                  .one();
          h.createUpdate(
                  "INSERT INTO family_member (family_id, account_id, role) VALUES (:family, :account, 'originator')")
              .bind("family", id)
              .bind("account", originator)
              .execute();
          return find(h, id).orElseThrow();
        });
  }

  public Optional<Family> find(long id) {
    return db.withHandle(h -> find(h, id));
  }

  private static Optional<Family> find(Handle h, long id) {
    return h.createQuery("SELECT " + FAMILY_COLUMNS + " FROM family f WHERE f.id = :id")
        .bind("id", id)
        .map(FAMILY)
        .findOne();
  }

  /** A family the user belongs to, with their role. */
  public record Membership(Family family, FamilyRole role) {}

  /** The families the user belongs to, oldest membership first. */
  public List<Membership> familiesOf(long userId) {
    return db.withHandle(
        h ->
            h.createQuery(
                    "SELECT "
                        + FAMILY_COLUMNS
                        + ", m.role FROM family f "
                        + "JOIN family_member m ON m.family_id = f.id WHERE m.account_id = :user ORDER BY m.joined_at, f.id")
                .bind("user", userId)
                .map(
                    (rs, ctx) ->
                        new Membership(
                            FAMILY.map(rs, ctx),
                            FamilyRole.member(rs.getString("role")).orElseThrow()))
                .list());
  }

  /**
   * Changes the given profile fields (null = unchanged; {@code clearSurname}/{@code
   * clearDescription} set them to null).
   */
  public Optional<Family> update(
      long id,
      String name,
      String surname,
      boolean clearSurname,
      String description,
      boolean clearDescription,
      Boolean isPublic) {
    record Updated(Optional<Family> family, boolean visibilityChanged) {}
    Updated updated =
        db.inTransaction(
            h -> {
              Optional<Boolean> wasPublic =
                  h.createQuery("SELECT public FROM family WHERE id = :id FOR UPDATE")
                      .bind("id", id)
                      .mapTo(Boolean.class)
                      .findOne();
              int n =
                  h.createUpdate(
                          """
              UPDATE family SET name = coalesce(:name, name),
                surname = CASE WHEN :clearSurname THEN NULL ELSE coalesce(:surname, surname) END,
                description = CASE WHEN :clearDescription THEN NULL ELSE coalesce(:description, description) END,
                public = coalesce(:public, public)
              WHERE id = :id""")
                      .bind("id", id)
                      .bind("name", name)
                      .bind("surname", surname)
                      .bind("clearSurname", clearSurname)
                      .bind("description", description)
                      .bind("clearDescription", clearDescription)
                      .bind("public", isPublic)
                      .execute();
              return new Updated(
                  n == 0 ? Optional.<Family>empty() : find(h, id),
                  n == 1
                      && isPublic != null
                      && wasPublic.isPresent()
                      && wasPublic.get() != isPublic.booleanValue());
            });
    if (updated.visibilityChanged()) {
      permissions.everythingChanged(); // every visitor's access changes
    }
    return updated.family();
  }

  /** Deletes the family with its members, invitations and tree. */
  public boolean delete(long id) {
    boolean deleted =
        db.withHandle(
            h -> h.createUpdate("DELETE FROM family WHERE id = :id").bind("id", id).execute() == 1);
    if (deleted) {
      permissions.everythingChanged();
    }
    return deleted;
  }

  public List<Member> members(long familyId) {
    return db.withHandle(
        h ->
            h.createQuery(
                    "SELECT m.account_id, a.display_name, m.role, m.joined_at FROM family_member m "
                        + "JOIN account a ON a.id = m.account_id WHERE m.family_id = :family "
                        + "ORDER BY CASE m.role WHEN 'originator' THEN 0 WHEN 'admin' THEN 1 ELSE 2 END, m.joined_at, m.account_id")
                .bind("family", familyId)
                .map(
                    (rs, ctx) ->
                        new Member(
                            rs.getLong("account_id"),
                            rs.getString("display_name"),
                            FamilyRole.member(rs.getString("role")).orElseThrow(),
                            rs.getTimestamp("joined_at").toInstant()))
                .list());
  }

  public Optional<FamilyRole> roleOf(long familyId, long userId) {
    return db.withHandle(
        h ->
            h.createQuery(
                    "SELECT role FROM family_member WHERE family_id = :family AND account_id = :user")
                .bind("family", familyId)
                .bind("user", userId)
                .mapTo(String.class)
                .findOne()
                .flatMap(FamilyRole::member));
  }

  /**
   * Sets an admin or member role; false when the user is not a member or is the originator. A role
   * without the invite permission ends the user's live invitations in the same transaction.
   */
  public boolean setRole(long familyId, long userId, FamilyRole role) {
    boolean set =
        db.inTransaction(
            h -> {
              boolean changed =
                  h.createUpdate(
                              "UPDATE family_member SET role = :role "
                                  + "WHERE family_id = :family AND account_id = :user AND role <> 'originator'")
                          .bind("role", role.apiName())
                          .bind("family", familyId)
                          .bind("user", userId)
                          .execute()
                      == 1;
              if (changed && !INVITERS.contains(role.apiName())) {
                revokeInvitationsBy(h, familyId, userId);
              }
              return changed;
            });
    if (set) {
      permissions.membershipChanged(userId, familyId);
    }
    return set;
  }

  /** Marks the creator's live invitations in the family dead: they lost the right to invite. */
  private static void revokeInvitationsBy(Handle h, long familyId, long creator) {
    h.createUpdate(
            "UPDATE invitation SET revoked_at = now(), revoked_reason = 'creator_lost_permission' "
                + "WHERE family_id = :family AND created_by = :creator AND accepted_at IS NULL AND revoked_at IS NULL")
        .bind("family", familyId)
        .bind("creator", creator)
        .execute();
  }

  /**
   * Makes {@code to} the originator and the current originator an admin, in one transaction; the id
   * of the former originator, or empty when {@code to} is not a member.
   */
  public Optional<Long> transferOriginator(long familyId, long to) {
    Optional<Long> former =
        db.inTransaction(
            h -> {
              Optional<Long> from =
                  h.createQuery(
                          "SELECT account_id FROM family_member WHERE family_id = :family AND role = 'originator' FOR UPDATE")
                      .bind("family", familyId)
                      .mapTo(Long.class)
                      .findOne();
              boolean member =
                  h.createQuery(
                          "SELECT 1 FROM family_member WHERE family_id = :family AND account_id = :to FOR UPDATE")
                      .bind("family", familyId)
                      .bind("to", to)
                      .mapTo(Integer.class)
                      .findOne()
                      .isPresent();
              if (!member || from.isEmpty()) {
                return Optional.<Long>empty();
              }
              if (from.get() == to) {
                return from;
              }
              h.createUpdate(
                      "UPDATE family_member SET role = 'admin' WHERE family_id = :family AND account_id = :from")
                  .bind("family", familyId)
                  .bind("from", from.get())
                  .execute();
              h.createUpdate(
                      "UPDATE family_member SET role = 'originator' WHERE family_id = :family AND account_id = :to")
                  .bind("family", familyId)
                  .bind("to", to)
                  .execute();
              if (!INVITERS.contains(FamilyRole.ADMIN.apiName())) {
                revokeInvitationsBy(h, familyId, from.get());
              }
              return from;
            });
    former.ifPresent(
        f -> {
          permissions.membershipChanged(f, familyId);
          permissions.membershipChanged(to, familyId);
        });
    return former;
  }

  /**
   * Removes a member unless they are the originator; their live invitations end with the
   * membership.
   */
  public boolean removeMember(long familyId, long userId) {
    boolean removed =
        db.inTransaction(
            h -> {
              boolean gone =
                  h.createUpdate(
                              "DELETE FROM family_member WHERE family_id = :family AND account_id = :user AND role <> 'originator'")
                          .bind("family", familyId)
                          .bind("user", userId)
                          .execute()
                      == 1;
              if (gone) {
                revokeInvitationsBy(h, familyId, userId);
              }
              return gone;
            });
    if (removed) {
      permissions.membershipChanged(userId, familyId);
    }
    return removed;
  }

  /** Stores a new invitation (only the code's hash). */
  public void createInvitation(long familyId, long createdBy, String codeHash, Instant expiresAt) {
    db.withHandle(
        h ->
            h.createUpdate(
                    "INSERT INTO invitation (code_hash, family_id, created_by, expires_at) "
                        + "VALUES (:hash, :family, :by, :expires)")
                .bind("hash", codeHash)
                .bind("family", familyId)
                .bind("by", createdBy)
                .bind("expires", Timestamp.from(expiresAt))
                .execute());
  }

  /** A live invitation as listed: a handle instead of the code, which is not stored. */
  public record LiveInvitation(
      String id, long createdBy, String createdByName, Instant createdAt, Instant expiresAt) {}

  /**
   * The family's live invitations, newest first, at most {@link #MAX_LISTED}: unused, unrevoked,
   * unexpired, and made by someone who may still invite.
   */
  public List<LiveInvitation> liveInvitations(long familyId) {
    return db.withHandle(
        h ->
            h.createQuery(
                    "SELECT left(i.code_hash, :handle) AS handle, i.created_by, a.display_name, i.created_at, i.expires_at FROM invitation i "
                        + "JOIN family_member m ON m.family_id = i.family_id AND m.account_id = i.created_by AND m.role = ANY(:inviters) "
                        + "JOIN account a ON a.id = i.created_by "
                        + "WHERE i.family_id = :family AND i.accepted_at IS NULL AND i.accepted_by IS NULL AND i.revoked_at IS NULL "
                        + "AND i.expires_at > now() ORDER BY i.created_at DESC, i.code_hash LIMIT :limit")
                .bind("handle", HANDLE_LENGTH)
                .bindArray("inviters", String.class, INVITERS)
                .bind("family", familyId)
                .bind("limit", MAX_LISTED)
                .map(
                    (rs, ctx) ->
                        new LiveInvitation(
                            rs.getString("handle"),
                            rs.getLong("created_by"),
                            rs.getString("display_name"),
                            rs.getTimestamp("created_at").toInstant(),
                            rs.getTimestamp("expires_at").toInstant()))
                .list());
  }

  /**
   * Revokes an unused invitation of the family named by the SHA-256 of its code, or by the
   * listing's handle (a prefix of that hash); false when there is none.
   */
  public boolean revokeInvitation(long familyId, String codeHashOrHandle) {
    String match =
        codeHashOrHandle.length() == HANDLE_LENGTH
            ? "left(code_hash, " + HANDLE_LENGTH + ") = :key"
            : "code_hash = :key";
    return db.withHandle(
        h ->
            h.createUpdate(
                        "UPDATE invitation SET revoked_at = now(), revoked_reason = 'revoked' "
                            + "WHERE family_id = :family AND "
                            + match
                            + " AND accepted_at IS NULL AND accepted_by IS NULL AND revoked_at IS NULL")
                    .bind("family", familyId)
                    .bind("key", codeHashOrHandle)
                    .execute()
                > 0);
  }

  /** What accepting an invitation did. */
  public sealed interface Acceptance {
    record Joined(long familyId) implements Acceptance {}

    record AlreadyMember(long familyId) implements Acceptance {}

    record Unknown() implements Acceptance {}

    record Expired() implements Acceptance {}

    record Used() implements Acceptance {}

    /** Revoked, or its creator can no longer invite ({@code creatorLostPermission}). */
    record Revoked(boolean creatorLostPermission) implements Acceptance {}
  }

  /**
   * Uses an invitation: in one transaction the code is claimed (only if unused, unrevoked and
   * unexpired, by database time, and while its creator may still invite) and the membership
   * created. A user who is a member already does not use up the code.
   */
  public Acceptance accept(String codeHash, long userId) {
    Acceptance result =
        db.inTransaction(
            h -> {
              record Creator(long familyId, long createdBy) {}
              Optional<Creator> creator =
                  h.createQuery(
                          "SELECT family_id, created_by FROM invitation WHERE code_hash = :hash")
                      .bind("hash", codeHash)
                      .map(
                          (rs, ctx) ->
                              new Creator(rs.getLong("family_id"), rs.getLong("created_by")))
                      .findOne();
              if (creator.isEmpty()) {
                return new Acceptance.Unknown();
              }
              // the creator's membership first, then the invitation: the order role changes and
              // removals lock them in
              Optional<String> creatorRole =
                  h.createQuery(
                          "SELECT role FROM family_member WHERE family_id = :family AND account_id = :creator FOR SHARE")
                      .bind("family", creator.get().familyId())
                      .bind("creator", creator.get().createdBy())
                      .mapTo(String.class)
                      .findOne();
              record Row(
                  long familyId, boolean expired, boolean used, boolean revoked, String reason) {}
              Optional<Row> row =
                  h.createQuery(
                          "SELECT family_id, expires_at <= now() AS expired, "
                              + "(accepted_by IS NOT NULL OR accepted_at IS NOT NULL) AS used, revoked_at IS NOT NULL AS revoked, "
                              + "revoked_reason FROM invitation WHERE code_hash = :hash FOR UPDATE")
                      .bind("hash", codeHash)
                      .map(
                          (rs, ctx) ->
                              new Row(
                                  rs.getLong("family_id"),
                                  rs.getBoolean("expired"),
                                  rs.getBoolean("used"),
                                  rs.getBoolean("revoked"),
                                  rs.getString("revoked_reason")))
                      .findOne();
              if (row.isEmpty()) {
                return new Acceptance.Unknown();
              }
              if (row.get().used()) {
                return new Acceptance.Used();
              }
              if (row.get().revoked()) {
                return new Acceptance.Revoked("creator_lost_permission".equals(row.get().reason()));
              }
              if (creatorRole.isEmpty() || !INVITERS.contains(creatorRole.get())) {
                revokeInvitationsBy(h, creator.get().familyId(), creator.get().createdBy());
                return new Acceptance.Revoked(true);
              }
              if (row.get().expired()) {
                return new Acceptance.Expired();
              }
              long familyId = row.get().familyId();
              int joined =
                  h.createUpdate(
                          "INSERT INTO family_member (family_id, account_id, role) VALUES (:family, :user, 'member') "
                              + "ON CONFLICT (family_id, account_id) DO NOTHING")
                      .bind("family", familyId)
                      .bind("user", userId)
                      .execute();
              if (joined == 0) {
                return new Acceptance.AlreadyMember(familyId);
              }
              h.createUpdate(
                      "UPDATE invitation SET accepted_by = :user, accepted_at = now() WHERE code_hash = :hash")
                  .bind("user", userId)
                  .bind("hash", codeHash)
                  .execute();
              return new Acceptance.Joined(familyId);
            });
    if (result instanceof Acceptance.Joined joined) {
      permissions.membershipChanged(userId, joined.familyId());
    }
    return result;
  }
}
