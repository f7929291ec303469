package io.kinhub.server.tree.gedcom;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;

/**
 * Writes what a read gave, with the FAMS/FAMC links taken from the families, and compares without
 * line numbers.
 */
final class RoundTrip {
  private RoundTrip() {}

  static byte[] write(List<GedcomPerson> persons, List<GedcomFamily> families) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GedcomWriter writer = new GedcomWriter(out)) {
      writer.header("Kinhub", "test");
      for (GedcomPerson person : persons) {
        String xref = person.xref();
        writer.person(
            person,
            families.stream()
                .filter(f -> xref.equals(f.husband()) || xref.equals(f.wife()))
                .map(GedcomFamily::xref)
                .toList(),
            families.stream()
                .filter(f -> f.children().contains(xref))
                .map(GedcomFamily::xref)
                .toList());
      }
      for (GedcomFamily family : families) {
        writer.family(family);
      }
    }
    return out.toByteArray();
  }

  static List<GedcomPerson> withoutLines(List<GedcomPerson> persons) {
    return persons.stream()
        .map(
            p ->
                new GedcomPerson(
                    p.xref(),
                    0,
                    p.name(),
                    p.surname(),
                    p.gender(),
                    p.birthDate(),
                    p.birthPlace(),
                    p.deathDate(),
                    p.deathPlace(),
                    p.notes(),
                    p.noteRefs()))
        .toList();
  }

  static List<GedcomFamily> familiesWithoutLines(List<GedcomFamily> families) {
    return families.stream()
        .map(f -> new GedcomFamily(f.xref(), 0, f.husband(), f.wife(), f.children()))
        .toList();
  }
}
