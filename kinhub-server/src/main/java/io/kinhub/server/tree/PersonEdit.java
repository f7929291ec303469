package io.kinhub.server.tree;

import java.util.List;
import java.util.Map;

/**
 * A validated change to a person: the plain columns to set (a null value clears), and the links to
 * set when their flag is on (a null parent id clears the link; a null spouse list leaves the
 * spouses alone).
 */
public record PersonEdit(
    // keyed by column: a PATCH sets any subset of COLUMNS, and a null value clears one
    Map<String, Object> columns,
    boolean setFather,
    Long fatherId,
    boolean setMother,
    Long motherId,
    List<Long> spouseIds) {

  /** Column names a {@link PersonEdit} may set; the only strings ever spliced into SQL. */
  static final List<String> COLUMNS =
      List.of(
          "name",
          "surname",
          "gender",
          "birth_date",
          "birth_place",
          "death_date",
          "death_place",
          "notes",
          "deceased");

  public PersonEdit {
    for (String column : columns.keySet()) {
      if (!COLUMNS.contains(column)) {
        throw new IllegalArgumentException("not a person column: " + column);
      }
    }
  }
}
