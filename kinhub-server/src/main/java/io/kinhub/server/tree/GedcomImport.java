package io.kinhub.server.tree;

import io.kinhub.server.system.Database;
import io.kinhub.server.tree.gedcom.GedcomFamily;
import io.kinhub.server.tree.gedcom.GedcomFormatException;
import io.kinhub.server.tree.gedcom.GedcomHandler;
import io.kinhub.server.tree.gedcom.GedcomPerson;
import io.kinhub.server.tree.gedcom.GedcomReader;
import io.kinhub.server.tree.gedcom.GedcomSummary;
import io.kinhub.server.tree.gedcom.GedcomWarning;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jdbi.v3.core.Handle;

/**
 * Imports a GEDCOM file into a family's tree in one transaction: a file that fails half-way leaves nothing.
 *
 * <p>The file is streamed: persons are inserted in batches as their records are read (ids drawn from the
 * sequence in blocks), and only small per-person facts are kept (xref → id, the FAM records' pointers,
 * NOTE records) until the end, when parent links and couples are resolved, checked for ancestor cycles and
 * written with a few set-based statements.
 */
public final class GedcomImport {
  private static final int BATCH = 2_000;
  private static final int MAX_NAME = 200;

  /** What an import did. */
  public record Result(int persons, int families, List<GedcomWarning> warnings) {}

  private final Database db;

  public GedcomImport(Database db) {
    this.db = db;
  }

