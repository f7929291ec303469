package io.kinhub.server.tree.gedcom;

import java.util.List;
import java.util.Set;

/**
 * An INDI record as Kinhub imports it: the first NAME without its slashes ("Henry Tudor") and the
 * part that was between them as the surname ("Tudor", null if none), gender "male", "female" or
 * "unknown", birth and death, the inline notes joined by blank lines, and pointers to NOTE records.
 * Absent values are null, never empty strings. {@code deceased}: the record has a DEAT or BURI
 * event (with or without a date).
 */
public record GedcomPerson(
    String xref,
    int line,
    String name,
    String surname,
    String gender,
    PartialDate birthDate,
    String birthPlace,
    PartialDate deathDate,
    String deathPlace,
    String notes,
    List<String> noteRefs,
    boolean deceased) {
  private static final Set<String> GENDERS = Set.of("male", "female", "unknown");

  public GedcomPerson {
    gender = gender == null ? "unknown" : gender;
    if (!GENDERS.contains(gender)) {
      throw new IllegalArgumentException(
          "gender must be male, female or unknown, not '" + gender + "'");
    }
    noteRefs = noteRefs == null ? List.of() : List.copyOf(noteRefs);
  }

  /** A person not known to be dead beyond what the death date says. */
  public GedcomPerson(
      String xref,
      int line,
      String name,
      String surname,
      String gender,
      PartialDate birthDate,
      String birthPlace,
      PartialDate deathDate,
      String deathPlace,
      String notes,
      List<String> noteRefs) {
    this(
        xref,
        line,
        name,
        surname,
        gender,
        birthDate,
        birthPlace,
        deathDate,
        deathPlace,
        notes,
        noteRefs,
        false);
  }
}
