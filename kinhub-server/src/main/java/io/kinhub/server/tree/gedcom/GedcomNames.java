package io.kinhub.server.tree.gedcom;

import java.util.EnumSet;
import java.util.Set;

/**
 * The GEDCOM NAME convention both ways: the surname between slashes inside the name. A slash
 * between two characters of words stands for a space ("Frederick/Windsor/", as PAF wrote it),
 * except in scripts that write names without spaces ("/王/小明").
 */
final class GedcomNames {
  private static final Set<Character.UnicodeScript> UNSPACED_SCRIPTS =
      EnumSet.of(
          Character.UnicodeScript.HAN,
          Character.UnicodeScript.HIRAGANA,
          Character.UnicodeScript.KATAKANA,
          Character.UnicodeScript.HANGUL,
          Character.UnicodeScript.THAI,
          Character.UnicodeScript.LAO,
          Character.UnicodeScript.KHMER,
          Character.UnicodeScript.MYANMAR);

  private GedcomNames() {}

  /** The name without its slashes, whitespace not yet collapsed. */
  static String withoutSlashes(String value) {
    StringBuilder name = new StringBuilder(value.length());
    for (int i = 0; i < value.length(); i++) {
      if (value.charAt(i) != '/') {
        name.append(value.charAt(i));
      } else if (i > 0
          && i + 1 < value.length()
          && slashIsSpace(value.codePointBefore(i), value.codePointAt(i + 1))) {
        name.append(' ');
      }
    }
    return name.toString();
  }

  /**
   * The NAME value: the surname between slashes where it last occurs in the name as a whole word
   * (or anywhere, in scripts without spaces), else appended; reading an appended surname back gives
   * the name with it appended.
   */
  static String toGedcom(String name, String surname) {
    if (surname == null || surname.isBlank()) {
      return name;
    }
    if (name == null) {
      return "/" + surname + "/";
    }
    for (int at = name.lastIndexOf(surname); at >= 0; at = name.lastIndexOf(surname, at - 1)) {
      int end = at + surname.length();
      if ((at == 0 || !slashIsSpace(name.codePointBefore(at), name.codePointAt(at)))
          && (end == name.length()
              || !slashIsSpace(name.codePointBefore(end), name.codePointAt(end)))) {
        return name.substring(0, at) + "/" + surname + "/" + name.substring(end);
      }
    }
    return name + " /" + surname + "/";
  }

  private static boolean slashIsSpace(int before, int after) {
    return spaced(before) && spaced(after);
  }

  private static boolean spaced(int codePoint) {
    return !Character.isWhitespace(codePoint)
        && codePoint != '/'
        && !UNSPACED_SCRIPTS.contains(Character.UnicodeScript.of(codePoint));
  }
}
