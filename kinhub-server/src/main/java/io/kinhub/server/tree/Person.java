package io.kinhub.server.tree;

import io.kinhub.server.genealogy.PersonBody;
import io.kinhub.server.genealogy.PersonState;
import java.util.List;

/**
 * A person in a family's tree. Dates are {@link PartialDate}s in their API form; {@code deceased}
 * marks a death without a date.
 */
public record Person(
    long id,
    long familyId,
    String name,
    String surname,
    String gender,
    String birthDate,
    String birthPlace,
    String deathDate,
    String deathPlace,
    String notes,
    Long fatherId,
    Long motherId,
    List<Long> spouseIds,
    List<Long> childrenIds,
    boolean deceased) {

  /** The person as the API shows them to members. */
  public PersonBody body() {
    return new PersonBody(
        Long.toString(id),
        Long.toString(familyId),
        name,
        surname,
        gender,
        birthDate,
        birthPlace,
        deathDate,
        deathPlace,
        fatherId == null ? null : Long.toString(fatherId),
        motherId == null ? null : Long.toString(motherId),
        spouseIds.stream().map(String::valueOf).toList(),
        childrenIds.stream().map(String::valueOf).toList(),
        notes,
        deceased);
  }

  /** The person as the change history stores them. */
  public PersonState state() {
    return body().state();
  }
}
