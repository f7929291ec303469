package io.kinhub.server.genealogy;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * A person as the change history stores them ({@code before}/{@code after} of a person change, a
 * jsonb column) and lists them: the members of {@link PersonBody}, in the order PostgreSQL's jsonb
 * keeps them (shorter names first), which is the order the change list has always shown. Rows
 * written before this record existed hold the same members; members it does not know are skipped.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record PersonState(
    String id,
    String name,
    String notes,
    String gender,
    String surname,
    boolean deceased,
    String familyId,
    String fatherId,
    String motherId,
    String birthDate,
    String deathDate,
    List<String> spouseIds,
    String birthPlace,
    String deathPlace,
    List<String> childrenIds)
    implements ChangeState {}
