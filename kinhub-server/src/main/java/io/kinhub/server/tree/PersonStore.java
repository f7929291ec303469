package io.kinhub.server.tree;

import io.kinhub.server.backing.Database;
import io.kinhub.server.genealogy.Changes;
import io.kinhub.server.genealogy.PersonState;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongConsumer;
import org.jdbi.v3.core.Handle;

/**
 * Persons and their links in PostgreSQL. Every change runs in one transaction that first locks the
 * family row (so edits of one tree are serialised and a cycle check cannot be raced), and bumps the
 * tree version; once committed, the change listener (the tree version cache) hears of it.
 */
public final class PersonStore {
  private static final String COLUMNS =
      "id, family_id, name, surname, gender, birth_date, birth_place, death_date, "
          + "death_place, notes, father_id, mother_id, deceased";

  private final Database db;
  private volatile LongConsumer changed = familyId -> {};

  public PersonStore(Database db) {
    this.db = db;
  }

  /**
   * Tells {@code listener} the family after each committed change of its tree ({@link TreeVersions}
   * listens).
   */
  void onChange(LongConsumer listener) {
    this.changed = listener;
  }

  /** Locks the family's tree for this transaction; refused (not found) when the family is gone. */
  static long lockTree(Handle h, long familyId) {
    return h.createQuery("SELECT tree_version FROM family WHERE id = :id FOR UPDATE")
        .bind("id", familyId)
        .mapTo(Long.class)
        .findOne()
        .orElseThrow(() -> TreeRefusal.notFound("No such family."));
  }

  /**
   * {@link #lockTree}, then refused as {@link TreeRefusal.Reason#STALE} unless the version is one
   * of {@code ifVersions} (null: any version will do).
   */
  static long lockTree(Handle h, long familyId, Set<Long> ifVersions) {
    long version = lockTree(h, familyId);
    if (ifVersions != null && !ifVersions.contains(version)) {
      throw TreeRefusal.stale(
          familyId,
          version,
          "The tree changed since version "
              + (ifVersions.size() == 1 ? ifVersions.iterator().next() : ifVersions)
              + "; it is at version "
              + version
              + " now. Read it again and redo the edit if it still applies.");
    }
    return version;
  }

  /** A person after a change, and the tree version that change made. */
  public record Changed(Person person, long version) {}

  static void bumpVersion(Handle h, long familyId) {
    h.createUpdate("UPDATE family SET tree_version = tree_version + 1 WHERE id = :id")
        .bind("id", familyId)
        .execute();
  }

  /** The current tree version (the ETag's basis); empty when the family is gone. */
  public Optional<Long> version(long familyId) {
    return db.withHandle(
        h ->
            h.createQuery("SELECT tree_version FROM family WHERE id = :id")
                .bind("id", familyId)
                .mapTo(Long.class)
                .findOne());
  }

  public Optional<Person> find(long familyId, long personId) {
    return db.withHandle(h -> find(h, familyId, personId));
  }

  private static Optional<Person> find(Handle h, long familyId, long personId) {
    return h.createQuery(
            "SELECT " + COLUMNS + " FROM person WHERE family_id = :family AND id = :id")
        .bind("family", familyId)
        .bind("id", personId)
        .map(
            (rs, ctx) ->
                new Person(
                    rs.getLong("id"),
                    rs.getLong("family_id"),
                    rs.getString("name"),
                    rs.getString("surname"),
                    rs.getString("gender"),
                    rs.getString("birth_date"),
                    rs.getString("birth_place"),
                    rs.getString("death_date"),
                    rs.getString("death_place"),
                    rs.getString("notes"),
                    (Long) rs.getObject("father_id"),
                    (Long) rs.getObject("mother_id"),
                    spouses(h, personId),
                    children(h, personId),
                    rs.getBoolean("deceased")))
        .findOne();
  }