  /** Imports; {@link GedcomFormatException} when the file is malformed (nothing is kept then). */
  public Result run(long familyId, InputStream in) throws GedcomFormatException, IOException {
    try {
      return db.inTransaction(h -> {
        PersonStore.lockTree(h, familyId);
        Run run = new Run(h, familyId);
        GedcomSummary summary;
        try {
          summary = GedcomReader.read(in, run);
        } catch (GedcomFormatException e) {
          throw new Failed(e);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        run.flush();
        run.finish();
        PersonStore.bumpVersion(h, familyId);
        return new Result(run.imported, summary.families(), run.warnings);
      });
    } catch (Failed failed) {
      throw failed.cause;
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /** Carries a format error out of the transaction callback (which rolls back). */
  private static final class Failed extends RuntimeException {
    final GedcomFormatException cause;

    Failed(GedcomFormatException cause) {
      super(cause.getMessage(), null, false, false);
      this.cause = cause;
    }
  }

  private static final class Run implements GedcomHandler {
    private final Handle h;
    private final long familyId;
    private final List<GedcomPerson> pending = new ArrayList<>(BATCH);
    private final Set<String> seen = new java.util.HashSet<>();
    private final Map<String, Long> ids = new HashMap<>();
    private final Map<String, Integer> lines = new HashMap<>();
    private final List<GedcomFamily> families = new ArrayList<>();
    private final Map<String, String> notes = new HashMap<>();
    private final Map<Long, List<String>> noteRefs = new HashMap<>();
    private final List<GedcomWarning> warnings = new ArrayList<>();
    private int imported;

    Run(Handle h, long familyId) {
      this.h = h;
      this.familyId = familyId;
    }

    @Override
    public void person(GedcomPerson person) {
      if (!seen.add(person.xref())) {
        warning(new GedcomWarning(person.line(), "INDI " + person.xref() + " appears twice; the second record was skipped"));
        return;
      }
      pending.add(person);
      if (pending.size() == BATCH) {
        flush();
      }
    }

    @Override
    public void family(GedcomFamily family) {
      families.add(family);
    }

    @Override
    public void note(String xref, String text) {
      notes.put(xref, text);
    }

    @Override
    public void warning(GedcomWarning warning) {
      warnings.add(warning);
    }

    /** Inserts the pending persons with ids drawn from the sequence in one block. */
    void flush() {
      if (pending.isEmpty()) {
        return;
      }
      int n = pending.size();
      List<Long> block = h.createQuery("SELECT nextval(pg_get_serial_sequence('person', 'id')) FROM generate_series(1, :n)")
          .bind("n", n).mapTo(Long.class).list();
      Long[] id = block.toArray(new Long[0]);
      String[] name = new String[n];
      String[] surname = new String[n];
      String[] gender = new String[n];
      String[] birthDate = new String[n];
      String[] birthPlace = new String[n];
      String[] deathDate = new String[n];
      String[] deathPlace = new String[n];
      String[] note = new String[n];
      for (int i = 0; i < n; i++) {
        GedcomPerson p = pending.get(i);
        ids.put(p.xref(), id[i]);
        lines.put(p.xref(), p.line());
        name[i] = name(p);
        surname[i] = blankToNull(p.surname());
        gender[i] = p.gender() == null ? "unknown" : p.gender();
        birthDate[i] = p.birthDate() == null ? null : p.birthDate().toString();
        birthPlace[i] = blankToNull(p.birthPlace());
        deathDate[i] = p.deathDate() == null ? null : p.deathDate().toString();
        deathPlace[i] = blankToNull(p.deathPlace());
        note[i] = blankToNull(p.notes());
        if (p.noteRefs() != null && !p.noteRefs().isEmpty()) {
          noteRefs.put(id[i], p.noteRefs());
        }
      }
      h.createUpdate("""
              INSERT INTO person (id, family_id, name, surname, gender, birth_date, birth_place, death_date, death_place, notes)
              SELECT u.id, :family, u.name, u.surname, u.gender, u.bd, u.bp, u.dd, u.dp, u.notes
              FROM unnest(:id, :name, :surname, :gender, :bd, :bp, :dd, :dp, :notes)
                AS u(id, name, surname, gender, bd, bp, dd, dp, notes)""")
          .bind("family", familyId)
          .bind("id", id).bind("name", name).bind("surname", surname).bind("gender", gender)
          .bind("bd", birthDate).bind("bp", birthPlace).bind("dd", deathDate).bind("dp", deathPlace).bind("notes", note)
          .execute();
      imported += n;
      pending.clear();
    }

    private String name(GedcomPerson p) {
      String name = p.name() == null || p.name().isBlank() ? "Unknown" : p.name().strip();
      if (name.codePointCount(0, name.length()) > MAX_NAME) {
        warning(new GedcomWarning(p.line(), "the name of " + p.xref() + " was cut to " + MAX_NAME + " characters"));
        name = name.substring(0, name.offsetByCodePoints(0, MAX_NAME));
      }
      return name;
    }

    private static String blankToNull(String s) {
      return s == null || s.isBlank() ? null : s;
    }

    /** Resolves NOTE pointers, parent links and couples; drops links that would close an ancestor cycle. */
    void finish() {
      resolveNotes();
      Map<Long, Long> father = new HashMap<>();
      Map<Long, Long> mother = new HashMap<>();
      Set<List<Long>> couples = new LinkedHashSet<>();
      for (GedcomFamily f : families) {
        Long husband = pointer(f, "HUSB", f.husband());
        Long wife = pointer(f, "WIFE", f.wife());
        if (husband != null && husband.equals(wife)) {
          warning(new GedcomWarning(f.line(), "FAM " + f.xref() + " names " + f.husband() + " as both partners; the wife was ignored"));
          wife = null;
        }
        if (husband != null && wife != null) {
          couples.add(List.of(Math.min(husband, wife), Math.max(husband, wife)));
        }
        for (String childXref : f.children() == null ? List.<String>of() : f.children()) {
          Long child = pointer(f, "CHIL", childXref);
          if (child == null) {
            continue;
          }
          if (child.equals(husband) || child.equals(wife)) {
            warning(new GedcomWarning(f.line(), "FAM " + f.xref() + " names " + childXref + " as their own child; link ignored"));
            continue;
          }
          if (father.containsKey(child) || mother.containsKey(child)) {
            warning(new GedcomWarning(f.line(), childXref + " is a child in more than one family; " + f.xref() + " was not linked"));
            continue;
          }
          if (husband != null) {
            father.put(child, husband);
          }
          if (wife != null) {
            mother.put(child, wife);
          }
        }
      }
      breakCycles(father, mother);
      writeLinks(father, mother);
      writeCouples(couples);
    }

    private Long pointer(GedcomFamily f, String tag, String xref) {
      if (xref == null) {
        return null;
      }
      Long id = ids.get(xref);
      if (id == null) {
        warning(new GedcomWarning(f.line(), "FAM " + f.xref() + " " + tag + " points to " + xref + ", which is not an INDI in the file"));
      }
      return id;
    }

    private void resolveNotes() {
      if (noteRefs.isEmpty()) {
        return;
      }
      List<Long> id = new ArrayList<>();
      List<String> text = new ArrayList<>();
      noteRefs.forEach((person, refs) -> {
        List<String> parts = new ArrayList<>();
        for (String ref : refs) {
          String note = notes.get(ref);
          if (note == null) {
            warning(new GedcomWarning(0, "NOTE " + ref + " is referenced but not in the file"));
          } else if (!note.isBlank()) {
            parts.add(note);
          }
        }
        if (!parts.isEmpty()) {
          id.add(person);
          text.add(String.join("\n\n", parts));
        }
      });
      if (!id.isEmpty()) {
        h.createUpdate("UPDATE person p SET notes = CASE WHEN p.notes IS NULL THEN u.n ELSE p.notes || E'\\n\\n' || u.n END "
                + "FROM unnest(:id, :n) AS u(id, n) WHERE p.id = u.id")
            .bind("id", id.toArray(new Long[0])).bind("n", text.toArray(new String[0])).execute();
      }
    }

    /**
     * Iterative depth-first search along child → parent links (each person has at most two): a link that
     * reaches a person still on the current path would make someone their own ancestor and is dropped.
     */
    private void breakCycles(Map<Long, Long> father, Map<Long, Long> mother) {
      Map<Long, Byte> state = new HashMap<>(); // 1 = on the path, 2 = done
      Map<Long, String> xrefOf = new HashMap<>();
      ids.forEach((x, id) -> xrefOf.put(id, x));
      for (Long start : ids.values()) {
        if (state.containsKey(start)) {
          continue;
        }
        List<long[]> stack = new ArrayList<>(); // {person, next parent slot}
        stack.add(new long[] {start, 0});
        state.put(start, (byte) 1);
        while (!stack.isEmpty()) {
          long[] top = stack.get(stack.size() - 1);
          if (top[1] == 2) {
            state.put(top[0], (byte) 2);
            stack.remove(stack.size() - 1);
            continue;
          }
          Map<Long, Long> links = top[1] == 0 ? father : mother;
          top[1]++;
          Long parent = links.get(top[0]);
          if (parent == null) {
            continue;
          }
          Byte s = state.get(parent);
          if (s == null) {
            state.put(parent, (byte) 1);
            stack.add(new long[] {parent, 0});
          } else if (s == 1) {
            links.remove(top[0]);
            String child = xrefOf.get(top[0]);
            warning(new GedcomWarning(lines.getOrDefault(child, 0), "linking " + child + " to the parent " + xrefOf.get(parent)
                + " would make someone their own ancestor; that link was dropped"));
          }
        }
      }
    }

    private void writeLinks(Map<Long, Long> father, Map<Long, Long> mother) {
      Set<Long> children = new LinkedHashSet<>(father.keySet());
      children.addAll(mother.keySet());
      List<Long> all = new ArrayList<>(children);
      for (int from = 0; from < all.size(); from += 10 * BATCH) {
        List<Long> chunk = all.subList(from, Math.min(all.size(), from + 10 * BATCH));
        Long[] id = chunk.toArray(new Long[0]);
        Long[] f = chunk.stream().map(father::get).toArray(Long[]::new);
        Long[] m = chunk.stream().map(mother::get).toArray(Long[]::new);
        h.createUpdate("UPDATE person p SET father_id = u.f, mother_id = u.m FROM unnest(:id, :f, :m) AS u(id, f, m) WHERE p.id = u.id")
            .bind("id", id).bind("f", f).bind("m", m).execute();
      }
    }

    private void writeCouples(Set<List<Long>> couples) {
      List<List<Long>> all = new ArrayList<>(couples);
      for (int from = 0; from < all.size(); from += 10 * BATCH) {
        List<List<Long>> chunk = all.subList(from, Math.min(all.size(), from + 10 * BATCH));
        h.createUpdate("INSERT INTO spouse (family_id, a, b) SELECT :family, u.a, u.b FROM unnest(:a, :b) AS u(a, b) ON CONFLICT DO NOTHING")
            .bind("family", familyId)
            .bind("a", chunk.stream().map(c -> c.get(0)).toArray(Long[]::new))
            .bind("b", chunk.stream().map(c -> c.get(1)).toArray(Long[]::new))
            .execute();
      }
    }
  }
}
