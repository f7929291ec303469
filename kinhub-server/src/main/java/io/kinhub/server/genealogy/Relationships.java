package io.kinhub.server.genealogy;

import io.kinhub.server.genealogy.Privacy.Audience;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The shortest path between two persons over parent, child and spouse links (among equally short
 * paths, the one with fewest spouse steps), found by a bidirectional breadth-first search on a
 * {@link KinGraph}, and turned into steps, common ancestors and kinship terms. Scratch arrays are
 * pooled and stamped, so a query allocates nothing in proportion to the tree.
 */
public final class Relationships {
  /**
   * A path's answer; {@code pathIds} and {@code steps} already collapse parent-then-child into
   * sibling steps.
   */
  public record Answer(
      List<Long> pathIds,
      List<String> steps,
      List<Long> commonAncestorIds,
      KinshipTerms.Term term) {}

  private static final byte UP = 0;
  private static final byte DOWN = 1;
  private static final byte SPOUSE = 2;

  /** Per-query working memory, reused across queries. */
  private static final class Scratch {
    int[] markF = new int[0];
    int[] markB = new int[0];
    int[] distF = new int[0];
    int[] distB = new int[0];
    int[] spF = new int[0];
    int[] spB = new int[0];
    int stamp;
    int[] nb = new int[64];
    byte[] kind = new byte[64];
    int[] visited = new int[256];
    int visitedCount;
    int[] frontA = new int[256];
    int[] frontB = new int[256];
    int[] nextA = new int[256];
    int[] nextB = new int[256];

    void visit(int v) {
      if (visitedCount == visited.length) {
        visited = Arrays.copyOf(visited, visitedCount * 2);
      }
      visited[visitedCount++] = v;
    }

    void fit(int n) {
      if (markF.length < n) {
        markF = new int[n];
        markB = new int[n];
        distF = new int[n];
        distB = new int[n];
        spF = new int[n];
        spB = new int[n];
        stamp = 0;
      }
      if (++stamp == Integer.MAX_VALUE) {
        Arrays.fill(markF, 0);
        Arrays.fill(markB, 0);
        stamp = 1;
      }
    }
  }

  private static final ConcurrentLinkedQueue<Scratch> POOL = new ConcurrentLinkedQueue<>();
  private static final int POOL_MAX = 8;

  private Relationships() {}

  /** Neighbours of {@code v} into the scratch buffers, fathers first; returns how many. */
  private static int neighbours(KinGraph g, int v, Scratch s) {
    int needed =
        2 + (g.childStart[v + 1] - g.childStart[v]) + (g.spouseStart[v + 1] - g.spouseStart[v]);
    if (s.nb.length < needed) {
      s.nb = new int[needed * 2];
      s.kind = new byte[needed * 2];
    }
    int k = 0;
    if (g.father[v] >= 0) {
      s.nb[k] = g.father[v];
      s.kind[k++] = UP;
    }
    if (g.mother[v] >= 0) {
      s.nb[k] = g.mother[v];
      s.kind[k++] = UP;
    }
    for (int i = g.childStart[v]; i < g.childStart[v + 1]; i++) {
      s.nb[k] = g.children[i];
      s.kind[k++] = DOWN;
    }
    for (int i = g.spouseStart[v]; i < g.spouseStart[v + 1]; i++) {
      s.nb[k] = g.spouses[i];
      s.kind[k++] = SPOUSE;
    }
    return k;
  }

  /** The raw path as indexes from {@code a} to {@code b}, or null when they are not related. */
  static int[] path(KinGraph g, int a, int b) {
    if (a == b) {
      return new int[] {a};
    }
    Scratch s = POOL.poll();
    if (s == null) {
      s = new Scratch();
    }
    try {
      return search(g, a, b, s);
    } finally {
      if (POOL.size() < POOL_MAX) {
        POOL.offer(s);
      }
    }
  }