  private static List<Long> spouses(Handle h, long personId) {
    return h.createQuery(
            "SELECT b FROM spouse WHERE a = :id UNION SELECT a FROM spouse WHERE b = :id ORDER BY 1")
        .bind("id", personId)
        .mapTo(Long.class)
        .list();
  }

  private static List<Long> children(Handle h, long personId) {
    return h.createQuery(
            "SELECT id FROM person WHERE father_id = :id UNION SELECT id FROM person WHERE mother_id = :id ORDER BY 1")
        .bind("id", personId)
        .mapTo(Long.class)
        .list();
  }

  /**
   * Adds a person; a new person has no descendants yet, so their parent links cannot close a cycle.
   */
  public Person create(long familyId, PersonEdit edit) {
    return create(familyId, edit, null);
  }

  /** {@link #create}, recording the change as made by {@code actor} (an account id, or null). */
  public Person create(long familyId, PersonEdit edit, Long actor) {
    return create(familyId, edit, actor, null).person();
  }

  /**
   * {@link #create}, only while the tree is at one of {@code ifVersions} (null: any); with the new
   * version.
   */
  public Changed create(long familyId, PersonEdit edit, Long actor, Set<Long> ifVersions) {
    Changed done =
        db.inTransaction(
            h -> {
              long version = lockTree(h, familyId, ifVersions);
              checkReferences(h, familyId, null, edit);
              distinctParents(edit.fatherId(), edit.motherId());
              // the columns this edit sets (keys checked against PersonEdit.COLUMNS)
              Map<String, Object> values = new LinkedHashMap<>(edit.columns());
              values.put("family_id", familyId);
              values.put("father_id", edit.fatherId());
              values.put("mother_id", edit.motherId());
              String columns = String.join(", ", values.keySet());
              String params =
                  String.join(", ", values.keySet().stream().map(c -> ":" + c).toList());
              var insert =
                  h.createQuery(
                      "INSERT INTO person (" + columns + ") VALUES (" + params + ") RETURNING id");
              values.forEach(insert::bind);
              long id = insert.mapTo(Long.class).one();
              if (edit.spouseIds() != null) {
                replaceSpouses(h, familyId, id, edit.spouseIds());
              }
              bumpVersion(h, familyId);
              Person created = find(h, familyId, id).orElseThrow();
              Changes.record(h, familyId, id, actor, "create", null, created.state(), null);
              return new Changed(created, version + 1);
            });
    changed.accept(familyId);
    return done;
  }

  /**
   * Changes a person; refused as not found when absent, as conflict {@code cycle} when a parent
   * link would make someone their own ancestor.
   */
  public Person update(long familyId, long personId, PersonEdit edit) {
    return update(familyId, personId, edit, null);
  }

  /** {@link #update}, recording the change as made by {@code actor}. */
  public Person update(long familyId, long personId, PersonEdit edit, Long actor) {
    return update(familyId, personId, edit, actor, null).person();
  }

  /**
   * {@link #update}, only while the tree is at one of {@code ifVersions} (null: any); with the new
   * version.
   */
  public Changed update(
      long familyId, long personId, PersonEdit edit, Long actor, Set<Long> ifVersions) {
    Changed done =
        db.inTransaction(
            h -> {
              long version = lockTree(h, familyId, ifVersions);
              Person current =
                  find(h, familyId, personId)
                      .orElseThrow(() -> TreeRefusal.notFound("No such person in this family."));
              checkReferences(h, familyId, personId, edit);
              distinctParents(
                  edit.setFather() ? edit.fatherId() : current.fatherId(),
                  edit.setMother() ? edit.motherId() : current.motherId());
              // the columns this edit sets (keys checked against PersonEdit.COLUMNS)
              Map<String, Object> values = new LinkedHashMap<>(edit.columns());
              if (edit.setFather()) {
                refuseCycle(h, personId, edit.fatherId(), "fatherId");
                values.put("father_id", edit.fatherId());
              }
              if (edit.setMother()) {
                refuseCycle(h, personId, edit.motherId(), "motherId");
                values.put("mother_id", edit.motherId());
              }
              if (!values.isEmpty()) {
                String sets =
                    String.join(", ", values.keySet().stream().map(c -> c + " = :" + c).toList());
                var update =
                    h.createUpdate(
                            "UPDATE person SET " + sets + " WHERE id = :id AND family_id = :family")
                        .bind("id", personId)
                        .bind("family", familyId);
                values.forEach(update::bind);
                update.execute();
              }
              if (edit.spouseIds() != null) {
                replaceSpouses(h, familyId, personId, edit.spouseIds());
              }
              bumpVersion(h, familyId);
              Person updated = find(h, familyId, personId).orElseThrow();
              Changes.record(
                  h, familyId, personId, actor, "update", current.state(), updated.state(), null);
              return new Changed(updated, version + 1);
            });
    changed.accept(familyId);
    return done;
  }

