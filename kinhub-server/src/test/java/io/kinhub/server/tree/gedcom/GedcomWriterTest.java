package io.kinhub.server.tree.gedcom;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

class GedcomWriterTest {
  private static final String LONG_NOTE =
      ("Lived at the mill; 王小明 visited 😀 often, wrote to mill@@example.org   "
                  + "and signed "
                  + "x".repeat(300)
                  + " ")
              .repeat(4)
          + "\n  indented line\r\nwindows line\n\n"
          + "ab ".repeat(200)
          + "end";

  private static final List<GedcomPerson> PERSONS =
      List.of(
          new GedcomPerson(
              "@I1@",
              0,
              "Henry Tudor",
              "Tudor",
              "male",
              PartialDate.parse("about 1457-01-28"),
              "Pembroke Castle, Wales",
              PartialDate.parse("1509-04-21"),
              "Richmond Palace",
              LONG_NOTE,
              List.of("@N1@")),
          new GedcomPerson(
              "@I2@",
              0,
              "王小明",
              "王",
              "female",
              PartialDate.phrase("Summer 1537"),
              null,
              PartialDate.fromGedcom("@#DJULIAN@ 1 JAN 1700"),
              "北京",
              null,
              List.of()),
          new GedcomPerson(
              "@I3@",
              0,
              "Anna Smith",
              "Smith",
              "unknown",
              null,
              "@home",
              null,
              null,
              "a@b",
              List.of()),
          new GedcomPerson(
              "@I4@", 0, null, null, "unknown", null, null, null, null, null, List.of()),
          new GedcomPerson(
              "@I5@",
              0,
              "Smith",
              "Smith",
              "male",
              null,
              null,
              PartialDate.parse("before 1900-05"),
              null,
              null,
              List.of()));
  private static final List<GedcomFamily> FAMILIES =
      List.of(
          new GedcomFamily("@F1@", 0, "@I1@", "@I2@", List.of("@I4@", "@I3@")),
          new GedcomFamily("@F2@", 0, null, "@I2@", List.of()));

  @Test
  void readingWhatWasWritten_givesBackEveryPersonAndFamily() throws Exception {
    Recorder read = Recorder.read(RoundTrip.write(PERSONS, FAMILIES));

    assertThat(RoundTrip.withoutLines(read.persons))
        .isEqualTo(
            RoundTrip.withoutLines(PERSONS).stream()
                .map(
                    p ->
                        p.xref().equals("@I1@")
                            ? withNotes(p, p.notes().replace("\r\n", "\n").strip())
                            : p)
                .toList());
    assertThat(RoundTrip.familiesWithoutLines(read.families)).isEqualTo(FAMILIES);
    assertThat(read.warnings).isEmpty();
    assertThat(read.summary)
        .isEqualTo(new GedcomSummary("UTF-8", "Kinhub", read.summary.lines(), 5, 2));
  }

  private static GedcomPerson withNotes(GedcomPerson p, String notes) {
    return new GedcomPerson(
        p.xref(),
        0,
        p.name(),
        p.surname(),
        p.gender(),
        p.birthDate(),
        p.birthPlace(),
        p.deathDate(),
        p.deathPlace(),
        notes,
        p.noteRefs());
  }

