package io.kinhub.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kinhub.server.app.Kinhub;
import io.kinhub.server.system.Api;
import io.kinhub.server.system.TestBackends;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A real browser on the tree page of a generated 10,000-person clan (a few founding couples, then
 * generation after generation of children, most of whom marry someone from outside the clan),
 * imported through the page: the whole family starts collapsed to a readable size (the founders and
 * their first generations, at most a few hundred boxes), with badges that add up to the hidden
 * persons; expand all shows everyone; each focus view shows exactly the persons computed
 * independently from the tree (src/test/browser/tree-views.mjs).
 */
class TreeClanBrowserTest {
  private static final int PERSONS = 10_000;

  @Test
  void aLargeClanStartsCollapsedToItsFirstGenerations_andExpandsToEveryone() throws Exception {
    Path gedcom = clan(PERSONS, 3, 17);
    try (Kinhub node = TestBackends.get().startNode(TestBackends.newPrefix())) {
      Api.User user = Api.of(node).newUser("Clan Reader");
      JsonNode result =
          BrowserScript.run(
              "tree-views.mjs",
              180,
              node.baseUrl(),
              user.token(),
              gedcom.toString(),
              BrowserScript.shots().toString(),
              "clan");
      System.out.println(result);
      assertThat(result.path("persons").asInt()).isEqualTo(PERSONS);
      assertThat(result.path("startShown").asInt()).isBetween(1, 300);
    } finally {
      Files.deleteIfExists(gedcom);
    }
  }

  /**
   * {@code count} persons: {@code founders} founding couples born about 1600, then per couple 1 to
   * 4 children born 20–40 years after their parents, four in five of whom marry a spouse without
   * parents in the tree and found a couple of the next generation.
   */
  static Path clan(int count, int founders, long seed) throws IOException {
    Random random = new Random(seed);
    List<int[]> persons = new ArrayList<>(); // {male, birthYear, famc, fams}
    List<List<Integer>> couples = new ArrayList<>(); // husband, wife, children...
    List<Integer> generation = new ArrayList<>();
    for (int i = 0; i < founders; i++) {
      persons.add(new int[] {1, 1600 + random.nextInt(10), -1, couples.size()});
      persons.add(new int[] {0, 1600 + random.nextInt(10), -1, couples.size()});
      generation.add(couples.size());
      couples.add(new ArrayList<>(List.of(persons.size() - 2, persons.size() - 1)));
    }
    while (persons.size() < count && !generation.isEmpty()) {
      List<Integer> next = new ArrayList<>();
      for (int c : generation) {
        List<Integer> couple = couples.get(c);
        int born = persons.get(couple.get(0))[1];
        for (int k = 1 + random.nextInt(4); k > 0 && persons.size() < count; k--) {
          int male = random.nextInt(2);
          int year = born + 20 + random.nextInt(20);
          persons.add(new int[] {male, year, c, -1});
          int child = persons.size() - 1;
          couple.add(child);
          if (random.nextInt(5) < 4 && persons.size() < count) {
            persons.add(new int[] {1 - male, year + random.nextInt(5), -1, couples.size()});
            persons.get(child)[3] = couples.size();
            int spouse = persons.size() - 1;
            next.add(couples.size());
            couples.add(
                new ArrayList<>(male == 1 ? List.of(child, spouse) : List.of(spouse, child)));
          }
        }
      }
      generation = next;
    }
    Path file = Files.createTempFile("kinhub-clan", ".ged");
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      w.write("0 HEAD\n1 GEDC\n2 VERS 5.5.1\n2 FORM LINEAGE-LINKED\n1 CHAR UTF-8\n");
      for (int i = 0; i < persons.size(); i++) {
        int[] p = persons.get(i);
        w.write(
            "0 @I" + i + "@ INDI\n1 NAME Member" + i + " /Clan/\n1 SEX " + (p[0] == 1 ? "M" : "F"));
        w.write("\n1 BIRT\n2 DATE " + p[1] + "\n");
        if (p[2] >= 0) {
          w.write("1 FAMC @F" + p[2] + "@\n");
        }
        if (p[3] >= 0) {
          w.write("1 FAMS @F" + p[3] + "@\n");
        }
      }
      for (int f = 0; f < couples.size(); f++) {
        List<Integer> c = couples.get(f);
        w.write("0 @F" + f + "@ FAM\n1 HUSB @I" + c.get(0) + "@\n1 WIFE @I" + c.get(1) + "@\n");
        for (int k = 2; k < c.size(); k++) {
          w.write("1 CHIL @I" + c.get(k) + "@\n");
        }
      }
      w.write("0 TRLR\n");
    }
    return file;
  }
}
