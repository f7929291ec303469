package io.kinhub.server.tree.gedcom;

/**
 * Something in a GEDCOM file that was read but not imported, or read with a guess; {@code line} is
 * where it first occurs.
 */
public record GedcomWarning(int line, String message) {
  /** "line N: message", the form to show to a user. */
  @Override
  public String toString() {
    return "line " + line + ": " + message;
  }
}
