package io.kinhub.server.tree;

import io.kinhub.server.backing.Database;
import io.kinhub.server.genealogy.Changes;
import io.kinhub.server.genealogy.ImportState;
import io.kinhub.server.tree.gedcom.GedcomFamily;
import io.kinhub.server.tree.gedcom.GedcomFormatException;
import io.kinhub.server.tree.gedcom.GedcomHandler;
import io.kinhub.server.tree.gedcom.GedcomLimits;
import io.kinhub.server.tree.gedcom.GedcomPerson;
import io.kinhub.server.tree.gedcom.GedcomReader;
import io.kinhub.server.tree.gedcom.GedcomSummary;
import io.kinhub.server.tree.gedcom.GedcomWarning;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * Imports a GEDCOM file into a family's tree in one transaction: a file that fails half-way leaves
 * nothing.
 *
 * <p>The file is streamed: persons are inserted in batches as their records are read (ids drawn
 * from the sequence in blocks), and only small per-person facts are kept in primitive arrays (xref
 * → id, the FAM records' pointers) until the end, when parent links and couples are resolved,
 * checked for ancestor cycles and written with a few set-based statements. NOTE records and the
 * persons' pointers to them go to temporary tables and are joined there, so their text never piles
 * up in the heap. Values longer than the API allows for the field are cut to its limit with a
 * warning (name 200, surname 100, places 200, notes 10,000 characters), and control characters the
 * API refuses in a field become spaces.
 */
public final class GedcomImport {
  private static final int BATCH = 2_000;

  /** A batch is also written once it holds this many characters of text. */
  private static final int BATCH_CHARS = 1 << 20;

  static final int MAX_NAME = 200;
  static final int MAX_SURNAME = 100;
  static final int MAX_PLACE = 200;
  static final int MAX_NOTES = 10_000;

  /** Warnings kept for the response; all are counted. */
  public static final int MAX_WARNINGS = 500;

  /** What an import did: the first {@link #MAX_WARNINGS} warnings and how many there were. */
  public record Result(int persons, int families, List<GedcomWarning> warnings, int warningCount) {}

  private final Database db;
  private final GedcomLimits limits;
  private final TreeVersions versions;

  public GedcomImport(Database db, GedcomLimits limits, TreeVersions versions) {
    this.db = db;
    this.limits = limits;
    this.versions = versions;
  }

  /**
   * Imports; {@link GedcomFormatException} when the file is malformed or beyond a limit (nothing is
   * kept then). Takes a database connection only for the import itself: {@code in} should be at
   * hand (a spooled file).
   */
  public Result run(long familyId, InputStream in) throws GedcomFormatException, IOException {
    return run(familyId, in, null);
  }

  /** {@link #run}, recording the import in the change history as made by {@code actor}. */
  public Result run(long familyId, InputStream in, Long actor)
      throws GedcomFormatException, IOException {
    Result result;
    try {
      result =
          db.inTransaction(
              h -> {
                PersonStore.lockTree(h, familyId);
                Run run = new Run(h, familyId, 2L * limits.maxRecords());
                GedcomSummary summary;
                try {
                  summary = GedcomReader.read(in, run, limits);
                  if (run.tooManyXrefs >= 0) {
                    throw GedcomFormatException.tooLarge(
                        run.tooManyXrefs,
                        "the file names more than "
                            + 2L * limits.maxRecords()
                            + " distinct cross-references");
                  }
                } catch (GedcomFormatException e) {
                  throw new Failed(e);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
                run.flush();
                run.finish();
                PersonStore.bumpVersion(h, familyId);
                Changes.record(
                    h,
                    familyId,
                    null,
                    actor,
                    "import",
                    null,
                    ImportState.of(run.imported, summary.families()),
                    null);
                return new Result(
                    run.imported, summary.families(), List.copyOf(run.warnings), run.warningCount);
              });
    } catch (Failed failed) {
      throw failed.cause;
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    versions.changed(familyId);
    return result;
  }

  /** Carries a format error out of the transaction callback (which rolls back). */
  private static final class Failed extends RuntimeException {
    final GedcomFormatException cause;

    Failed(GedcomFormatException cause) {
      super(cause.getMessage(), null, false, false);
      this.cause = cause;
    }
  }

  /** A growable int array. */
  private static final class Ints {
    int[] a = new int[64];
    int size;

    void add(int v) {
      if (size == a.length) {
        a = Arrays.copyOf(a, size * 2);
      }
      a[size++] = v;
    }

    int get(int i) {
      return a[i];
    }

    void set(int i, int v) {
      while (i >= size) {
        add(-1);
      }
      a[i] = v;
    }
  }

  private static final class Run implements GedcomHandler {
    private final Handle h;
    private final long familyId;
    private final long maxXrefs;
    private final XrefIndex xrefs = new XrefIndex();
    private final Ints personOf = new Ints(); // xref ordinal → person slot, -1 if not an INDI
    private long[] ids = new long[64]; // person slot → id
    private final Ints personXref = new Ints(); // person slot → xref ordinal
    private final Ints personLine = new Ints();
    private final Ints famLine = new Ints();
    private final Ints famXref = new Ints();
    private final Ints famHusband = new Ints(); // xref ordinals, -1 when absent
    private final Ints famWife = new Ints();
    private final Ints famChildrenEnd =
        new Ints(); // children of family i: famChildren[end(i-1) .. end(i))
    private final Ints famChildren = new Ints();
    private final List<GedcomPerson> pending = new ArrayList<>(BATCH);
    private int pendingChars;
    private final List<String[]> pendingNotes = new ArrayList<>();
    private int pendingNoteChars;
    private boolean tempTables;
    private final List<GedcomWarning> warnings = new ArrayList<>();
    private int warningCount;
    private int imported;
    private int persons;
    int tooManyXrefs = -1;

    Run(Handle h, long familyId, long maxXrefs) {
      this.h = h;
      this.familyId = familyId;
      this.maxXrefs = maxXrefs;
    }

    /** The ordinal of an xref; counts towards the bound of distinct xrefs (-1 once beyond it). */
    private int xref(String xref, int line) {
      if (xrefs.size() >= maxXrefs) {
        int known = xrefs.find(xref);
        if (known < 0 && tooManyXrefs < 0) {
          tooManyXrefs = line;
        }
        return known;
      }
      int ordinal = xrefs.intern(xref);
      if (ordinal == personOf.size) {
        personOf.add(-1);
      }
      return ordinal;
    }

    @Override
    public void person(GedcomPerson person) {
      int x = xref(person.xref() == null ? "@?@" : person.xref(), person.line());
      if (x < 0) {
        return;
      }
      if (personOf.get(x) >= 0) {
        warning(
            new GedcomWarning(
                person.line(),
                "INDI " + person.xref() + " appears twice; the second record was skipped"));
        return;
      }
      int slot = persons++;
      personOf.set(x, slot);
      personXref.add(x);
      personLine.add(person.line());
      GedcomPerson p = withinLimits(person);
      pending.add(p);
      pendingChars +=
          length(p.name()) + length(p.notes()) + length(p.birthPlace()) + length(p.deathPlace());
      if (pending.size() == BATCH || pendingChars > BATCH_CHARS) {
        flush();
      }
    }

    private static int length(String s) {
      return s == null ? 0 : s.length();
    }

    @Override
    public void family(GedcomFamily family) {
      famLine.add(family.line());
      famXref.add(family.xref() == null ? -1 : xref(family.xref(), family.line()));
      famHusband.add(family.husband() == null ? -1 : xref(family.husband(), family.line()));
      famWife.add(family.wife() == null ? -1 : xref(family.wife(), family.line()));
      for (String child : family.children()) {
        int c = xref(child, family.line());
        if (c >= 0) {
          famChildren.add(c);
        }
      }
      famChildrenEnd.add(famChildren.size);
    }

    @Override
    public void note(String xref, String text) {
      if (xref == null) {
        return;
      }
      String kept = cut(text, MAX_NOTES);
      pendingNotes.add(new String[] {xref, kept});
      pendingNoteChars += kept.length();
      if (pendingNotes.size() == BATCH || pendingNoteChars > BATCH_CHARS) {
        flushNotes();
      }
    }

    @Override
    public void warning(GedcomWarning warning) {
      warningCount++;
      if (warnings.size() < MAX_WARNINGS) {
        warnings.add(warning);
      }
    }

    /** The person with every value within the API's limit for its field, each cut reported. */
    private GedcomPerson withinLimits(GedcomPerson p) {
      String name = p.name() == null || p.name().isBlank() ? "Unknown" : p.name().strip();
      return new GedcomPerson(
          p.xref(),
          p.line(),
          limited(p, "name", name, MAX_NAME),
          limited(p, "surname", p.surname(), MAX_SURNAME),
          p.gender(),
          p.birthDate(),
          limited(p, "birth place", p.birthPlace(), MAX_PLACE),
          p.deathDate(),
          limited(p, "death place", p.deathPlace(), MAX_PLACE),
          limited(p, "notes", p.notes(), MAX_NOTES),
          p.noteRefs(),
          p.deceased());
    }

    private String limited(GedcomPerson p, String field, String value, int max) {
      if (value != null
          && value
              .chars()
              .anyMatch(
                  c ->
                      Character.isISOControl(c)
                          && !(field.equals("notes") && (c == '\n' || c == '\t')))) {
        // what the API refuses in a field (control characters; in notes all but newlines and tabs)
        // becomes a space
        StringBuilder clean = new StringBuilder(value.length());
        value
            .chars()
            .forEach(
                c ->
                    clean.append(
                        Character.isISOControl(c)
                                && !(field.equals("notes") && (c == '\n' || c == '\t'))
                            ? ' '
                            : (char) c));
        value = clean.toString();
        warning(
            new GedcomWarning(
                p.line(),
                "control characters in the "
                    + field
                    + " of "
                    + p.xref()
                    + " were replaced by spaces"));
      }
      String kept = value == null ? null : cut(value, max);
      if (kept != null && kept.length() < value.length()) {
        warning(
            new GedcomWarning(
                p.line(),
                "the " + field + " of " + p.xref() + " was cut to " + max + " characters"));
      }
      return kept;
    }

    /** At most {@code max} code points of {@code s}. */
    private static String cut(String s, int max) {
      if (s.length() <= max || s.codePointCount(0, s.length()) <= max) {
        return s;
      }
      return s.substring(0, s.offsetByCodePoints(0, max));
    }

    private void createTempTables() {
      if (!tempTables) {
        h.execute(
            "CREATE TEMP TABLE gedcom_note (seq BIGSERIAL, xref TEXT NOT NULL, text TEXT NOT NULL) ON COMMIT DROP");
        h.execute(
            "CREATE TEMP TABLE gedcom_note_ref (person_id BIGINT NOT NULL, pos INT NOT NULL, xref TEXT NOT NULL) ON COMMIT DROP");
        tempTables = true;
      }
    }

    private void flushNotes() {
      if (pendingNotes.isEmpty()) {
        return;
      }
      createTempTables();
      h.createUpdate("INSERT INTO gedcom_note (xref, text) SELECT * FROM unnest(:x, :t)")
          .bind("x", pendingNotes.stream().map(n -> n[0]).toArray(String[]::new))
          .bind("t", pendingNotes.stream().map(n -> n[1]).toArray(String[]::new))
          .execute();
      pendingNotes.clear();
      pendingNoteChars = 0;
    }

    /** Inserts the pending persons with ids drawn from the sequence in one block. */
    void flush() {
      flushNotes();
      if (pending.isEmpty()) {
        return;
      }
      int n = pending.size();
      List<Long> block =
          h.createQuery(
                  "SELECT nextval(pg_get_serial_sequence('person', 'id')) FROM generate_series(1, :n)")
              .bind("n", n)
              .mapTo(Long.class)
              .list();
      Long[] id = block.toArray(new Long[0]);
      String[] name = new String[n];
      String[] surname = new String[n];
      String[] gender = new String[n];
      String[] birthDate = new String[n];
      String[] birthPlace = new String[n];
      String[] deathDate = new String[n];
      String[] deathPlace = new String[n];
      String[] note = new String[n];
      Boolean[] deceased = new Boolean[n];
      List<Long> refPerson = new ArrayList<>();
      List<Integer> refPos = new ArrayList<>();
      List<String> refXref = new ArrayList<>();
      int firstSlot = imported;
      if (ids.length < firstSlot + n) {
        ids = Arrays.copyOf(ids, Math.max(ids.length * 2, firstSlot + n));
      }
      for (int i = 0; i < n; i++) {
        GedcomPerson p = pending.get(i);
        ids[firstSlot + i] = id[i];
        name[i] = p.name();
        surname[i] = blankToNull(p.surname());
        gender[i] = p.gender() == null ? "unknown" : p.gender();
        birthDate[i] = p.birthDate() == null ? null : p.birthDate().toString();
        birthPlace[i] = blankToNull(p.birthPlace());
        deathDate[i] = p.deathDate() == null ? null : p.deathDate().toString();
        deathPlace[i] = blankToNull(p.deathPlace());
        note[i] = blankToNull(p.notes());
        deceased[i] = p.deceased();
        for (int r = 0; r < p.noteRefs().size(); r++) {
          refPerson.add(id[i]);
          refPos.add(r);
          refXref.add(p.noteRefs().get(r));
        }
      }
      h.createUpdate(
              """
              INSERT INTO person (id, family_id, name, surname, gender, birth_date, birth_place, death_date, death_place, notes, deceased)
              SELECT u.id, :family, u.name, u.surname, u.gender, u.bd, u.bp, u.dd, u.dp, u.notes, u.deceased
              FROM unnest(:id, :name, :surname, :gender, :bd, :bp, :dd, :dp, :notes, :deceased)
                AS u(id, name, surname, gender, bd, bp, dd, dp, notes, deceased)""")
          .bind("family", familyId)
          .bind("id", id)
          .bind("name", name)
          .bind("surname", surname)
          .bind("gender", gender)
          .bind("bd", birthDate)
          .bind("bp", birthPlace)
          .bind("dd", deathDate)
          .bind("dp", deathPlace)
          .bind("notes", note)
          .bind("deceased", deceased)
          .execute();
      if (!refPerson.isEmpty()) {
        createTempTables();
        h.createUpdate(
                "INSERT INTO gedcom_note_ref (person_id, pos, xref) SELECT * FROM unnest(:p, :pos, :x)")
            .bind("p", refPerson.toArray(new Long[0]))
            .bind("pos", refPos.toArray(new Integer[0]))
            .bind("x", refXref.toArray(new String[0]))
            .execute();
      }
      imported += n;
      pending.clear();
      pendingChars = 0;
    }

    private static String blankToNull(String s) {
      return s == null || s.isBlank() ? null : s;
    }

    /**
     * Resolves NOTE pointers, parent links and couples; drops links that would close an ancestor
     * cycle.
     */
    void finish() {
      resolveNotes();
      int[] father = new int[persons];
      int[] mother = new int[persons];
      Arrays.fill(father, -1);
      Arrays.fill(mother, -1);
      long[] couples = new long[famLine.size];
      int coupleCount = 0;
      for (int f = 0; f < famLine.size; f++) {
        int husband = pointer(f, "HUSB", famHusband.get(f));
        int wife = pointer(f, "WIFE", famWife.get(f));
        if (husband >= 0 && husband == wife) {
          warning(
              new GedcomWarning(
                  famLine.get(f),
                  "FAM "
                      + famName(f)
                      + " names "
                      + xrefs.get(famHusband.get(f))
                      + " as both partners; the wife was ignored"));
          wife = -1;
        }
        if (husband >= 0 && wife >= 0) {
          couples[coupleCount++] = (long) Math.min(husband, wife) << 32 | Math.max(husband, wife);
        }
        for (int c = f == 0 ? 0 : famChildrenEnd.get(f - 1); c < famChildrenEnd.get(f); c++) {
          int child = pointer(f, "CHIL", famChildren.get(c));
          if (child < 0) {
            continue;
          }
          String childXref = xrefs.get(famChildren.get(c));
          if (child == husband || child == wife) {
            warning(
                new GedcomWarning(
                    famLine.get(f),
                    "FAM "
                        + famName(f)
                        + " names "
                        + childXref
                        + " as their own child; link ignored"));
            continue;
          }
          if (father[child] >= 0 || mother[child] >= 0) {
            warning(
                new GedcomWarning(
                    famLine.get(f),
                    childXref
                        + " is a child in more than one family; "
                        + famName(f)
                        + " was not linked"));
            continue;
          }
          father[child] = husband;
          mother[child] = wife;
        }
      }
      breakCycles(father, mother);
      writeLinks(father, mother);
      couples = Arrays.copyOf(couples, coupleCount);
      Arrays.sort(couples);
      writeCouples(couples);
    }

    private String famName(int f) {
      return famXref.get(f) < 0 ? "(without xref)" : xrefs.get(famXref.get(f));
    }

    /**
     * The person slot an xref ordinal of a FAM points to; -1 (with a warning if there was a
     * pointer).
     */
    private int pointer(int f, String tag, int xref) {
      if (xref < 0) {
        return -1;
      }
      int slot = personOf.get(xref);
      if (slot < 0) {
        warning(
            new GedcomWarning(
                famLine.get(f),
                "FAM "
                    + famName(f)
                    + " "
                    + tag
                    + " points to "
                    + xrefs.get(xref)
                    + ", which is not an INDI in the file"));
      }
      return slot;
    }

    private void resolveNotes() {
      flushNotes();
      if (!tempTables) {
        return;
      }
      h.createQuery(
              "SELECT DISTINCT r.xref FROM gedcom_note_ref r WHERE NOT EXISTS (SELECT 1 FROM gedcom_note n WHERE n.xref = r.xref) "
                  + "ORDER BY 1 LIMIT :n")
          .bind("n", MAX_WARNINGS)
          .mapTo(String.class)
          .forEach(
              ref ->
                  warning(
                      new GedcomWarning(0, "NOTE " + ref + " is referenced but not in the file")));
      int cut =
          h.createQuery(
                  """
              WITH note AS (SELECT DISTINCT ON (xref) xref, text FROM gedcom_note ORDER BY xref, seq DESC),
                joined AS (SELECT r.person_id AS id, string_agg(n.text, E'\\n\\n' ORDER BY r.pos) AS n
                  FROM gedcom_note_ref r JOIN note n ON n.xref = r.xref WHERE n.text <> '' GROUP BY r.person_id),
                updated AS (UPDATE person p SET notes = left(CASE WHEN p.notes IS NULL THEN j.n ELSE p.notes || E'\\n\\n' || j.n END, :max)
                  FROM joined j WHERE p.id = j.id
                  RETURNING length(CASE WHEN p.notes IS NULL THEN j.n ELSE p.notes || E'\\n\\n' || j.n END) > :max AS cut)
              SELECT count(*) FILTER (WHERE cut) FROM updated""")
              .bind("max", MAX_NOTES)
              .mapTo(Integer.class)
              .one();
      if (cut > 0) {
        warning(
            new GedcomWarning(
                0,
                cut
                    + " persons' notes with their NOTE records were cut to "
                    + MAX_NOTES
                    + " characters"));
      }
    }

    /**
     * Iterative depth-first search along child → parent links (each person has at most two): a link
     * that reaches a person still on the current path would make someone their own ancestor and is
     * dropped.
     */
    private void breakCycles(int[] father, int[] mother) {
      byte[] state = new byte[persons]; // 0 = unseen, 1 = on the path, 2 = done
      int[] stack = new int[Math.max(1, persons)];
      byte[] next = new byte[persons]; // next parent slot to follow: 0 father, 1 mother, 2 done
      for (int start = 0; start < persons; start++) {
        if (state[start] != 0) {
          continue;
        }
        int depth = 0;
        stack[depth++] = start;
        state[start] = 1;
        while (depth > 0) {
          int top = stack[depth - 1];
          if (next[top] == 2) {
            state[top] = 2;
            depth--;
            continue;
          }
          int[] links = next[top] == 0 ? father : mother;
          next[top]++;
          int parent = links[top];
          if (parent < 0) {
            continue;
          }
          if (state[parent] == 0) {
            state[parent] = 1;
            stack[depth++] = parent;
          } else if (state[parent] == 1) {
            links[top] = -1;
            String child = xrefs.get(personXref.get(top));
            warning(
                new GedcomWarning(
                    personLine.get(top),
                    "linking "
                        + child
                        + " to the parent "
                        + xrefs.get(personXref.get(parent))
                        + " would make someone their own ancestor; that link was dropped"));
          }
        }
      }
    }

    private void writeLinks(int[] father, int[] mother) {
      int chunk = 10 * BATCH;
      List<Long> id = new ArrayList<>(chunk);
      List<Long> f = new ArrayList<>(chunk);
      List<Long> m = new ArrayList<>(chunk);
      for (int slot = 0; slot <= persons; slot++) {
        if (slot < persons && (father[slot] >= 0 || mother[slot] >= 0)) {
          id.add(ids[slot]);
          f.add(father[slot] < 0 ? null : ids[father[slot]]);
          m.add(mother[slot] < 0 ? null : ids[mother[slot]]);
        }
        if (!id.isEmpty() && (id.size() == chunk || slot == persons)) {
          h.createUpdate(
                  "UPDATE person p SET father_id = u.f, mother_id = u.m FROM unnest(:id, :f, :m) AS u(id, f, m) WHERE p.id = u.id")
              .bind("id", id.toArray(new Long[0]))
              .bind("f", f.toArray(new Long[0]))
              .bind("m", m.toArray(new Long[0]))
              .execute();
          id.clear();
          f.clear();
          m.clear();
        }
      }
    }

    private void writeCouples(long[] couples) {
      int chunk = 10 * BATCH;
      List<Long> a = new ArrayList<>(chunk);
      List<Long> b = new ArrayList<>(chunk);
      for (int i = 0; i <= couples.length; i++) {
        if (i < couples.length && (i == 0 || couples[i] != couples[i - 1])) {
          long x = ids[(int) (couples[i] >>> 32)];
          long y = ids[(int) couples[i]];
          a.add(Math.min(x, y));
          b.add(Math.max(x, y));
        }
        if (!a.isEmpty() && (a.size() == chunk || i == couples.length)) {
          h.createUpdate(
                  "INSERT INTO spouse (family_id, a, b) SELECT :family, u.a, u.b FROM unnest(:a, :b) AS u(a, b) ON CONFLICT DO NOTHING")
              .bind("family", familyId)
              .bind("a", a.toArray(new Long[0]))
              .bind("b", b.toArray(new Long[0]))
              .execute();
          a.clear();
          b.clear();
        }
      }
    }
  }
}
