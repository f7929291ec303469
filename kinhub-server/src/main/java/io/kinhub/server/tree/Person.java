package io.kinhub.server.tree;

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
    boolean deceased) {}
