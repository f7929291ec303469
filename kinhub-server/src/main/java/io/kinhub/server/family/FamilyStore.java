package io.kinhub.server.family;

import io.kinhub.server.permission.Roles.FamilyRole;
import io.kinhub.server.system.Database;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.RowMapper;

/** Families, memberships and invitations in PostgreSQL. Multi-row changes are single transactions. */
public final class FamilyStore {
  private static final String FAMILY_COLUMNS = "f.id, f.name, f.surname, f.description, f.public, "
      + "(SELECT count(*) FROM family_member c WHERE c.family_id = f.id), f.created_at";
  private static final RowMapper<Family> FAMILY = (rs, ctx) -> new Family(rs.getLong(1), rs.getString(2), rs.getString(3),
      rs.getString(4), rs.getBoolean(5), rs.getInt(6), rs.getTimestamp(7).toInstant());

  private final Database db;

  public FamilyStore(Database db) {
    this.db = db;
  }

  /** Creates a family with {@code originator} as its originator. */
  public Family create(String name, String surname, String description, boolean isPublic, long originator) {
    return db.inTransaction(h -> {
      long id = h.createQuery("INSERT INTO family (name, surname, description, public) VALUES (:name, :surname, :description, :public) RETURNING id")
          .bind("name", name).bind("surname", surname).bind("description", description).bind("public", isPublic)
          .mapTo(Long.class).one();
      h.createUpdate("INSERT INTO family_member (family_id, account_id, role) VALUES (:family, :account, 'originator')")
          .bind("family", id).bind("account", originator).execute();
      return find(h, id).orElseThrow();
    });
  }

  public Optional<Family> find(long id) {
    return db.withHandle(h -> find(h, id));
  }

  private static Optional<Family> find(Handle h, long id) {
    return h.createQuery("SELECT " + FAMILY_COLUMNS + " FROM family f WHERE f.id = :id").bind("id", id).map(FAMILY).findOne();
  }

  /** A family the user belongs to, with their role. */
  public record Membership(Family family, FamilyRole role) {}

  /** The families the user belongs to, oldest membership first. */
  public List<Membership> familiesOf(long userId) {
    return db.withHandle(h -> h.createQuery("SELECT " + FAMILY_COLUMNS + ", m.role FROM family f "
            + "JOIN family_member m ON m.family_id = f.id WHERE m.account_id = :user ORDER BY m.joined_at, f.id")
        .bind("user", userId)
        .map((rs, ctx) -> new Membership(FAMILY.map(rs, ctx), FamilyRole.member(rs.getString(8)).orElseThrow()))
        .list());
  }

  /** Changes the given profile fields (null = unchanged; {@code clearSurname}/{@code clearDescription} set them to null). */
  public Optional<Family> update(long id, String name, String surname, boolean clearSurname, String description,
      boolean clearDescription, Boolean isPublic) {
    return db.inTransaction(h -> {
      int n = h.createUpdate("""
              UPDATE family SET name = coalesce(:name, name),
                surname = CASE WHEN :clearSurname THEN NULL ELSE coalesce(:surname, surname) END,
                description = CASE WHEN :clearDescription THEN NULL ELSE coalesce(:description, description) END,
                public = coalesce(:public, public)
              WHERE id = :id""")
          .bind("id", id).bind("name", name).bind("surname", surname).bind("clearSurname", clearSurname)
          .bind("description", description).bind("clearDescription", clearDescription).bind("public", isPublic)
          .execute();
      return n == 0 ? Optional.<Family>empty() : find(h, id);
    });
  }

  /** Deletes the family with its members, invitations and tree. */
  public boolean delete(long id) {
    return db.withHandle(h -> h.createUpdate("DELETE FROM family WHERE id = :id").bind("id", id).execute() == 1);
  }

  public List<Member> members(long familyId) {
    return db.withHandle(h -> h.createQuery("SELECT m.account_id, a.display_name, m.role, m.joined_at FROM family_member m "
            + "JOIN account a ON a.id = m.account_id WHERE m.family_id = :family "
            + "ORDER BY CASE m.role WHEN 'originator' THEN 0 WHEN 'admin' THEN 1 ELSE 2 END, m.joined_at, m.account_id")
        .bind("family", familyId)
        .map((rs, ctx) -> new Member(rs.getLong(1), rs.getString(2), FamilyRole.member(rs.getString(3)).orElseThrow(),
            rs.getTimestamp(4).toInstant()))
        .list());
  }

