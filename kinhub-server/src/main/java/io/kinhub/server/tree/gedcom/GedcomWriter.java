package io.kinhub.server.tree.gedcom;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Writes GEDCOM 5.5.1 in UTF-8 with LF line ends and no byte order mark, streaming record by
 * record. Values are written so that {@link GedcomReader} gives back exactly what was written:
 * {@code @} doubled, line breaks as CONT, and lines longer than 255 characters continued with CONC,
 * split where no reader's trimming can lose a space.
 */
public final class GedcomWriter implements Closeable {
  private static final int MAX_LINE = 255;
  private static final String SUBMITTER = "@SUBM@";
  private static final Pattern LINE_BREAK = Pattern.compile("\r\n|\r|\n");
  private static final Pattern XREF = Pattern.compile("@[^@\\s]+@");

  private final Writer out;
  private boolean headerWritten;
  private boolean closed;

  /** Writes to the stream, which {@link #close()} closes. */
  public GedcomWriter(OutputStream out) {
    this.out = new BufferedWriter(new OutputStreamWriter(out, UTF_8));
  }

  /**
   * The HEAD naming the writing program, and the submitter record GEDCOM 5.5.1 requires; must come
   * first.
   */
  public void header(String sourceName, String sourceVersion) throws IOException {
    line(0, null, "HEAD", "");
    value(1, "SOUR", sourceName);
    value(2, "VERS", sourceVersion);
    line(1, null, "GEDC", "");
    line(2, null, "VERS", "5.5.1");
    line(2, null, "FORM", "LINEAGE-LINKED");
    line(1, null, "CHAR", "UTF-8");
    line(1, null, "SUBM", SUBMITTER);
    line(0, SUBMITTER, "SUBM", "");
    value(1, "NAME", sourceName);
    headerWritten = true;
  }

  /** An INDI record with its links to the families it is a partner (FAMS) or child (FAMC) in. */
  public void person(GedcomPerson person, List<String> spouseFamilies, List<String> childFamilies)
      throws IOException {
    record(person.xref(), "INDI");
    String name = GedcomNames.toGedcom(person.name(), person.surname());
    if (name != null) {
      value(1, "NAME", name);
    }
    line(
        1,
        null,
        "SEX",
        switch (person.gender()) {
          case "male" -> "M";
          case "female" -> "F";
          default -> "U";
        });
    event(
        "BIRT",
        person.birthDate() == null ? null : person.birthDate().toGedcom(),
        person.birthPlace());
    event(
        "DEAT",
        person.deathDate() == null ? null : person.deathDate().toGedcom(),
        person.deathPlace());
    if (person.deceased() && person.deathDate() == null && person.deathPlace() == null) {
      line(1, null, "DEAT", "Y"); // died, when and where unknown (GEDCOM 5.5.1's event assertion)
    }
    for (String family : childFamilies) {
      line(1, null, "FAMC", xref(family));
    }
    for (String family : spouseFamilies) {
      line(1, null, "FAMS", xref(family));
    }
    if (person.notes() != null) {
      value(1, "NOTE", person.notes());
    }
    for (String note : person.noteRefs()) {
      line(1, null, "NOTE", xref(note));
    }
  }

  /** A FAM record with its partners and children. */
  public void family(GedcomFamily family) throws IOException {
    record(family.xref(), "FAM");
    if (family.husband() != null) {
      line(1, null, "HUSB", xref(family.husband()));
    }
    if (family.wife() != null) {
      line(1, null, "WIFE", xref(family.wife()));
    }
    for (String child : family.children()) {
      line(1, null, "CHIL", xref(child));
    }
  }

  /** Ends the file with TRLR and closes the stream. */
  @Override
  public void close() throws IOException {
    if (!closed) {
      closed = true;
      try (out) {
        line(0, null, "TRLR", "");
      }
    }
  }

  private void record(String xref, String tag) throws IOException {
    if (!headerWritten) {
      throw new IllegalStateException("header() must be written before any record");
    }
    line(0, xref(xref), tag, "");
  }

  private void event(String tag, String date, String place) throws IOException {
    if (date == null && place == null) {
      return;
    }
    line(1, null, tag, "");
    if (date != null) {
      value(2, "DATE", date);
    }
    if (place != null) {
      value(2, "PLAC", place);
    }
  }

  /** A text value: @ doubled, each line break a CONT, each over-long line continued with CONC. */
  private void value(int level, String tag, String text) throws IOException {
    String[] paragraphs = LINE_BREAK.split(text.replace("@", "@@"), -1);
    for (int p = 0; p < paragraphs.length; p++) {
      String rest = paragraphs[p];
      int lineLevel = p == 0 ? level : level + 1;
      String lineTag = p == 0 ? tag : "CONT";
      do {
        int room = MAX_LINE - (lineLevel + " " + lineTag + " ").length();
        int cut = rest.length() <= room ? rest.length() : cut(rest, room);
        line(lineLevel, null, lineTag, rest.substring(0, cut));
        rest = rest.substring(cut);
        lineLevel = level + 1;
        lineTag = "CONC";
      } while (!rest.isEmpty());
    }
  }

  /**
   * Where to split a line too long for {@code room}: never next to whitespace, inside a code point
   * or an "@@".
   */
  private static int cut(String text, int room) {
    for (int i = room; i > 0; i--) {
      char before = text.charAt(i - 1);
      char after = text.charAt(i);
      if (!Character.isWhitespace(before)
          && !Character.isWhitespace(after)
          && !Character.isLowSurrogate(after)
          && !(before == '@' && after == '@')) {
        return i;
      }
    }
    return Character.isLowSurrogate(text.charAt(room))
        ? room - 1
        : room; // all whitespace: any code point boundary
  }

  private static String xref(String xref) {
    if (xref == null || !XREF.matcher(xref).matches()) {
      throw new IllegalArgumentException("not a GEDCOM xref such as @I1@: '" + xref + "'");
    }
    return xref;
  }

  private void line(int level, String xref, String tag, String value) throws IOException {
    out.write(Integer.toString(level));
    if (xref != null) {
      out.write(" " + xref);
    }
    out.write(" " + tag);
    if (!value.isEmpty()) {
      out.write(" " + value);
    }
    out.write('\n');
  }
}