  private static int[] search(KinGraph g, int a, int b, Scratch s) {
    s.fit(g.size());
    int st = s.stamp;
    s.visitedCount = 0;
    int[] frontF = s.frontA;
    int[] frontB = s.frontB;
    int[] spareF = s.nextA;
    int[] spareB = s.nextB;
    frontF[0] = a;
    frontB[0] = b;
    int sizeF = 1;
    int sizeB = 1;
    s.markF[a] = st;
    s.distF[a] = 0;
    s.spF[a] = 0;
    s.markB[b] = st;
    s.distB[b] = 0;
    s.spB[b] = 0;
    s.visit(a);
    int best = Integer.MAX_VALUE;
    while (sizeF > 0 && sizeB > 0 && best == Integer.MAX_VALUE) {
      boolean forward = sizeF <= sizeB;
      int[] front = forward ? frontF : frontB;
      int size = forward ? sizeF : sizeB;
      int[] mark = forward ? s.markF : s.markB;
      int[] dist = forward ? s.distF : s.distB;
      int[] sp = forward ? s.spF : s.spB;
      int[] otherMark = forward ? s.markB : s.markF;
      int[] otherDist = forward ? s.distB : s.distF;
      int[] next = forward ? spareF : spareB;
      int nextSize = 0;
      for (int i = 0; i < size; i++) {
        int u = front[i];
        int count = neighbours(g, u, s);
        for (int k = 0; k < count; k++) {
          int w = s.nb[k];
          int cost = sp[u] + (s.kind[k] == SPOUSE ? 1 : 0);
          if (mark[w] != st) {
            mark[w] = st;
            dist[w] = dist[u] + 1;
            sp[w] = cost;
            if (nextSize == next.length) {
              next = Arrays.copyOf(next, nextSize * 2);
            }
            next[nextSize++] = w;
            if (forward) {
              s.visit(w);
            }
          } else if (dist[w] == dist[u] + 1 && cost < sp[w]) {
            sp[w] = cost;
          }
        }
      }
      for (int i = 0; i < nextSize; i++) {
        int w = next[i];
        if (otherMark[w] == st) {
          best = Math.min(best, dist[w] + otherDist[w]);
        }
      }
      // the used frontier becomes the spare for the next layer (arrays kept in the scratch, grown
      // as needed)
      if (forward) {
        spareF = frontF;
        frontF = next;
        sizeF = nextSize;
      } else {
        spareB = frontB;
        frontB = next;
        sizeB = nextSize;
      }
    }
    if (best == Integer.MAX_VALUE) {
      keep(s, frontF, spareF, frontB, spareB);
      return null;
    }
    // the meeting person on a shortest path with the fewest spouse steps (both balls hold every
    // such path's middle)
    int meet = -1;
    int fewest = Integer.MAX_VALUE;
    for (int c = 0; c < s.visitedCount; c++) {
      int v = s.visited[c];
      if (s.markB[v] == st && s.distF[v] + s.distB[v] == best) {
        int spouses = s.spF[v] + s.spB[v];
        if (spouses < fewest || (spouses == fewest && g.ids[v] < g.ids[meet])) {
          fewest = spouses;
          meet = v;
        }
      }
    }
    keep(s, frontF, spareF, frontB, spareB);
    int[] path = new int[best + 1];
    int at = s.distF[meet];
    path[at] = meet;
    for (int x = meet, d = at; d > 0; d--) {
      x = predecessor(g, x, s, s.markF, s.distF, s.spF, st);
      path[d - 1] = x;
    }
    for (int x = meet, d = at; d < best; d++) {
      x = predecessor(g, x, s, s.markB, s.distB, s.spB, st);
      path[d + 1] = x;
    }
    return path;
  }

  /**
   * Keeps the (possibly grown) frontier arrays for the next query; each pair stays two distinct
   * arrays.
   */
  private static void keep(Scratch s, int[] frontF, int[] spareF, int[] frontB, int[] spareB) {
    s.frontA = frontF;
    s.nextA = spareF;
    s.frontB = frontB;
    s.nextB = spareB;
  }

  /** A neighbour one step nearer the search's origin on a path with the fewest spouse steps. */
  private static int predecessor(
      KinGraph g, int x, Scratch s, int[] mark, int[] dist, int[] sp, int st) {
    int count = neighbours(g, x, s);
    for (int k = 0; k < count; k++) {
      int y = s.nb[k];
      if (mark[y] == st
          && dist[y] == dist[x] - 1
          && sp[y] + (s.kind[k] == SPOUSE ? 1 : 0) == sp[x]) {
        return y;
      }
    }
    throw new IllegalStateException("no predecessor of " + g.ids[x]);
  }

