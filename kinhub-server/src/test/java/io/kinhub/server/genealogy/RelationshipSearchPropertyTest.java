package io.kinhub.server.genealogy;

import static org.assertj.core.api.Assertions.assertThat;

import io.kinhub.server.genealogy.Privacy.Audience;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The search on large generated graphs (frontiers of thousands, pooled scratch reused across
 * queries): every answer is a real path, as short as a plain breadth-first search says, with the
 * fewest spouse steps among those, and "not related" exactly when no path exists.
 */
class RelationshipSearchPropertyTest {

  private static KinGraph generate(Random random, int n) {
    long[] ids = new long[n];
    String[] names = new String[n];
    byte[] sex = new byte[n];
    int[] birth = new int[n];
    int[] father = new int[n];
    int[] mother = new int[n];
    Arrays.fill(father, -1);
    Arrays.fill(mother, -1);
    List<int[]> spouses = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids[i] = 1000 + 3L * i;
      names[i] = "P" + i;
      sex[i] = (byte) (1 + random.nextInt(2));
      birth[i] =
          random.nextInt(4) == 0 ? 0 : (1500 + i / 10) * 10_000 + (1 + random.nextInt(12)) * 100;
      if (i > 20 && random.nextInt(10) < 9) { // most persons have parents among earlier persons
        int f = random.nextInt(i);
        int m = random.nextInt(i);
        if (sex[f] == 1) {
          father[i] = f;
        }
        if (sex[m] == 2 && random.nextBoolean()) {
          mother[i] = m;
        }
      }
      if (i > 0 && random.nextInt(6) == 0) {
        int other = random.nextInt(i);
        spouses.add(new int[] {Math.min(i, other), Math.max(i, other)});
      }
    }
    spouses.removeIf(p -> p[0] == p[1]);
    List<int[]> distinct = new ArrayList<>();
    Set<Long> seen = new HashSet<>();
    for (int[] p : spouses) {
      if (seen.add((long) p[0] * n + p[1])) {
        distinct.add(p);
      }
    }
    GenealogySettings settings = new GenealogySettings(120, false, null, null, 1, null);
    return new KinGraph(
        1,
        1,
        settings,
        ids,
        names,
        new String[n],
        sex,
        birth,
        new boolean[n],
        father,
        mother,
        distinct.toArray(new int[0][]),
        2026);
  }

  /** Plain BFS over (links, spouse steps) lexicographically: {links, spouses}, or null. */
  private static int[] reference(KinGraph g, int a, int b) {
    int n = g.size();
    int[] dist = new int[n];
    int[] sp = new int[n];
    Arrays.fill(dist, -1);
    dist[a] = 0;
    ArrayDeque<Integer> queue = new ArrayDeque<>(List.of(a));
    while (!queue.isEmpty()) {
      int u = queue.poll();
      List<int[]> edges = new ArrayList<>();
      if (g.father[u] >= 0) {
        edges.add(new int[] {g.father[u], 0});
      }
      if (g.mother[u] >= 0) {
        edges.add(new int[] {g.mother[u], 0});
      }
      for (int k = g.childStart[u]; k < g.childStart[u + 1]; k++) {
        edges.add(new int[] {g.children[k], 0});
      }
      for (int k = g.spouseStart[u]; k < g.spouseStart[u + 1]; k++) {
        edges.add(new int[] {g.spouses[k], 1});
      }
      for (int[] e : edges) {
        if (dist[e[0]] < 0) {
          dist[e[0]] = dist[u] + 1;
          sp[e[0]] = sp[u] + e[1];
          queue.add(e[0]);
        } else if (dist[e[0]] == dist[u] + 1) {
          sp[e[0]] = Math.min(sp[e[0]], sp[u] + e[1]);
        }
      }
    }
    return dist[b] < 0 ? null : new int[] {dist[b], sp[b]};
  }

  @Test
  void searchOnLargeRandomGraphs_isShortest_withFewestSpouseSteps_andFollowsLinks() {
    Random random = new Random(1616);
    for (int round = 0; round < 3; round++) {
      KinGraph g = generate(random, 4_000 + 2_000 * round);
      for (int q = 0; q < 150; q++) {
        int a = random.nextInt(g.size());
        int b = random.nextInt(g.size());
        int[] expected = reference(g, a, b);
        int[] path = Relationships.path(g, a, b);
        if (expected == null) {
          assertThat(path).isNull();
          assertThat(Relationships.between(g, a, b, Audience.FULL)).isNull();
          continue;
        }
        assertThat(path).isNotNull();
        assertThat(path[0]).isEqualTo(a);
        assertThat(path[path.length - 1]).isEqualTo(b);
        assertThat(path.length - 1).isEqualTo(expected[0]);
        int spouses = 0;
        for (int i = 0; i + 1 < path.length; i++) {
          int u = path[i];
          int v = path[i + 1];
          boolean parent =
              g.father[u] == v || g.mother[u] == v || g.father[v] == u || g.mother[v] == u;
          boolean spouse = false;
          for (int k = g.spouseStart[u]; k < g.spouseStart[u + 1]; k++) {
            spouse |= g.spouses[k] == v;
          }
          assertThat(parent || spouse).as("a link between consecutive persons").isTrue();
          spouses += parent ? 0 : 1;
        }
        assertThat(spouses).as("fewest spouse steps").isEqualTo(expected[1]);
        Relationships.Answer back = Relationships.between(g, b, a, Audience.FULL);
        assertThat(back).isNotNull();
        assertThat(Relationships.path(g, b, a).length).isEqualTo(path.length);
      }
    }
  }
}
