package io.kinhub.server.tree;

import io.kinhub.server.backing.Database;
import io.kinhub.server.genealogy.KinGraph;
import io.kinhub.server.genealogy.KinGraphs;
import io.kinhub.server.genealogy.Privacy;
import io.kinhub.server.genealogy.Privacy.Audience;
import io.kinhub.server.tree.gedcom.GedcomFamily;
import io.kinhub.server.tree.gedcom.GedcomPerson;
import io.kinhub.server.tree.gedcom.GedcomWriter;
import io.kinhub.server.tree.gedcom.PartialDate;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;

/**
 * Writes a family's tree as GEDCOM 5.5.1 (UTF-8) from one consistent snapshot. Kinhub keeps parent
 * links and couples; GEDCOM wants FAM records, so each distinct (father, mother) pair of some child
 * becomes a FAM with its children, and each couple without children a FAM of its own. Persons are
 * streamed; only the links are held in memory.
 */
public final class GedcomExport {
  private final Database db;
  private final String version;
  private final KinGraphs graphs;

  public GedcomExport(Database db, String version, KinGraphs graphs) {
    this.db = db;
    this.version = version;
    this.graphs = graphs;
  }

  /** A FAM to be written: partners (either may be null) and children, all person ids. */
  private record Unit(Long husband, Long wife, List<Long> children) {}

  public void run(long familyId, OutputStream out) throws IOException {
    run(familyId, out, Audience.FULL);
  }

  /**
   * The export as {@code audience} may see it: for visitors, living persons are "Private" without
   * dates, places or notes.
   */
  public void run(long familyId, OutputStream out, Audience audience) throws IOException {
    try {
      db.inTransaction(
          TransactionIsolationLevel.REPEATABLE_READ,
          h -> {
            KinGraph graph = null;
            if (audience != Audience.FULL) {
              long treeVersion =
                  h.createQuery("SELECT tree_version FROM family WHERE id = :id")
                      .bind("id", familyId)
                      .mapTo(Long.class)
                      .findOne()
                      .orElse(-1L);
              graph = graphs.graph(h, familyId, treeVersion).orElse(null);
            }
            write(h, familyId, out, graph, audience);
            return null;
          });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  private void write(Handle h, long familyId, OutputStream out, KinGraph graph, Audience audience) {
    Map<Long, String> gender = new HashMap<>();
    TreeMap<List<Long>, Unit> units = new TreeMap<>(GedcomExport::compareKeys);
    h.createQuery(
            "SELECT id, gender, father_id, mother_id FROM person WHERE family_id = :family ORDER BY id")
        .bind("family", familyId)
        .setFetchSize(5_000)
        .map(
            (rs, ctx) ->
                new Object[] {
                  rs.getLong("id"),
                  rs.getString("gender"),
                  rs.getObject("father_id"),
                  rs.getObject("mother_id")
                })
        .forEach(
            row -> {
              long id = (Long) row[0];
              gender.put(id, (String) row[1]);
              Long father = (Long) row[2];
              Long mother = (Long) row[3];
              if (father != null || mother != null) {
                units
                    .computeIfAbsent(
                        key(father, mother), k -> new Unit(father, mother, new ArrayList<>()))
                    .children()
                    .add(id);
              }
            });
    h.createQuery("SELECT a, b FROM spouse WHERE family_id = :family ORDER BY a, b")
        .bind("family", familyId)
        .map((rs, ctx) -> new long[] {rs.getLong("a"), rs.getLong("b")})
        .forEach(
            pair -> {
              // the man is HUSB when genders tell; otherwise the lower id
              boolean swap =
                  ("male".equals(gender.get(pair[1])) && !"male".equals(gender.get(pair[0])))
                      || ("female".equals(gender.get(pair[0]))
                          && !"female".equals(gender.get(pair[1])));
              long husband = swap ? pair[1] : pair[0];
              long wife = swap ? pair[0] : pair[1];
              if (!units.containsKey(key(husband, wife))
                  && !units.containsKey(key(wife, husband))) {
                units.put(key(husband, wife), new Unit(husband, wife, new ArrayList<>()));
              }
            });
    Map<List<Long>, String> unitXref = new HashMap<>();
    Map<Long, List<String>> spouseIn = new HashMap<>();
    Map<Long, List<String>> childIn = new HashMap<>();
    int n = 0;
    for (Map.Entry<List<Long>, Unit> e : units.entrySet()) {
      n++;
      String xref = "@F" + n + "@";
      unitXref.put(e.getKey(), xref);
      Unit u = e.getValue();
      if (u.husband() != null) {
        spouseIn.computeIfAbsent(u.husband(), k -> new ArrayList<>()).add(xref);
      }
      if (u.wife() != null) {
        spouseIn.computeIfAbsent(u.wife(), k -> new ArrayList<>()).add(xref);
      }
      for (long child : u.children()) {
        childIn.computeIfAbsent(child, k -> new ArrayList<>()).add(xref);
      }
    }
    try (GedcomWriter gedcom = new GedcomWriter(out)) {
      gedcom.header("KINHUB", version);
      h.createQuery(
              "SELECT id, name, surname, gender, birth_date, birth_place, death_date, death_place, notes, deceased "
                  + "FROM person WHERE family_id = :family ORDER BY id")
          .bind("family", familyId)
          .setFetchSize(2_000)
          .map(
              (rs, ctx) ->
                  new GedcomPerson(
                      xref(rs.getLong("id")),
                      0,
                      rs.getString("name"),
                      rs.getString("surname"),
                      rs.getString("gender"),
                      date(rs.getString("birth_date")),
                      rs.getString("birth_place"),
                      date(rs.getString("death_date")),
                      rs.getString("death_place"),
                      rs.getString("notes"),
                      List.of(),
                      rs.getBoolean("deceased")))
          .forEach(
              p -> {
                long id = Long.parseLong(p.xref().substring(2, p.xref().length() - 1));
                if (graph != null && Privacy.hidden(graph, audience, id)) {
                  int index = graph.index(id);
                  p =
                      new GedcomPerson(
                          p.xref(),
                          0,
                          Privacy.name(graph, audience, index),
                          null,
                          p.gender(),
                          null,
                          null,
                          null,
                          null,
                          null,
                          List.of());
                }
                try {
                  gedcom.person(
                      p, spouseIn.getOrDefault(id, List.of()), childIn.getOrDefault(id, List.of()));
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
      for (Map.Entry<List<Long>, Unit> e : units.entrySet()) {
        Unit u = e.getValue();
        gedcom.family(
            new GedcomFamily(
                unitXref.get(e.getKey()),
                0,
                u.husband() == null ? null : xref(u.husband()),
                u.wife() == null ? null : xref(u.wife()),
                u.children().stream().map(GedcomExport::xref).toList()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<Long> key(Long husband, Long wife) {
    return Arrays.asList(husband, wife);
  }

  private static int compareKeys(List<Long> a, List<Long> b) {
    for (int i = 0; i < 2; i++) {
      long x = a.get(i) == null ? 0 : a.get(i);
      long y = b.get(i) == null ? 0 : b.get(i);
      if (x != y) {
        return Long.compare(x, y);
      }
    }
    return 0;
  }

  private static String xref(long id) {
    return "@I" + id + "@";
  }

  private static PartialDate date(String stored) {
    return stored == null ? null : PartialDate.parse(stored);
  }
}