  public Optional<FamilyRole> roleOf(long familyId, long userId) {
    return db.withHandle(h -> h.createQuery("SELECT role FROM family_member WHERE family_id = :family AND account_id = :user")
        .bind("family", familyId).bind("user", userId).mapTo(String.class).findOne().flatMap(FamilyRole::member));
  }

  /** Sets an admin or member role; false when the user is not a member or is the originator. */
  public boolean setRole(long familyId, long userId, FamilyRole role) {
    return db.withHandle(h -> h.createUpdate("UPDATE family_member SET role = :role "
            + "WHERE family_id = :family AND account_id = :user AND role <> 'originator'")
        .bind("role", role.apiName()).bind("family", familyId).bind("user", userId).execute() == 1);
  }

  /**
   * Makes {@code to} the originator and the current originator an admin, in one transaction; the id of the
   * former originator, or empty when {@code to} is not a member.
   */
  public Optional<Long> transferOriginator(long familyId, long to) {
    return db.inTransaction(h -> {
      Optional<Long> from = h.createQuery("SELECT account_id FROM family_member WHERE family_id = :family AND role = 'originator' FOR UPDATE")
          .bind("family", familyId).mapTo(Long.class).findOne();
      boolean member = h.createQuery("SELECT 1 FROM family_member WHERE family_id = :family AND account_id = :to FOR UPDATE")
          .bind("family", familyId).bind("to", to).mapTo(Integer.class).findOne().isPresent();
      if (!member || from.isEmpty()) {
        return Optional.<Long>empty();
      }
      if (from.get() == to) {
        return from;
      }
      h.createUpdate("UPDATE family_member SET role = 'admin' WHERE family_id = :family AND account_id = :from")
          .bind("family", familyId).bind("from", from.get()).execute();
      h.createUpdate("UPDATE family_member SET role = 'originator' WHERE family_id = :family AND account_id = :to")
          .bind("family", familyId).bind("to", to).execute();
      return from;
    });
  }

  /** Removes a member unless they are the originator. */
  public boolean removeMember(long familyId, long userId) {
    return db.withHandle(h -> h.createUpdate("DELETE FROM family_member WHERE family_id = :family AND account_id = :user AND role <> 'originator'")
        .bind("family", familyId).bind("user", userId).execute() == 1);
  }

  /** Stores a new invitation (only the code's hash). */
  public void createInvitation(long familyId, long createdBy, String codeHash, Instant expiresAt) {
    db.withHandle(h -> h.createUpdate("INSERT INTO invitation (code_hash, family_id, created_by, expires_at) "
            + "VALUES (:hash, :family, :by, :expires)")
        .bind("hash", codeHash).bind("family", familyId).bind("by", createdBy)
        .bind("expires", java.sql.Timestamp.from(expiresAt)).execute());
  }

  /** What accepting an invitation did. */
  public sealed interface Acceptance {
    record Joined(long familyId) implements Acceptance {}

    record AlreadyMember(long familyId) implements Acceptance {}

    record Unknown() implements Acceptance {}

    record Expired() implements Acceptance {}

    record Used() implements Acceptance {}
  }

  /**
   * Uses an invitation: in one transaction the code is claimed (only if unused and unexpired, by database
   * time) and the membership created. A user who is a member already does not use up the code.
   */
  public Acceptance accept(String codeHash, long userId) {
    return db.inTransaction(h -> {
      record Row(long familyId, boolean expired, boolean used) {}
      Optional<Row> row = h.createQuery("SELECT family_id, expires_at <= now(), accepted_by IS NOT NULL OR accepted_at IS NOT NULL "
              + "FROM invitation WHERE code_hash = :hash FOR UPDATE")
          .bind("hash", codeHash).map((rs, ctx) -> new Row(rs.getLong(1), rs.getBoolean(2), rs.getBoolean(3))).findOne();
      if (row.isEmpty()) {
        return new Acceptance.Unknown();
      }
      if (row.get().used()) {
        return new Acceptance.Used();
      }
      if (row.get().expired()) {
        return new Acceptance.Expired();
      }
      long familyId = row.get().familyId();
      int joined = h.createUpdate("INSERT INTO family_member (family_id, account_id, role) VALUES (:family, :user, 'member') "
              + "ON CONFLICT (family_id, account_id) DO NOTHING")
          .bind("family", familyId).bind("user", userId).execute();
      if (joined == 0) {
        return new Acceptance.AlreadyMember(familyId);
      }
      h.createUpdate("UPDATE invitation SET accepted_by = :user, accepted_at = now() WHERE code_hash = :hash")
          .bind("user", userId).bind("hash", codeHash).execute();
      return new Acceptance.Joined(familyId);
    });
  }
}