  /** Compares two birth keys: negative when a was born first, 0 when unknown or equal. */
  static int compareBirth(int a, int b) {
    if (a == 0 || b == 0) {
      return 0;
    }
    int ya = a / 10_000;
    int yb = b / 10_000;
    if (ya != yb) {
      return Integer.compare(ya, yb);
    }
    int ma = a / 100 % 100;
    int mb = b / 100 % 100;
    if (ma == 0 || mb == 0) {
      return 0;
    }
    if (ma != mb) {
      return Integer.compare(ma, mb);
    }
    int da = a % 100;
    int db = b % 100;
    return da == 0 || db == 0 ? 0 : Integer.compare(da, db);
  }

  /** The birth key {@code audience} may use: none for a private person. */
  private static int birthFor(KinGraph g, int i, Audience audience) {
    return Privacy.hidden(g, audience, i) ? 0 : g.birth[i];
  }

  /** The answer for {@code from} → {@code to}, or null when they are not related. */
  public static Answer between(KinGraph g, int from, int to, Audience audience) {
    int[] raw = path(g, from, to);
    if (raw == null) {
      return null;
    }
    List<Long> ids = new ArrayList<>();
    List<String> steps = new ArrayList<>();
    ids.add(g.ids[raw[0]]);
    int downs = 0;
    boolean monotone = true;
    boolean spouse = false;
    for (int i = 0; i + 1 < raw.length; i++) {
      int u = raw[i];
      int v = raw[i + 1];
      byte kind = kindOf(g, u, v);
      if (kind == UP && i + 2 < raw.length && kindOf(g, v, raw[i + 2]) == DOWN) {
        int w = raw[i + 2];
        int order = compareBirth(birthFor(g, w, audience), birthFor(g, u, audience));
        String base =
            g.sex[w] == KinGraph.MALE
                ? "brother"
                : g.sex[w] == KinGraph.FEMALE ? "sister" : "sibling";
        steps.add(
            order == 0 || base.equals("sibling")
                ? base
                : (order < 0 ? "elder_" : "younger_") + base);
        ids.add(g.ids[w]);
        monotone &= downs == 0;
        downs++;
        i++;
        continue;
      }
      switch (kind) {
        case UP -> {
          steps.add(
              g.sex[v] == KinGraph.MALE
                  ? "father"
                  : g.sex[v] == KinGraph.FEMALE ? "mother" : "parent");
          monotone &= downs == 0;
        }
        case DOWN -> {
          steps.add(
              g.sex[v] == KinGraph.MALE
                  ? "son"
                  : g.sex[v] == KinGraph.FEMALE ? "daughter" : "child");
          downs++;
        }
        default -> {
          steps.add(
              g.sex[v] == KinGraph.MALE
                  ? "husband"
                  : g.sex[v] == KinGraph.FEMALE ? "wife" : "spouse");
          spouse = true;
        }
      }
      ids.add(g.ids[v]);
    }
    List<Long> common = spouse || !monotone ? List.of() : commonAncestors(g, raw);
    int age = compareBirth(birthFor(g, to, audience), birthFor(g, from, audience));
    KinshipTerms.Age relative =
        age < 0
            ? KinshipTerms.Age.OLDER
            : age > 0 ? KinshipTerms.Age.YOUNGER : KinshipTerms.Age.UNKNOWN;
    String fromSex =
        g.sex[from] == KinGraph.MALE
            ? "male"
            : g.sex[from] == KinGraph.FEMALE ? "female" : "unknown";
    return new Answer(
        List.copyOf(ids), List.copyOf(steps), common, KinshipTerms.term(steps, fromSex, relative));
  }

  private static byte kindOf(KinGraph g, int u, int v) {
    if (g.father[u] == v || g.mother[u] == v) {
      return UP;
    }
    if (g.father[v] == u || g.mother[v] == u) {
      return DOWN;
    }
    return SPOUSE;
  }

  /**
   * The top of a blood path (up, then down): that person, and their partner when both are parents
   * on both sides.
   */
  private static List<Long> commonAncestors(KinGraph g, int[] raw) {
    int top = 0;
    while (top + 1 < raw.length && kindOf(g, raw[top], raw[top + 1]) == UP) {
      top++;
    }
    int apex = raw[top];
    List<Long> out = new ArrayList<>();
    out.add(g.ids[apex]);
    if (top > 0 && top + 1 < raw.length) {
      int left = raw[top - 1];
      int right = raw[top + 1];
      int other = g.father[left] == apex ? g.mother[left] : g.father[left];
      if (other >= 0 && (g.father[right] == other || g.mother[right] == other)) {
        out.add(g.ids[other]);
      }
    }
    return List.copyOf(out);
  }
}