  @Test
  void output_isGedcom551InUtf8_withShortLinesSplitAwayFromSpaces() throws Exception {
    String text = new String(RoundTrip.write(PERSONS, FAMILIES), UTF_8);
    List<String> lines = text.lines().toList();

    assertThat(text)
        .startsWith(
            "0 HEAD\n1 SOUR Kinhub\n2 VERS test\n1 GEDC\n2 VERS 5.5.1\n2 FORM LINEAGE-LINKED\n1 CHAR UTF-8\n")
        .endsWith("\n0 TRLR\n")
        .doesNotContain("\r");
    assertThat(lines)
        .contains(
            "0 @I1@ INDI",
            "1 NAME Henry /Tudor/",
            "1 SEX M",
            "2 DATE ABT 28 JAN 1457",
            "1 FAMS @F1@",
            "1 NAME /王/小明",
            "2 DATE (Summer 1537)",
            "2 DATE (@@#DJULIAN@@ 1 JAN 1700)",
            "1 FAMC @F1@",
            "1 NOTE @N1@",
            "1 NAME Anna /Smith/",
            "2 PLAC @@home",
            "1 NOTE a@@b",
            "1 SEX U",
            "1 NAME /Smith/",
            "2 DATE BEF MAY 1900",
            "0 @F1@ FAM",
            "1 HUSB @I1@",
            "1 WIFE @I2@",
            "1 CHIL @I4@",
            "1 CHIL @I3@");
    assertThat(lines).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(255));
    for (int i = 1; i < lines.size(); i++) {
      if (lines.get(i).matches("\\d+ CONC .*")) {
        assertThat(lines.get(i).substring(7)).doesNotStartWith(" ").doesNotStartWith("@");
        assertThat(lines.get(i - 1)).doesNotEndWith(" ");
        assertThat(
                Character.isHighSurrogate(lines.get(i - 1).charAt(lines.get(i - 1).length() - 1)))
            .isFalse();
      }
    }
    assertThat(lines).filteredOn(line -> line.startsWith("2 CONC")).hasSizeGreaterThan(5);
  }

  @Test
  void surname_isWrappedWhereItLastOccursAsAWord_orAppended() throws Exception {
    List<GedcomPerson> persons =
        List.of(
            new GedcomPerson(
                "@I5@", 0, "Anna Smithson", "Smith", "female", null, null, null, null, null, null),
            new GedcomPerson("@I6@", 0, "小明王", "王", "male", null, null, null, null, null, null),
            new GedcomPerson(
                "@I1@", 0, "Smith John Smith", "Smith", "male", null, null, null, null, null, null),
            new GedcomPerson("@I2@", 0, "John", "Doe", "male", null, null, null, null, null, null),
            new GedcomPerson(
                "@I3@", 0, "Plain Name", null, "male", null, null, null, null, null, null),
            new GedcomPerson("@I4@", 0, null, "Smith", "male", null, null, null, null, null, null));
    String text = new String(RoundTrip.write(persons, List.of()), UTF_8);

    assertThat(text)
        .contains(
            "1 NAME Smith John /Smith/\n",
            "1 NAME John /Doe/\n",
            "1 NAME Plain Name\n",
            "1 NAME /Smith/\n",
            "1 NAME Anna Smithson /Smith/\n",
            "1 NAME 小明/王/\n");
    // GEDCOM has no way to say that the surname is not part of the name: it is read back as part of
    // it
    Recorder read = Recorder.read(text.getBytes(UTF_8));
    assertThat(read.person("@I2@").name()).isEqualTo("John Doe");
    assertThat(read.person("@I4@").name()).isEqualTo("Smith");
    assertThat(read.person("@I5@").name()).isEqualTo("Anna Smithson Smith");
    assertThat(read.person("@I6@").name()).isEqualTo("小明王");
  }

  @Test
  void aRunOfSpacesLongerThanALine_isSplitInsideTheRun_andStillReadsBack() throws Exception {
    String notes = "a" + " ".repeat(600) + "b";
    GedcomPerson person =
        new GedcomPerson("@I1@", 0, "A", null, null, null, null, null, null, notes, null);

    assertThat(Recorder.read(RoundTrip.write(List.of(person), List.of())).person("@I1@").notes())
        .isEqualTo(notes);
  }

  @Test
  void badXrefs_andRecordsBeforeTheHeader_areRejected() throws Exception {
    GedcomPerson person =
        new GedcomPerson("I1", 0, "A", null, null, null, null, null, null, null, null);
    try (GedcomWriter writer = new GedcomWriter(new ByteArrayOutputStream())) {
      assertThatThrownBy(() -> writer.family(FAMILIES.get(0)))
          .isInstanceOf(IllegalStateException.class);
      writer.header("Kinhub", "test");
      assertThatThrownBy(() -> writer.person(person, List.of(), List.of()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("not a GEDCOM xref such as @I1@: 'I1'");
    }
    assertThatThrownBy(
            () ->
                new GedcomPerson("@I1@", 0, "A", null, "other", null, null, null, null, null, null))
        .hasMessage("gender must be male, female or unknown, not 'other'");
  }
}
