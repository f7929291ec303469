package io.kinhub.server.genealogy;

import io.kinhub.server.permission.Permissions.Access;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one place that decides what a reader sees of a person. Members of the family (and
 * superadmins) see everyone in full; every other reader sees a living person as {@code {"id",
 * "name": "Private", "private": true}} plus the links. Every read path (tree, person, GEDCOM
 * export, relationship, changes, generations) goes through here.
 */
public final class Privacy {
  /** Who is reading. */
  public enum Audience {
    /** Members and superadmins: everything. */
    FULL,
    /** Visitors of a public family: living persons are private. */
    PUBLIC;

    /** The suffix that keeps the audiences' cached bodies and ETags apart. */
    public String tag() {
      return this == FULL ? "" : "-public";
    }
  }

  /** The shown name of a private person. */
  public static final String PRIVATE_NAME = "Private";

  private Privacy() {}

  public static Audience audience(Access access) {
    return access.member() || access.superadmin() ? Audience.FULL : Audience.PUBLIC;
  }

  /** Whether {@code audience} must not see the person's details. */
  public static boolean hidden(KinGraph g, Audience audience, long personId) {
    return audience == Audience.PUBLIC && g.isLiving(personId);
  }

  public static boolean hidden(KinGraph g, Audience audience, int index) {
    return audience == Audience.PUBLIC && g.living[index];
  }

  /** The name {@code audience} may see. */
  public static String name(KinGraph g, Audience audience, int index) {
    return hidden(g, audience, index) && !g.settings.livingNamesToEveryone()
        ? PRIVATE_NAME
        : g.names[index];
  }

  /**
   * A person's API object (as {@code TreeRoutes} builds it) as {@code audience} may see it, with
   * the generation fields added. A private person keeps only id, familyId, the links and the
   * generation.
   */
  public static Map<String, Object> person(
      Map<String, Object> full, KinGraph g, Audience audience) {
    long id = Long.parseLong((String) full.get("id"));
    int i = g.index(id);
    Map<String, Object> out;
    // a person the graph does not know yet (created in the same instant) is private to visitors
    // until it does
    if (i >= 0 ? hidden(g, audience, i) : audience == Audience.PUBLIC) {
      out = new LinkedHashMap<>();
      out.put("id", full.get("id"));
      out.put("familyId", full.get("familyId"));
      out.put("name", i >= 0 ? name(g, audience, i) : PRIVATE_NAME);
      out.put("private", true);
      for (String link : new String[] {"fatherId", "motherId", "spouseIds", "childrenIds"}) {
        if (full.containsKey(link)) {
          out.put(link, full.get(link));
        }
      }
      out.put("generation", i >= 0 ? Generations.generation(g, i) : null);
      return out;
    }
    out = new LinkedHashMap<>(full);
    out.put("generation", i >= 0 ? Generations.generation(g, i) : null);
    if (i >= 0 && g.generation[i] != 0) {
      out.put("generationName", Generations.generationName(g, i));
      out.put("generationNameMatches", Generations.matches(g, i));
    }
    return out;
  }
}
