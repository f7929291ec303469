package io.kinhub.server.tree.gedcom;

/**
 * The bounds of one read, which keep its memory bounded whatever the file's shape: the longest line
 * in bytes, the most lines in one level-0 record and the most level-0 records. A file beyond one of
 * them fails with a {@link GedcomFormatException} that is {@link GedcomFormatException#tooLarge()
 * too large} and names the line. Independently of them, the text kept of one record is bounded (see
 * {@link GedcomReader}).
 */
public record GedcomLimits(int maxLineBytes, int maxRecordLines, int maxRecords) {
  /**
   * 64 KiB lines (GEDCOM itself allows 255 characters), 20,000 lines per record, a million records.
   */
  public static final GedcomLimits DEFAULTS = new GedcomLimits(64 * 1024, 20_000, 1_000_000);

  public GedcomLimits {
    if (maxLineBytes < 256 || maxRecordLines < 10 || maxRecords < 1) {
      throw new IllegalArgumentException(
          "GEDCOM limits too small: " + maxLineBytes + ", " + maxRecordLines + ", " + maxRecords);
    }
  }
}