  /**
   * Deletes a person. With children it is refused as conflict {@code has_children} unless {@code
   * detachChildren}, which clears the children's link to this parent in the same transaction.
   */
  public void delete(long familyId, long personId, boolean detachChildren) {
    delete(familyId, personId, detachChildren, null);
  }

  /** {@link #delete}, recording the change as made by {@code actor}. */
  public void delete(long familyId, long personId, boolean detachChildren, Long actor) {
    delete(familyId, personId, detachChildren, actor, null);
  }

  /**
   * {@link #delete}, only while the tree is at one of {@code ifVersions} (null: any); returns the
   * new version.
   */
  public long delete(
      long familyId, long personId, boolean detachChildren, Long actor, Set<Long> ifVersions) {
    long done =
        db.inTransaction(
            h -> {
              long version = lockTree(h, familyId, ifVersions);
              Person current =
                  find(h, familyId, personId)
                      .orElseThrow(() -> TreeRefusal.notFound("No such person in this family."));
              List<Long> children = children(h, personId);
              if (!children.isEmpty()) {
                if (!detachChildren) {
                  throw TreeRefusal.conflict(
                      "has_children",
                      "This person has "
                          + children.size()
                          + " child(ren) in the tree; delete with ?cascade=false to detach them, or delete the children first.");
                }
                h.createUpdate("UPDATE person SET father_id = NULL WHERE father_id = :id")
                    .bind("id", personId)
                    .execute();
                h.createUpdate("UPDATE person SET mother_id = NULL WHERE mother_id = :id")
                    .bind("id", personId)
                    .execute();
              }
              h.createUpdate("DELETE FROM person WHERE id = :id AND family_id = :family")
                  .bind("id", personId)
                  .bind("family", familyId)
                  .execute();
              bumpVersion(h, familyId);
              Changes.record(h, familyId, personId, actor, "delete", current.state(), null, null);
              return version + 1;
            });
    changed.accept(familyId);
    return done;
  }

