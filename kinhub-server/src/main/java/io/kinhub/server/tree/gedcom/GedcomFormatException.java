package io.kinhub.server.tree.gedcom;

/**
 * A file that cannot be read as GEDCOM at all (as opposed to content that is merely not imported, which becomes a
 * {@link GedcomWarning}). Checked, so that an importer decides what the user is told.
 */
public final class GedcomFormatException extends Exception {
  private final int line;
  private final String reason;

  /** A fault at a 1-based line; the message reads "line N: reason". */
  public GedcomFormatException(int line, String message) {
    super("line " + line + ": " + message);
    this.line = line;
    this.reason = message;
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
