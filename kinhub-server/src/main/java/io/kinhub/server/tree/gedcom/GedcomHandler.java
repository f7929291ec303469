package io.kinhub.server.tree.gedcom;

/** Receives the records of a GEDCOM file in file order as {@link GedcomReader} streams it. */
public interface GedcomHandler {
  /** An INDI record. */
  void person(GedcomPerson person);

  /** A FAM record. */
  void family(GedcomFamily family);

  /** A level-0 NOTE record, which persons may point to through {@link GedcomPerson#noteRefs()}. */
  void note(String xref, String text);

  /**
   * Content not imported or read with a guess; aggregated warnings arrive at the end of the file.
   */
  void warning(GedcomWarning warning);
}
