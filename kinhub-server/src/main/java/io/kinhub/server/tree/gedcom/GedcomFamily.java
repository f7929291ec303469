package io.kinhub.server.tree.gedcom;

import java.util.List;

/**
 * A FAM record: the partners and children as xrefs such as "@I1@" (husband or wife null when
 * absent), children in file order. Whether the xrefs point anywhere is the importer's concern.
 */
public record GedcomFamily(
    String xref, int line, String husband, String wife, List<String> children) {
  public GedcomFamily {
    children = children == null ? List.of() : List.copyOf(children);
  }
}
