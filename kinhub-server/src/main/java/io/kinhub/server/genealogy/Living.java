package io.kinhub.server.genealogy;

/**
 * Who is taken to be living (docs/genealogy.md, "Privacy of the living"). Evidence of death wins;
 * then the person's own birth year decides; only a person without a known birth year is judged by
 * the birth years of close relatives, each allowed a margin for the usual age gap between them.
 * Anything unknown errs towards living.
 */
final class Living {
  /** A parent is at most this many years older than their child (beyond maxAliveAge). */
  static final int PARENT_MARGIN = 45;

  /** A child is at least this many years younger than their parent. */
  static final int CHILD_MARGIN = 15;

  /** Spouses and siblings: at most this many years apart. */
  static final int SPOUSE_MARGIN = 25;

  static final int SIBLING_MARGIN = 20;

  /** A grandchild is at least this many years younger than their grandparent. */
  static final int GRANDCHILD_MARGIN = 30;

  /** A grandparent is at most this many years older than their grandchild. */
  static final int GRANDPARENT_MARGIN = 90;

  private Living() {}

  static boolean[] compute(KinGraph g, int currentYear) {
    int n = g.size();
    int max = g.settings.maxAliveAge();
    boolean[] living = new boolean[n];
    for (int i = 0; i < n; i++) {
      living[i] = isLiving(g, i, currentYear, max);
    }
    return living;
  }

  private static boolean bornBefore(KinGraph g, int j, int currentYear, int years) {
    int y = g.birthYear(j);
    return y > 0 && currentYear - y > years;
  }

  private static boolean isLiving(KinGraph g, int i, int now, int max) {
    if (g.deadKnown[i]) {
      return false;
    }
    int own = g.birthYear(i);
    if (own > 0) {
      return now - own <= max;
    }
    for (int parent : new int[] {g.father[i], g.mother[i]}) {
      if (parent < 0) {
        continue;
      }
      if (bornBefore(g, parent, now, max + PARENT_MARGIN)) {
        return false;
      }
      for (int grand : new int[] {g.father[parent], g.mother[parent]}) {
        if (grand >= 0 && bornBefore(g, grand, now, max + GRANDPARENT_MARGIN)) {
          return false;
        }
      }
      for (int k = g.childStart[parent]; k < g.childStart[parent + 1]; k++) {
        int sibling = g.children[k];
        if (sibling != i && bornBefore(g, sibling, now, max + SIBLING_MARGIN)) {
          return false;
        }
      }
    }
    for (int k = g.spouseStart[i]; k < g.spouseStart[i + 1]; k++) {
      if (bornBefore(g, g.spouses[k], now, max + SPOUSE_MARGIN)) {
        return false;
      }
    }
    for (int k = g.childStart[i]; k < g.childStart[i + 1]; k++) {
      int child = g.children[k];
      if (bornBefore(g, child, now, max - CHILD_MARGIN)) {
        return false;
      }
      for (int m = g.childStart[child]; m < g.childStart[child + 1]; m++) {
        if (bornBefore(g, g.children[m], now, max - GRANDCHILD_MARGIN)) {
          return false;
        }
      }
    }
    return true;
  }
}
