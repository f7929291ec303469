package io.kinhub.server.tree.gedcom;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kinhub.server.system.SharedFixtures;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Reads the real GEDCOM files in the shared fixtures folder (written by PAF, Legacy, Ancestris,
 * Family Origins), counts their records with a regular expression over the raw bytes as an
 * independent oracle, and writes and reads each back. Skipped, saying so, where the folder is not
 * there.
 */
class GedcomFixturesTest {
  private static final Pattern INDI = Pattern.compile("0 @[^@]+@ INDI");
  private static final Pattern FAM = Pattern.compile("0 @[^@]+@ FAM\\b");

  /** The person counts the fixtures' README states, to check the oracle itself. */
  private static final Map<String, Integer> README_PERSONS =
      Map.of(
          "basic.ged",
          5,
          "bach.ged",
          33,
          "kennedy.ged",
          208,
          "bourbon.ged",
          303,
          "EnglishTudorRoyalFamily.ged",
          347,
          "washington.ged",
          529,
          "royal92.ged",
          3010);

  private static Path fixtures() {
    Path dir = SharedFixtures.gedcomDir();
    assumeTrue(
        Files.isDirectory(dir),
        "no GEDCOM fixtures folder at " + dir + " (set KINHUB_GEDCOM_FIXTURES to use another)");
    return dir;
  }

  private static Recorder read(String file) throws IOException, GedcomFormatException {
    try (InputStream in = Files.newInputStream(fixtures().resolve(file))) {
      return Recorder.read(in);
    }
  }

  private static long count(byte[] gedcom, Pattern record) {
    return Stream.of(new String(gedcom, ISO_8859_1).split("\r\n|\r|\n"))
        .filter(line -> record.matcher(line).lookingAt())
        .count();
  }

  @TestFactory
  Stream<DynamicTest> everyFixture_yieldsEveryRecord_andReadsBackIdenticallyAfterWriting()
      throws IOException {
    Path dir = fixtures();
    List<Path> files;
    try (Stream<Path> listing = Files.list(dir)) {
      files = listing.filter(f -> f.getFileName().toString().endsWith(".ged")).sorted().toList();
    }
    assumeTrue(!files.isEmpty(), "no *.ged files in " + dir.toAbsolutePath().normalize());
    return files.stream()
        .map(
            file ->
                DynamicTest.dynamicTest(
                    file.getFileName().toString(),
                    () -> {
                      byte[] raw = Files.readAllBytes(file);
                      Recorder read = read(file.getFileName().toString());

                      assertThat(read.persons).hasSize((int) count(raw, INDI));
                      assertThat(read.families).hasSize((int) count(raw, FAM));
                      assertThat(read.summary.persons()).isEqualTo(read.persons.size());
                      assertThat(read.summary.families()).isEqualTo(read.families.size());
                      Integer stated = README_PERSONS.get(file.getFileName().toString());
                      if (stated != null) {
                        assertThat(read.persons).hasSize(stated);
                      }

                      Recorder again = Recorder.read(RoundTrip.write(read.persons, read.families));
                      assertThat(RoundTrip.withoutLines(again.persons))
                          .isEqualTo(RoundTrip.withoutLines(read.persons));
                      assertThat(RoundTrip.familiesWithoutLines(again.families))
                          .isEqualTo(RoundTrip.familiesWithoutLines(read.families));
                      assertThat(again.warnings).isEmpty();
                    }));
  }

  @Test
  void royal92_isAnselFromPaf22_whoseNamesAreAllAscii() throws Exception {
    Recorder read = read("royal92.ged");

    assertThat(read.summary.charset()).isEqualTo("ANSEL");
    assertThat(read.summary.source()).isEqualTo("PAF 2.2");
    GedcomPerson victoria = read.person("@I1@");
    assertThat(victoria.name()).isEqualTo("Victoria Hanover");
    assertThat(victoria.surname()).isEqualTo("Hanover");
    assertThat(victoria.gender()).isEqualTo("female");
    assertThat(victoria.birthDate()).isEqualTo(PartialDate.parse("1819-05-24"));
    assertThat(victoria.birthPlace()).isEqualTo("Kensington,Palace,London,England");
    // PAF 2.2 wrote names without accents, "//" for no surname, "_" inside name parts, and no space
    // before a long surname
    assertThat(read.persons)
        .extracting(GedcomPerson::name)
        .contains("Louise Marie d'Orleans", "Edward_VII Wettin", "Henry William Frederick Windsor")
        .filteredOn(Objects::nonNull)
        .allSatisfy(name -> assertThat(name).isASCII());
    assertThat(read.person("@I3@").surname()).isNull();
  }

  @Test
  void washington_isAnsiFromFamilyOrigins_withTempleCodesAfterDates() throws Exception {
    Recorder read = read("washington.ged");

    assertThat(read.summary.charset()).isEqualTo("windows-1252");
    GedcomPerson george = read.person("@I1@");
    assertThat(george.name()).isEqualTo("George WASHINGTON");
    assertThat(george.birthDate()).isEqualTo(PartialDate.parse("1732-02-22"));
    assertThat(george.deathPlace()).isEqualTo("Mount Vernon, Fairfax, Virginia");
    assertThat(read.persons)
        .extracting(GedcomPerson::name)
        .filteredOn(Objects::nonNull)
        .allSatisfy(name -> assertThat(name).isASCII());
  }

  @Test
  void utf8Fixtures_keepTheirAccentedLetters() throws Exception {
    assertThat(read("bourbon.ged").person("@I7@").name()).isEqualTo("Françoise D'AUBIGNÉ");
    assertThat(read("bach.ged").person("@I11@").surname()).isEqualTo("Lämmerhirt");
    GedcomPerson catherine = read("EnglishTudorRoyalFamily.ged").person("@I15@");
    assertThat(catherine.name()).isEqualTo("Catherine of Aragon");
    assertThat(catherine.birthPlace()).isEqualTo("Alcalá de Henares, near Madrid");
    assertThat(catherine.deathDate()).isEqualTo(PartialDate.phrase("6 Jan 1535-1536"));
  }
}
