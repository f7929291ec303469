package io.kinhub.server.genealogy;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.kinhub.server.backing.Database;
import io.kinhub.server.http.Json;
import java.io.UncheckedIOException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * The change history of a family's tree: one row per person create, edit, delete or revert, and per
 * GEDCOM import, written in the transaction of the change itself (so a change is never without its
 * row, nor a row without its change). {@code before} and {@code after} are {@link PersonState}s,
 * the {@code after} of an import an {@link ImportState}.
 */
public final class Changes {
  private static final String IMPORT = "import";

  /** A recorded change. */
  public record Change(
      long id,
      long familyId,
      Long personId,
      Long accountId,
      String displayName,
      Instant at,
      String kind,
      ChangeState before,
      ChangeState after,
      Long reverts) {}

  private final Database db;

  public Changes(Database db) {
    this.db = db;
  }

  /** Records a change in {@code h}'s transaction. */
  public static void record(
      Handle h,
      long familyId,
      Long personId,
      Long actor,
      String kind,
      ChangeState before,
      ChangeState after,
      Long reverts) {
    h.createUpdate(
            "INSERT INTO person_change (family_id, person_id, account_id, kind, before, after, reverts) "
                + "VALUES (:family, :person, :account, :kind, CAST(:before AS jsonb), CAST(:after AS jsonb), :reverts)")
        .bind("family", familyId)
        .bind("person", personId)
        .bind("account", actor)
        .bind("kind", kind)
        .bind("before", write(before))
        .bind("after", write(after))
        .bind("reverts", reverts)
        .execute();
  }

  private static String write(ChangeState value) {
    if (value == null) {
      return null;
    }
    try {
      return Json.MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static ChangeState read(String kind, String value) {
    if (value == null) {
      return null;
    }
    try {
      Class<? extends ChangeState> type =
          IMPORT.equals(kind) ? ImportState.class : PersonState.class;
      return Json.MAPPER.readValue(value, type);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static final String COLUMNS =
      "c.id, c.family_id, c.person_id, c.account_id, a.display_name, c.at, c.kind, "
          + "c.before::text AS before, c.after::text AS after, c.reverts FROM person_change c LEFT JOIN account a ON a.id = c.account_id ";

  private static Change map(ResultSet rs) throws SQLException {
    String kind = rs.getString("kind");
    return new Change(
        rs.getLong("id"),
        rs.getLong("family_id"),
        (Long) rs.getObject("person_id"),
        (Long) rs.getObject("account_id"),
        rs.getString("display_name"),
        rs.getTimestamp("at").toInstant(),
        kind,
        read(kind, rs.getString("before")),
        read(kind, rs.getString("after")),
        (Long) rs.getObject("reverts"));
  }

  public static Optional<Change> find(Handle h, long familyId, long changeId) {
    return h.createQuery("SELECT " + COLUMNS + "WHERE c.family_id = :family AND c.id = :id")
        .bind("family", familyId)
        .bind("id", changeId)
        .map((rs, ctx) -> map(rs))
        .findOne();
  }

  /** Whether the person has a change recorded after {@code changeId}. */
  public static boolean changedSince(Handle h, long familyId, long personId, long changeId) {
    return h.createQuery(
            "SELECT EXISTS (SELECT 1 FROM person_change WHERE family_id = :family AND person_id = :person AND id > :id)")
        .bind("family", familyId)
        .bind("person", personId)
        .bind("id", changeId)
        .mapTo(Boolean.class)
        .one();
  }

  /**
   * Newest first; {@code personId} null for the whole family; {@code before} an exclusive change-id
   * cursor.
   */
  public List<Change> list(long familyId, Long personId, Long before, int limit) {
    return db.withHandle(
        h -> {
          var query =
              h.createQuery(
                      "SELECT "
                          + COLUMNS
                          + "WHERE c.family_id = :family "
                          + (personId == null ? "" : "AND c.person_id = :person ")
                          + (before == null ? "" : "AND c.id < :before ")
                          + "ORDER BY c.id DESC LIMIT :limit")
                  .bind("family", familyId)
                  .bind("limit", limit);
          if (personId != null) {
            query.bind("person", personId);
          }
          if (before != null) {
            query.bind("before", before);
          }
          return query.map((rs, ctx) -> map(rs)).list();
        });
  }
}
