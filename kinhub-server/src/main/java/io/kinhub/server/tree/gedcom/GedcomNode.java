package io.kinhub.server.tree.gedcom;

import java.util.ArrayList;
import java.util.List;

/**
 * One line of the record being read, with its CONT/CONC continuations already joined and its
 * substructures.
 */
final class GedcomNode {
  final int level;
  final int line;
  final String xref;
  final String tag;
  final StringBuilder value;
  final List<GedcomNode> children = new ArrayList<>(4);

  GedcomNode(int level, int line, String xref, String tag, String value) {
    this.level = level;
    this.line = line;
    this.xref = xref;
    this.tag = tag;
    this.value = new StringBuilder(value);
  }

  /** The value as text: GEDCOM writes a literal @ as @@. */
  String text() {
    return value.toString().replace("@@", "@");
  }

  /** The value if it is a pointer such as "@I1@", else null. */
  String pointer() {
    String s = value.toString().strip();
    return s.length() > 2 && s.charAt(0) == '@' && s.indexOf('@', 1) == s.length() - 1 ? s : null;
  }
}
