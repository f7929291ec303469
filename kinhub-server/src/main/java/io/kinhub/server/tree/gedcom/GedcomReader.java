package io.kinhub.server.tree.gedcom;

import java.io.IOException;
import java.io.InputStream;
import java.util.regex.Pattern;

/**
 * Reads GEDCOM 5.5/5.5.1 as the programs of the last thirty years wrote it. Only the current
 * level-0 record is held in memory, so a file of any size streams through. Only a file that cannot
 * be read as lines of {@code level [@xref@] TAG [value]} fails; content Kinhub does not import
 * becomes aggregated warnings.
 *
 * <p>Memory is bounded whatever the file's shape: lines, lines per record and records are limited
 * by {@link GedcomLimits}; records Kinhub does not import keep none of their lines; the text kept
 * of one value (with its CONT and CONC lines) is cut at {@value #MAX_VALUE_CHARS} characters, more
 * than any field Kinhub stores, and of one record at {@value #MAX_RECORD_CHARS}, each cut with a
 * warning.
 */
public final class GedcomReader {
  private static final Pattern HEAD = Pattern.compile("\\s*0\\s+HEAD\\s*");
  private static final int MAX_SHOWN = 40;
  static final int MAX_VALUE_CHARS = 16_384;
  static final int MAX_RECORD_CHARS = 1 << 20;

  private final GedcomLines lines;
  private final GedcomHandler handler;
  private final Warnings warnings;
  private final GedcomLimits limits;
  private int recordLines;
  private int records;
  private int recordChars;
  private boolean retained;
  private final GedcomNode[] open =
      new GedcomNode[100]; // the node at each level; null under a CONT or CONC
  private GedcomNode record;
  private String source;
  private int persons;
  private int families;

  private GedcomReader(
      GedcomLines lines, GedcomHandler handler, Warnings warnings, GedcomLimits limits) {
    this.lines = lines;
    this.handler = handler;
    this.warnings = warnings;
    this.limits = limits;
  }

  /**
   * Streams the file to the handler, record by record, and hands over the warnings at the end. The
   * stream is not closed; reading stops at TRLR.
   */
  public static GedcomSummary read(InputStream in, GedcomHandler handler)
      throws GedcomFormatException, IOException {
    return read(in, handler, GedcomLimits.DEFAULTS);
  }

  /** {@link #read(InputStream, GedcomHandler)} within {@code limits}. */
  public static GedcomSummary read(InputStream in, GedcomHandler handler, GedcomLimits limits)
      throws GedcomFormatException, IOException {
    Warnings warnings = new Warnings();
    return new GedcomReader(
            new GedcomLines(in, warnings, limits.maxLineBytes()), handler, warnings, limits)
        .readAll();
  }

  private GedcomSummary readAll() throws GedcomFormatException, IOException {
    boolean trailer = false;
    int previousLevel = 0;
    String text;
    while (!trailer && (text = lines.next()) != null) {
      if (text.isBlank()) {
        warnings.add(lines.number(), "blank line skipped");
        continue;
      }
      if (record == null && !HEAD.matcher(text).matches()) {
        throw new GedcomFormatException(
            lines.number(), "not a GEDCOM file: it must start with '0 HEAD'");
      }
      GedcomNode node = parse(text, lines.number(), previousLevel);
      previousLevel = node.level;
      open[node.level] = node;
      if (node.level == 0) {
        finish();
        if (++records > limits.maxRecords()) {
          throw GedcomFormatException.tooLarge(
              node.line, "the file has more than " + limits.maxRecords() + " records");
        }
        record = node;
        recordLines = 1;
        recordChars = 0;
        retained =
            switch (node.tag) {
              case "HEAD", "INDI", "FAM", "NOTE" -> true;
              default -> false;
            };
        keep(node, node.value.length());
        trailer = node.tag.equals("TRLR");
      } else {
        if (++recordLines > limits.maxRecordLines()) {
          throw GedcomFormatException.tooLarge(
              node.line,
              "the "
                  + record.tag
                  + " record at line "
                  + record.line
                  + " has more than "
                  + limits.maxRecordLines()
                  + " lines");
        }
        attach(node);
      }
    }
    if (record == null) {
      throw new GedcomFormatException(1, "not a GEDCOM file: it is empty");
    }
    finish();
    if (!trailer) {
      warnings.add(lines.number(), "no TRLR at the end: the file may be cut short");
    }
    warnings.flush(handler);
    return new GedcomSummary(lines.charsetName(), source, lines.number(), persons, families);
  }

