package io.kinhub.server.genealogy;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.kinhub.server.permission.Permissions.Access;
import java.util.List;

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

  /** A person as a reader may see them: in full, or private. */
  public sealed interface Shown permits FullPerson, PrivatePerson {}

  /**
   * A person in full with their generation (null outside the founder's line or before the graph
   * knows them) and, from generation 1 on, its name from the poem.
   */
  public record FullPerson(
      @JsonUnwrapped PersonBody person,
      Integer generation,
      @JsonUnwrapped GenerationNames generationNames)
      implements Shown {}

  /** The poem's character of a person's generation and whether their given name carries it. */
  public record GenerationNames(String generationName, Boolean generationNameMatches) {}

  /** A living person as a visitor sees them: the name (or "Private"), the links, the generation. */
  public record PrivatePerson(
      String id,
      String familyId,
      String name,
      @JsonProperty("private") boolean hidden,
      String fatherId,
      String motherId,
      List<String> spouseIds,
      List<String> childrenIds,
      Integer generation)
      implements Shown {}

  /**
   * A person shown in full without the graph (generation null): an edit of a tree without founder.
   */
  public static Shown full(PersonBody full) {
    return new FullPerson(full, null, null);
  }

  /**
   * A person as {@code audience} may see them, with the generation fields added. A private person
   * keeps only id, familyId, the links and the generation.
   */
  public static Shown person(PersonBody full, KinGraph g, Audience audience) {
    long id = Long.parseLong(full.id());
    int i = g.index(id);
    Integer generation = i >= 0 ? Generations.generation(g, i) : null;
    // a person the graph does not know yet (created in the same instant) is private to visitors
    // until it does
    if (i >= 0 ? hidden(g, audience, i) : audience == Audience.PUBLIC) {
      return new PrivatePerson(
          full.id(),
          full.familyId(),
          i >= 0 ? name(g, audience, i) : PRIVATE_NAME,
          true,
          full.fatherId(),
          full.motherId(),
          full.spouseIds(),
          full.childrenIds(),
          generation);
    }
    GenerationNames names =
        i >= 0 && g.generation[i] != 0
            ? new GenerationNames(Generations.generationName(g, i), Generations.matches(g, i))
            : null;
    return new FullPerson(full, generation, names);
  }
}