  /**
   * Undoes one recorded change: the person is put back as they were before it (re-created, changed
   * back, or deleted when the change created them). Refused as conflict {@code conflict} when the
   * person changed after it; links to persons that are gone since are left out. The revert is
   * itself a recorded change.
   */
  public Person revert(long familyId, long changeId, Long actor) {
    Person done =
        db.inTransaction(
            h -> {
              lockTree(h, familyId);
              Changes.Change change =
                  Changes.find(h, familyId, changeId)
                      .orElseThrow(() -> TreeRefusal.notFound("No such change in this family."));
              if (change.personId() == null) {
                throw TreeRefusal.conflict(
                    "not_revertible",
                    "A GEDCOM import is not reverted change by change; delete its persons instead.");
              }
              long personId = change.personId();
              if (Changes.changedSince(h, familyId, personId, changeId)) {
                throw TreeRefusal.conflict(
                    TreeRefusal.CHANGED,
                    "Person "
                        + personId
                        + " changed after this change; revert the later changes first.");
              }
              Optional<Person> current = find(h, familyId, personId);
              if (change.before() != null && !(change.before() instanceof PersonState)) {
                throw new IllegalStateException("change " + changeId + " holds no person");
              }
              PersonState before = (PersonState) change.before();
              Person restored;
              if (before == null) {
                Person p =
                    current.orElseThrow(
                        () ->
                            TreeRefusal.conflict(
                                TreeRefusal.CHANGED, "Person " + personId + " is gone already."));
                if (!children(h, personId).isEmpty()) {
                  throw TreeRefusal.conflict(
                      "has_children",
                      "Person " + personId + " has children now; delete them first.");
                }
                h.createUpdate("DELETE FROM person WHERE id = :id AND family_id = :family")
                    .bind("id", personId)
                    .bind("family", familyId)
                    .execute();
                bumpVersion(h, familyId);
                Changes.record(h, familyId, personId, actor, "revert", p.state(), null, changeId);
                return p;
              }
              if (current.isEmpty()) {
                h.createUpdate(
                        "INSERT INTO person (id, family_id, name) VALUES (:id, :family, :name)")
                    .bind("id", personId)
                    .bind("family", familyId)
                    .bind("name", before.name())
                    .execute();
              }
              Long father = existing(h, familyId, before.fatherId());
              Long mother = existing(h, familyId, before.motherId());
              refuseCycle(h, personId, father, "fatherId");
              refuseCycle(h, personId, mother, "motherId");
              h.createUpdate(
                      "UPDATE person SET name = :name, surname = :surname, gender = :gender, "
                          + "birth_date = :birth_date, birth_place = :birth_place, "
                          + "death_date = :death_date, death_place = :death_place, notes = :notes, "
                          + "deceased = :deceased, father_id = :father_id, mother_id = :mother_id "
                          + "WHERE id = :id AND family_id = :family")
                  .bind("id", personId)
                  .bind("family", familyId)
                  .bind("name", before.name())
                  .bind("surname", before.surname())
                  .bind("gender", before.gender() == null ? "unknown" : before.gender())
                  .bind("birth_date", before.birthDate())
                  .bind("birth_place", before.birthPlace())
                  .bind("death_date", before.deathDate())
                  .bind("death_place", before.deathPlace())
                  .bind("notes", before.notes())
                  .bind("deceased", before.deceased())
                  .bind("father_id", father)
                  .bind("mother_id", mother)
                  .execute();
              List<Long> spouses = new ArrayList<>();
              if (before.spouseIds() != null) {
                for (String o : before.spouseIds()) {
                  Long spouse = existing(h, familyId, o);
                  if (spouse != null && spouse != personId) {
                    spouses.add(spouse);
                  }
                }
              }
              replaceSpouses(h, familyId, personId, spouses);
              if (current.isEmpty() && before.childrenIds() != null) {
                // children detached by the delete get this parent back where the slot is still free
                String slot =
                    "female".equals(before.gender())
                        ? "mother_id"
                        : "male".equals(before.gender()) ? "father_id" : null;
                for (String o : before.childrenIds()) {
                  Long child = existing(h, familyId, o);
                  if (slot != null && child != null) {
                    h.createUpdate(
                            "UPDATE person SET "
                                + slot
                                + " = :p WHERE id = :c AND family_id = :family AND "
                                + slot
                                + " IS NULL")
                        .bind("p", personId)
                        .bind("c", child)
                        .bind("family", familyId)
                        .execute();
                  }
                }
              }
              bumpVersion(h, familyId);
              restored = find(h, familyId, personId).orElseThrow();
              Changes.record(
                  h,
                  familyId,
                  personId,
                  actor,
                  "revert",
                  current.map(Person::state).orElse(null),
                  restored.state(),
                  changeId);
              return restored;
            });
    changed.accept(familyId);
    return done;
  }

