package io.kinhub.server.genealogy;

import java.util.List;

/**
 * A person's API object as members see it: ids as strings, every member present (null when
 * unknown). The tree builds it from its {@code Person}; {@link Privacy} decides what other readers
 * see of it.
 */
public record PersonBody(
    String id,
    String familyId,
    String name,
    String surname,
    String gender,
    String birthDate,
    String birthPlace,
    String deathDate,
    String deathPlace,
    String fatherId,
    String motherId,
    List<String> spouseIds,
    List<String> childrenIds,
    String notes,
    boolean deceased) {

  /** The same person as the change history stores it. */
  public PersonState state() {
    return new PersonState(
        id,
        name,
        notes,
        gender,
        surname,
        deceased,
        familyId,
        fatherId,
        motherId,
        birthDate,
        deathDate,
        spouseIds,
        birthPlace,
        deathPlace,
        childrenIds);
  }
}
