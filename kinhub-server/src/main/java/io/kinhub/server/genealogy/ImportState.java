package io.kinhub.server.genealogy;

/** The {@code after} of a GEDCOM import in the change history. */
public record ImportState(Imported imported) implements ChangeState {
  /** How many persons and families the import added. */
  public record Imported(long persons, long families) {}

  public static ImportState of(long persons, long families) {
    return new ImportState(new Imported(persons, families));
  }
}