  private static Long existing(Handle h, long familyId, String text) {
    if (text == null || !text.matches("[1-9][0-9]{0,17}")) {
      return null;
    }
    long value = Long.parseLong(text);
    return h.createQuery("SELECT id FROM person WHERE family_id = :family AND id = :id")
        .bind("family", familyId)
        .bind("id", value)
        .mapTo(Long.class)
        .findOne()
        .orElse(null);
  }

  private static void checkReferences(Handle h, long familyId, Long personId, PersonEdit edit) {
    Set<Long> wanted = new HashSet<>();
    if (edit.fatherId() != null) {
      wanted.add(edit.fatherId());
    }
    if (edit.motherId() != null) {
      wanted.add(edit.motherId());
    }
    if (edit.spouseIds() != null) {
      wanted.addAll(edit.spouseIds());
    }
    if (wanted.isEmpty()) {
      return;
    }
    Set<Long> found =
        new HashSet<>(
            h.createQuery("SELECT id FROM person WHERE family_id = :family AND id = ANY(:ids)")
                .bind("family", familyId)
                .bind("ids", wanted.toArray(new Long[0]))
                .mapTo(Long.class)
                .list());
    missing(edit.fatherId(), found, "fatherId");
    missing(edit.motherId(), found, "motherId");
    if (edit.spouseIds() != null) {
      for (Long spouse : edit.spouseIds()) {
        missing(spouse, found, "spouseIds");
        if (spouse.equals(personId)) {
          throw TreeRefusal.invalid("spouseIds", "A person cannot be their own spouse.");
        }
      }
    }
    if (personId != null
        && (personId.equals(edit.fatherId()) || personId.equals(edit.motherId()))) {
      throw TreeRefusal.conflict("cycle", "A person cannot be their own parent.");
    }
  }

  private static void distinctParents(Long father, Long mother) {
    if (father != null && father.equals(mother)) {
      throw TreeRefusal.invalid(
          "motherId", "The father and the mother must be two different persons.");
    }
  }

  private static void missing(Long id, Set<Long> found, String field) {
    if (id != null && !found.contains(id)) {
      throw TreeRefusal.invalid(field, "There is no person " + id + " in this family.");
    }
  }

  /**
   * Refuses as conflict {@code cycle} when {@code parentId} is {@code personId} or one of their
   * descendants (walks up).
   */
  private static void refuseCycle(Handle h, long personId, Long parentId, String field) {
    if (parentId == null) {
      return;
    }
    boolean cycle =
        h.createQuery(
                """
            WITH RECURSIVE up(id) AS (
              SELECT CAST(:parent AS BIGINT)
              UNION
              SELECT v.x FROM person p JOIN up ON p.id = up.id
                CROSS JOIN LATERAL (VALUES (p.father_id), (p.mother_id)) AS v(x)
              WHERE v.x IS NOT NULL
            )
            SELECT EXISTS (SELECT 1 FROM up WHERE id = :person)""")
            .bind("parent", parentId)
            .bind("person", personId)
            .mapTo(Boolean.class)
            .one();
    if (cycle) {
      throw TreeRefusal.conflict(
          "cycle",
          "Person "
              + parentId
              + " descends from person "
              + personId
              + ", so '"
              + field
              + "' would make "
              + personId
              + " their own ancestor.");
    }
  }

  private static void replaceSpouses(Handle h, long familyId, long personId, List<Long> spouseIds) {
    h.createUpdate("DELETE FROM spouse WHERE a = :id OR b = :id").bind("id", personId).execute();
    List<long[]> pairs = new ArrayList<>();
    for (long other : new HashSet<>(spouseIds)) {
      pairs.add(new long[] {Math.min(personId, other), Math.max(personId, other)});
    }
    if (!pairs.isEmpty()) {
      var batch =
          h.prepareBatch(
              "INSERT INTO spouse (family_id, a, b) VALUES (:family, :a, :b) ON CONFLICT DO NOTHING");
      for (long[] pair : pairs) {
        batch.bind("family", familyId).bind("a", pair[0]).bind("b", pair[1]).add();
      }
      batch.execute();
    }
  }
}
