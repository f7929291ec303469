package io.kinhub.server.tree.gedcom;

/**
 * A file that cannot be read as GEDCOM at all (as opposed to content that is merely not imported,
 * which becomes a {@link GedcomWarning}). Checked, so that an importer decides what the user is
 * told.
 */
public final class GedcomFormatException extends Exception {
  private final int line;
  private final String reason;
  private final boolean tooLarge;

  /** A fault at a 1-based line; the message reads "line N: reason". */
  public GedcomFormatException(int line, String message) {
    this(line, message, false);
  }

  private GedcomFormatException(int line, String message, boolean tooLarge) {
    super("line " + line + ": " + message);
    this.line = line;
    this.reason = message;
    this.tooLarge = tooLarge;
  }

  /** A file that is beyond a {@link GedcomLimits limit} at a 1-based line. */
  public static GedcomFormatException tooLarge(int line, String message) {
    return new GedcomFormatException(line, message, true);
  }

  /** Whether the file broke a size limit (rather than GEDCOM's grammar). */
  public boolean tooLarge() {
    return tooLarge;
  }

  /** The 1-based line at fault. */
  public int line() {
    return line;
  }

  /** The fault without the line number. */
  public String reason() {
    return reason;
  }
}
