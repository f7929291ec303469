package io.kinhub.server.genealogy;

import java.util.ArrayDeque;

/**
 * Generations (世) of the founder's paternal line and the 字辈 poem: the founder is generation 1, a
 * child whose father has generation g has g + 1; the poem's characters name the generations from
 * {@code poemStartGeneration} on, cycling when it runs out. Persons reached through a mother only
 * are not of the line.
 */
public final class Generations {
  private Generations() {}

  static int[] compute(KinGraph g) {
    int[] generation = new int[g.size()];
    Long founder = g.settings.founderPersonId();
    int f = founder == null ? -1 : g.index(founder);
    if (f < 0) {
      return generation;
    }
    generation[f] = 1;
    ArrayDeque<Integer> queue = new ArrayDeque<>();
    queue.add(f);
    while (!queue.isEmpty()) {
      int p = queue.poll();
      for (int k = g.childStart[p]; k < g.childStart[p + 1]; k++) {
        int c = g.children[k];
        if (g.father[c] == p && generation[c] == 0) {
          generation[c] = generation[p] + 1;
          queue.add(c);
        }
      }
    }
    return generation;
  }

  /** The generation of a person (1 = founder), or null when not of the founder's paternal line. */
  public static Integer generation(KinGraph g, int i) {
    return g.generation[i] == 0 ? null : g.generation[i];
  }

  /**
   * The poem's character for a generation, or null when there is no poem or the generation comes
   * before it.
   */
  public static String characterFor(GenealogySettings s, int generation) {
    String poem = s.generationPoem();
    if (poem == null || poem.isEmpty() || generation < s.poemStartGeneration()) {
      return null;
    }
    int[] chars = poem.codePoints().filter(c -> !Character.isWhitespace(c)).toArray();
    if (chars.length == 0) {
      return null;
    }
    return Character.toString(chars[(generation - s.poemStartGeneration()) % chars.length]);
  }

  public static String generationName(KinGraph g, int i) {
    return g.generation[i] == 0 ? null : characterFor(g.settings, g.generation[i]);
  }

  /** Whether the given name contains the expected character; null when no character is expected. */
  public static Boolean matches(KinGraph g, int i) {
    String expected = generationName(g, i);
    return expected == null
        ? null
        : givenName(g.names[i], g.surnames[i], g.settings.familySurname()).contains(expected);
  }

  /**
   * The name without its surname. The surname is the person's own surname field when the name
   * starts (Chinese order) or ends (western order) with it, else the family's surname the same way;
   * a name that shows neither is all given name.
   */
  public static String givenName(String name, String surname, String familySurname) {
    String n = name == null ? "" : name.strip();
    for (String s : new String[] {surname, familySurname}) {
      if (s == null || s.isBlank()) {
        continue;
      }
      String sur = s.strip();
      if (n.length() > sur.length() && n.startsWith(sur)) {
        return n.substring(sur.length()).strip();
      }
      if (n.length() > sur.length()
          && n.endsWith(sur)
          && Character.isWhitespace(n.charAt(n.length() - sur.length() - 1))) {
        return n.substring(0, n.length() - sur.length()).strip();
      }
    }
    return n;
  }
}