  /**
   * Parses {@code level [@xref@] TAG [value]}; the value is everything after the one space that
   * ends the tag.
   */
  private static GedcomNode parse(String text, int number, int previousLevel)
      throws GedcomFormatException {
    int n = text.length();
    int i = skip(text, 0, " \t");
    int start = i;
    while (i < n && i - start <= 2 && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
      i++;
    }
    if (i == start || i - start > 2 || (i < n && text.charAt(i) != ' ')) {
      throw new GedcomFormatException(
          number, "a line must start with a level 0 to 99, not '" + shown(text) + "'");
    }
    int level = Integer.parseInt(text, start, i, 10);
    if (level > previousLevel + 1) {
      throw new GedcomFormatException(
          number, "level " + level + " after level " + previousLevel + " skips a level");
    }
    i = skip(text, i, " ");
    String xref = null;
    if (i < n && text.charAt(i) == '@') {
      int end = text.indexOf(' ', i);
      xref = text.substring(i, end < 0 ? n : end);
      i = skip(text, end < 0 ? n : end, " ");
    }
    int end = text.indexOf(' ', i);
    String tag = text.substring(i, end < 0 ? n : end);
    if (tag.isEmpty()) {
      throw new GedcomFormatException(number, "no tag in '" + shown(text) + "'");
    }
    return new GedcomNode(level, number, xref, tag, end < 0 ? "" : text.substring(end + 1));
  }

  private static int skip(String text, int from, String characters) {
    int i = from;
    while (i < text.length() && characters.indexOf(text.charAt(i)) >= 0) {
      i++;
    }
    return i;
  }

  private static String shown(String text) {
    String s = text.strip();
    return s.length() <= MAX_SHOWN ? s : s.substring(0, MAX_SHOWN) + "…";
  }

  /** Adds a line to its parent; CONT and CONC extend the parent's value instead. */
  private void attach(GedcomNode node) {
    GedcomNode parent = open[node.level - 1];
    boolean continuation = node.tag.equals("CONT") || node.tag.equals("CONC");
    if (node.level == 1 && node.tag.equals("CHAR") && record.tag.equals("HEAD")) {
      lines.declare(node.value.toString(), node.line);
    }
    if (continuation) {
      open[node.level] = null;
    }
    if (!retained) {
      return;
    }
    if (parent == null) {
      warnings.add(node.line, "lines under CONT or CONC not imported");
    } else if (continuation) {
      String separator = node.tag.equals("CONT") ? "\n" : "";
      int room = room(parent, parent.value.length(), separator.length() + node.value.length());
      parent
          .value
          .append(separator, 0, Math.min(room, separator.length()))
          .append(node.value, 0, Math.max(0, room - separator.length()));
    } else {
      keep(node, node.value.length());
      parent.children.add(node);
    }
  }

  /** Cuts a new node's own value to what the value and record bounds leave room for. */
  private void keep(GedcomNode node, int length) {
    int kept = room(node, 0, length);
    node.value.setLength(kept);
  }

  /**
   * How many of {@code more} characters added to a value already holding {@code held} may be kept;
   * counts them.
   */
  private int room(GedcomNode node, int held, int more) {
    int kept =
        Math.min(
            more, Math.max(0, Math.min(MAX_VALUE_CHARS - held, MAX_RECORD_CHARS - recordChars)));
    if (kept < more) {
      warnings.add(
          node.line,
          "text cut: a value is kept up to "
              + MAX_VALUE_CHARS
              + " characters, a record up to "
              + MAX_RECORD_CHARS);
    }
    recordChars += kept;
    return kept;
  }

  private void finish() {
    if (record == null) {
      return;
    }
    switch (record.tag) {
      case "HEAD" ->
          record.children.stream()
              .filter(c -> c.tag.equals("SOUR"))
              .findFirst()
              .ifPresent(sour -> source = sour.text().strip());
      case "INDI" -> {
        handler.person(GedcomRecords.person(record, warnings));
        persons++;
      }
      case "FAM" -> {
        handler.family(GedcomRecords.family(record, warnings));
        families++;
      }
      case "NOTE" -> handler.note(record.xref, GedcomRecords.note(record, warnings));
      case "SUBM", "SUBN", "TRLR" -> {} // who sent the file, and its end: nothing to import
      default -> warnings.add(record.line, record.tag + " record not imported");
    }
  }
}
