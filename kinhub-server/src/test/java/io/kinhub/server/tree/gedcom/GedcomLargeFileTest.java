package io.kinhub.server.tree.gedcom;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.Iterator;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A large file streams through: it is generated record by record while being read, never stored.
 */
class GedcomLargeFileTest {
  private static final int PERSONS = 50_000;

  /**
   * HEAD, then each person followed every third person by a family of the last three, then TRLR.
   */
  private static InputStream generated() {
    Iterator<InputStream> records =
        Stream.of(
                Stream.of("0 HEAD\n1 SOUR GENERATOR\n1 CHAR UTF-8\n"),
                IntStream.rangeClosed(1, PERSONS).mapToObj(GedcomLargeFileTest::personAndFamily),
                Stream.of("0 TRLR\n"))
            .flatMap(s -> s)
            .map(text -> (InputStream) new ByteArrayInputStream(text.getBytes(UTF_8)))
            .iterator();
    return new SequenceInputStream(
        new Enumeration<>() {
          @Override
          public boolean hasMoreElements() {
            return records.hasNext();
          }

          @Override
          public InputStream nextElement() {
            return records.next();
          }
        });
  }

  private static String personAndFamily(int i) {
    String person =
        "0 @I%d@ INDI\n1 NAME Person%d /Family%d/\n1 SEX %s\n1 BIRT\n2 DATE %d MAR %d\n2 PLAC Town %d\n1 OCCU Miller\n"
            .formatted(i, i, i / 3, i % 2 == 0 ? "F" : "M", i % 28 + 1, 1000 + i % 1000, i % 97);
    return i % 3 != 0
        ? person
        : person
            + "0 @F%d@ FAM\n1 HUSB @I%d@\n1 WIFE @I%d@\n1 CHIL @I%d@\n"
                .formatted(i / 3, i - 2, i - 1, i);
  }

  @Test
  void fiftyThousandPersons_allReachTheHandler() throws Exception {
    int[] persons = {0};
    int[] families = {0};
    List<GedcomWarning> warnings = new ArrayList<>();
    GedcomPerson[] last = new GedcomPerson[1];
    GedcomSummary summary =
        GedcomReader.read(
            generated(),
            new GedcomHandler() {
              @Override
              public void person(GedcomPerson person) {
                persons[0]++;
                last[0] = person;
              }

              @Override
              public void family(GedcomFamily family) {
                families[0]++;
              }

              @Override
              public void note(String xref, String text) {}

              @Override
              public void warning(GedcomWarning warning) {
                warnings.add(warning);
              }
            });

    assertThat(persons[0]).isEqualTo(PERSONS);
    assertThat(families[0]).isEqualTo(PERSONS / 3);
    assertThat(summary.persons()).isEqualTo(PERSONS);
    assertThat(last[0].name()).isEqualTo("Person50000 Family16666");
    assertThat(last[0].birthDate()).isEqualTo(PartialDate.parse("1000-03-21"));
    assertThat(warnings)
        .extracting(GedcomWarning::toString)
        .containsExactly("line 10: INDI.OCCU not imported (50000 times)");
  }
}
