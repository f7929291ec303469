package io.kinhub.server.tree.gedcom;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Turns a whole INDI, FAM or NOTE record into what Kinhub imports. Every substructure that is not
 * imported is counted as a warning under its path ("INDI.OCCU", "INDI.BIRT.SOUR"), so nothing is
 * dropped silently.
 */
final class GedcomRecords {
  private static final Pattern WHITESPACE = Pattern.compile("\\s+");

  private record Event(PartialDate date, String place) {}

  private GedcomRecords() {}

  static GedcomPerson person(GedcomNode indi, Warnings warnings) {
    GedcomNode name = null;
    GedcomNode sex = null;
    GedcomNode birth = null;
    GedcomNode death = null;
    boolean buried = false;
    List<String> notes = new ArrayList<>();
    List<String> noteRefs = new ArrayList<>();
    for (GedcomNode child : indi.children) {
      switch (child.tag) {
        case "NAME" -> name = first(name, child, "INDI", warnings);
        case "SEX" -> sex = first(sex, child, "INDI", warnings);
        case "BIRT" -> birth = first(birth, child, "INDI", warnings);
        case "DEAT" -> death = first(death, child, "INDI", warnings);
        case "BURI" -> {
          buried = true; // evidence of death; the burial itself is not kept
          warnings.add(child.line, "INDI.BURI not imported (the person is marked deceased)");
        }
        case "NOTE" -> {
          String text = child.text().strip();
          if (child.pointer() != null) {
            noteRefs.add(child.pointer());
          } else if (!text.isEmpty()) {
            notes.add(text);
          }
          notImported(child.children, "INDI.NOTE", warnings);
        }
        case "FAMS", "FAMC" ->
            notImported(child.children, "INDI." + child.tag, warnings); // links come from FAM
        default -> warnings.add(child.line, "INDI." + child.tag + " not imported");
      }
    }
    String[] fullAndSurname = name == null ? new String[2] : name(name, warnings);
    Event born = event(birth, "INDI.BIRT", warnings);
    Event died = event(death, "INDI.DEAT", warnings);
    return new GedcomPerson(
        indi.xref,
        indi.line,
        fullAndSurname[0],
        fullAndSurname[1],
        gender(sex),
        born.date,
        born.place,
        died.date,
        died.place,
        notes.isEmpty() ? null : String.join("\n\n", notes),
        noteRefs,
        death != null || buried);
  }

  static GedcomFamily family(GedcomNode fam, Warnings warnings) {
    GedcomNode husband = null;
    GedcomNode wife = null;
    List<String> children = new ArrayList<>();
    for (GedcomNode child : fam.children) {
      boolean partner = child.tag.equals("HUSB") || child.tag.equals("WIFE");
      if (!(partner || child.tag.equals("CHIL"))) {
        warnings.add(child.line, "FAM." + child.tag + " not imported");
        continue;
      }
      notImported(child.children, "FAM." + child.tag, warnings);
      if (child.pointer() == null) {
        warnings.add(child.line, "FAM." + child.tag + " without a pointer not imported");
      } else if (child.tag.equals("HUSB")) {
        husband = first(husband, child, "FAM", warnings);
      } else if (child.tag.equals("WIFE")) {
        wife = first(wife, child, "FAM", warnings);
      } else {
        children.add(child.pointer());
      }
    }
    return new GedcomFamily(
        fam.xref,
        fam.line,
        husband == null ? null : husband.pointer(),
        wife == null ? null : wife.pointer(),
        children);
  }

  /** The text of a NOTE record. */
  static String note(GedcomNode note, Warnings warnings) {
    notImported(note.children, "NOTE", warnings);
    return note.text().strip();
  }

  /** Kinhub keeps one of each: the first wins and later ones are reported. */
  private static GedcomNode first(
      GedcomNode current, GedcomNode candidate, String path, Warnings warnings) {
    if (current == null) {
      return candidate;
    }
    warnings.add(candidate.line, path + "." + candidate.tag + " after the first not imported");
    return current;
  }

  private static void notImported(List<GedcomNode> nodes, String path, Warnings warnings) {
    for (GedcomNode node : nodes) {
      warnings.add(node.line, path + "." + node.tag + " not imported");
    }
  }

  /** {full name, surname}: "Henry /Tudor/" is {"Henry Tudor", "Tudor"}, "/王/小明" is {"王小明", "王"}. */
  private static String[] name(GedcomNode name, Warnings warnings) {
    String given = null;
    String surname = null;
    for (GedcomNode part : name.children) {
      switch (part.tag) {
        case "GIVN" -> given = part.text();
        case "SURN" -> surname = part.text();
        default -> warnings.add(part.line, "INDI.NAME." + part.tag + " not imported");
      }
    }
    String value = name.text();
    if (value.isBlank()) {
      return new String[] {
        collapse((given == null ? "" : given) + " " + (surname == null ? "" : surname)),
        collapse(surname)
      };
    }
    int open = value.indexOf('/');
    if (open >= 0) {
      int close = value.indexOf('/', open + 1);
      surname = value.substring(open + 1, close < 0 ? value.length() : close);
    }
    return new String[] {collapse(GedcomNames.withoutSlashes(value)), collapse(surname)};
  }

  /** Whitespace runs as one space, trimmed; null if nothing is left. */
  private static String collapse(String text) {
    String s = text == null ? "" : WHITESPACE.matcher(text.strip()).replaceAll(" ");
    return s.isEmpty() ? null : s;
  }

  private static String gender(GedcomNode sex) {
    String value = sex == null ? "" : sex.text().strip().toUpperCase(Locale.ROOT);
    return switch (value) {
      case "M" -> "male";
      case "F" -> "female";
      default -> "unknown";
    };
  }

  private static Event event(GedcomNode event, String path, Warnings warnings) {
    if (event == null) {
      return new Event(null, null);
    }
    GedcomNode date = null;
    GedcomNode place = null;
    for (GedcomNode child : event.children) {
      switch (child.tag) {
        case "DATE" -> date = first(date, child, path, warnings);
        case "PLAC" -> place = first(place, child, path, warnings);
        default -> warnings.add(child.line, path + "." + child.tag + " not imported");
      }
    }
    if (date != null) {
      notImported(date.children, path + ".DATE", warnings);
    }
    if (place != null) {
      notImported(place.children, path + ".PLAC", warnings);
    }
    String placeText = place == null ? "" : place.text().strip();
    return new Event(
        date == null ? null : PartialDate.fromGedcom(date.text()),
        placeText.isEmpty() ? null : placeText);
  }
}
