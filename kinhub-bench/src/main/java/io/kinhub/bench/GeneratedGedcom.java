package io.kinhub.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.SplittableRandom;

/**
 * A deterministic GEDCOM family tree of a given size, like a clan's: one founding couple; every couple has
 * one to five children; most children marry someone from outside the tree (a person without parents here),
 * whose couple has children in turn, generation by generation until the size is reached. Names, sexes, birth
 * years and places are generated; every tenth person has a note long enough to need CONC.
 */
final class GeneratedGedcom {
  private GeneratedGedcom() {}

  /** Writes a file of exactly {@code persons} INDI records and returns its FAM count. */
  static int write(Path file, int persons, long seed) throws IOException {
    SplittableRandom random = new SplittableRandom(seed);
    int families = 0;
    try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      out.write("0 HEAD\n1 SOUR KINHUB-BENCH\n1 GEDC\n2 VERS 5.5.1\n2 FORM LINEAGE-LINKED\n1 CHAR UTF-8\n");
      // a couple waiting for children: {husband, wife, birth year of the couple}
      Deque<int[]> couples = new ArrayDeque<>();
      int next = 0;
      person(out, ++next, true, 1500, random);
      person(out, ++next, false, 1502, random);
      couples.add(new int[] {1, 2, 1500});
      StringBuilder fams = new StringBuilder();
      while (next < persons && !couples.isEmpty()) {
        int[] couple = couples.poll();
        int children = Math.min(1 + random.nextInt(5), persons - next);
        fams.append("0 @F").append(++families).append("@ FAM\n1 HUSB @I").append(couple[0]).append("@\n1 WIFE @I")
            .append(couple[1]).append("@\n");
        for (int c = 0; c < children && next < persons; c++) {
          int child = ++next;
          boolean male = random.nextBoolean();
          int born = couple[2] + 22 + random.nextInt(15);
          person(out, child, male, born, random);
          fams.append("1 CHIL @I").append(child).append("@\n");
          if (next < persons && random.nextInt(10) < 8) {
            int spouse = ++next;
            person(out, spouse, !male, born + random.nextInt(5) - 2, random);
            couples.add(male ? new int[] {child, spouse, born} : new int[] {spouse, child, born});
          }
        }
      }
      out.write(fams.toString());
      out.write("0 TRLR\n");
    }
    return families;
  }

  private static final String[] GIVEN_MALE = {"Wei", "Jian", "Hao", "Ming", "Lei", "John", "Henry", "Karl", "Pierre", "Juan"};
  private static final String[] GIVEN_FEMALE = {"Mei", "Xiu", "Ying", "Lan", "Fang", "Mary", "Anne", "Greta", "Marie", "Lucia"};
  private static final String[] SURNAMES = {"Li", "Wang", "Zhang", "Liu", "Chen", "Smith", "Müller", "Dubois", "García", "Rossi"};
  private static final String[] PLACES = {"Hangzhou", "Suzhou", "London", "Lyon", "Köln", "Sevilla", "Boston", "Kyoto"};

  private static void person(BufferedWriter out, int id, boolean male, int born, SplittableRandom random) throws IOException {
    String given = (male ? GIVEN_MALE : GIVEN_FEMALE)[random.nextInt(10)];
    out.write("0 @I" + id + "@ INDI\n1 NAME " + given + " " + id + " /" + SURNAMES[random.nextInt(SURNAMES.length)] + "/\n");
    out.write("1 SEX " + (male ? "M" : "F") + "\n1 BIRT\n2 DATE " + (random.nextBoolean() ? "ABT " : "") + born
        + "\n2 PLAC " + PLACES[random.nextInt(PLACES.length)] + "\n");
    if (random.nextInt(3) > 0) {
      out.write("1 DEAT\n2 DATE " + (born + 40 + random.nextInt(50)) + "\n");
    }
    if (id % 10 == 0) {
      String note = "Generated note for person " + id + ". ";
      out.write("1 NOTE " + note.repeat(4) + "\n2 CONC " + note.repeat(4) + "\n2 CONT Second line.\n");
    }
  }
}
