package io.kinhub.server.tree.gedcom;

import static java.nio.charset.StandardCharsets.UTF_16LE;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Reads GEDCOM built byte by byte in each test, so every dialect checked here is visible where it
 * is checked.
 */
class GedcomReaderTest {

  /** Strings as UTF-8, integers as single raw bytes. */
  private static byte[] bytes(Object... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Object part : parts) {
      if (part instanceof Integer b) {
        out.write(b);
      } else {
        out.writeBytes(part.toString().getBytes(UTF_8));
      }
    }
    return out.toByteArray();
  }

  private static String head(String charset) {
    return "0 HEAD\n1 SOUR TEST\n1 GEDC\n2 VERS 5.5.1\n2 FORM LINEAGE-LINKED\n1 CHAR "
        + charset
        + "\n";
  }

  @Test
  void ansel_movesEachMarkAfterItsLetter_andComposesTheResult() throws Exception {
    Recorder read =
        Recorder.read(
            bytes(
                head("ANSEL"),
                "0 @I1@ INDI\n1 NAME Hans /M",
                0xE8,
                "uller/\n1 BIRT\n2 PLAC Krak",
                0xE2,
                "ow\n",
                "0 @I2@ INDI\n1 NAME ",
                0xE2,
                "Emile /Zola/\n1 DEAT\n2 PLAC Fran",
                0xF0,
                "cois\n",
                "0 @I3@ INDI\n1 NAME ",
                0xA5,
                "sa /",
                0xA2,
                "rsted/\n",
                "0 @I4@ INDI\n1 NAME /Tr",
                0xE3,
                0xE2,
                "an/ H",
                0xE2,
                0xBC,
                "i\n", // two marks on a; a mark on ơ
                "0 @I5@ INDI\n1 NAME Odd ",
                0xAF,
                "byte\n",
                "0 TRLR\n"));

    assertThat(read.summary.charset()).isEqualTo("ANSEL");
    assertThat(read.person("@I1@").name()).isEqualTo("Hans M\u00FCller");
    assertThat(read.person("@I1@").surname()).isEqualTo("M\u00FCller");
    assertThat(read.person("@I1@").birthPlace()).isEqualTo("Krak\u00F3w");
    assertThat(read.person("@I2@").name()).isEqualTo("\u00C9mile Zola");
    assertThat(read.person("@I2@").deathPlace()).isEqualTo("Fran\u00E7ois");
    assertThat(read.person("@I3@").name()).isEqualTo("\u00C6sa \u00D8rsted");
    assertThat(read.person("@I4@").name()).isEqualTo("Tr\u1EA5n H\u1EDBi");
    assertThat(read.person("@I5@").name()).isEqualTo("Odd \uFFFDbyte");
    assertThat(read.warningTexts())
        .containsExactly("line 20: bytes not defined in ANSEL replaced by U+FFFD");
  }

  @Test
  void continuations_joinAnyValue_acrossCrLfCrAndLfLineEnds() throws Exception {
    Recorder read =
        Recorder.read(
            bytes(
                "0 HEAD\r\n1 CHAR UTF-8\r",
                "0 @I1@ INDI\n1 NAME Anne Marie\r\n2 CONC  /Smith/\n",
                "1 NOTE He was born\r2 CONC  in a barn\r\n2 CONT \r\n2 CONT   and lived there.\n",
                "1 NOTE Second note\n",
                "0 TRLR\r\n"));

    GedcomPerson anne = read.person("@I1@");
    assertThat(anne.name()).isEqualTo("Anne Marie Smith");
    assertThat(anne.surname()).isEqualTo("Smith");
    assertThat(anne.notes())
        .isEqualTo("He was born in a barn\n\n  and lived there.\n\nSecond note");
    assertThat(read.summary.lines()).isEqualTo(11);
    assertThat(read.warnings).isEmpty();
  }

  @Test
  void ansi_isWindows1252() throws Exception {
    Recorder read =
        Recorder.read(
            bytes(
                head("ANSI"),
                "0 @I1@ INDI\n1 NAME Ren",
                0xE9,
                " /Dupont/\n1 NOTE costs 5 ",
                0x80,
                "\n0 TRLR\n"));

    assertThat(read.summary.charset()).isEqualTo("windows-1252");
    assertThat(read.person("@I1@").name()).isEqualTo("Ren\u00E9 Dupont");
    assertThat(read.person("@I1@").notes()).isEqualTo("costs 5 \u20AC");
  }

  @Test
  void utf8_withByteOrderMark_keepsChineseNames() throws Exception {
    Recorder read =
        Recorder.read(
            bytes(
                0xEF,
                0xBB,
                0xBF,
                head("UTF-8"),
                "0 @I1@ INDI\n1 NAME /王/小明\n1 SEX M\n1 BIRT\n2 DATE 17 MAY 1900\n2 PLAC 北京\n",
                "0 @I2@ INDI\n1 NAME\n2 GIVN 美玲\n2 SURN 陈\n1 SEX F\n0 TRLR\n"));

    GedcomPerson xiaoming = read.person("@I1@");
    assertThat(xiaoming.name()).isEqualTo("王小明");
    assertThat(xiaoming.surname()).isEqualTo("王");
    assertThat(xiaoming.gender()).isEqualTo("male");
    assertThat(xiaoming.birthDate()).isEqualTo(PartialDate.parse("1900-05-17"));
    assertThat(xiaoming.birthPlace()).isEqualTo("北京");
    assertThat(read.person("@I2@").name()).isEqualTo("美玲 陈");
    assertThat(read.person("@I2@").surname()).isEqualTo("陈");
    assertThat(read.person("@I2@").gender()).isEqualTo("female");
    assertThat(read.summary).isEqualTo(new GedcomSummary("UTF-8", "TEST", 18, 2, 0));
  }

  @Test
  void aSlashBetweenWords_readsAsASpace_butNotInScriptsWrittenWithoutSpaces() throws Exception {
    Recorder read =
        Recorder.read(
            bytes(
                head("UTF-8"),
                "0 @I1@ INDI\n1 NAME Henry William Frederick/Windsor/\n",
                "0 @I2@ INDI\n1 NAME 小明/王/\n0 @I3@ INDI\n1 NAME Albert Augustus Charles//\n0 TRLR\n"));

    assertThat(read.person("@I1@").name()).isEqualTo("Henry William Frederick Windsor");
    assertThat(read.person("@I2@").name()).isEqualTo("小明王");
    assertThat(read.person("@I3@").name()).isEqualTo("Albert Augustus Charles");
    assertThat(read.person("@I3@").surname()).isNull();
  }

  @Test
  void utf16_isRecognisedByItsByteOrderMark() throws Exception {
    byte[] text =
        (head("UNICODE") + "0 @I1@ INDI\r\n1 NAME Jos\u00E9 /Garc\u00EDa/\r\n0 TRLR\r\n")
            .getBytes(UTF_16LE);
    byte[] withBom = Arrays.copyOf(new byte[] {(byte) 0xFF, (byte) 0xFE}, text.length + 2);
    System.arraycopy(text, 0, withBom, 2, text.length);
    Recorder read = Recorder.read(withBom);

    assertThat(read.summary.charset()).isEqualTo("UTF-16LE");
    assertThat(read.person("@I1@").name()).isEqualTo("Jos\u00E9 Garc\u00EDa");
  }

  @Test
  void noteRecords_areHandedOver_andPersonsPointToThem() throws Exception {
    Recorder read =
        Recorder.read(
            bytes(
                head("UTF-8"),
                "0 @I1@ INDI\n1 NAME Ann /Lee/\n1 NOTE @N1@\n1 NOTE Mail: ann@@example.org\n",
                "0 @N1@ NOTE Shared by\n1 CONC  the family\n1 CONT second line\n0 TRLR\n"));

    assertThat(read.person("@I1@").noteRefs()).containsExactly("@N1@");
    assertThat(read.person("@I1@").notes()).isEqualTo("Mail: ann@example.org");
    assertThat(read.notes).containsExactly(Map.entry("@N1@", "Shared by the family\nsecond line"));
  }

  @Test
  void families_keepPartnersAndChildrenInOrder() throws Exception {
    Recorder read =
        Recorder.read(
            bytes(
                head("UTF-8"),
                "0 @F1@ FAM\n1 HUSB @I1@\n1 WIFE @I2@\n1 CHIL @I4@\n1 CHIL @I3@\n1 MARR\n2 DATE 1900\n",
                "0 @F2@ FAM\n1 WIFE @I2@\n0 TRLR\n"));

    assertThat(read.families)
        .containsExactly(
            new GedcomFamily("@F1@", 7, "@I1@", "@I2@", List.of("@I4@", "@I3@")),
            new GedcomFamily("@F2@", 14, null, "@I2@", List.of()));
    assertThat(read.warningTexts()).containsExactly("line 12: FAM.MARR not imported");
  }

  @Test
  void contentNotImported_isReportedOncePerTag_withTheFirstLineAndACount() throws Exception {
    Recorder read =
        Recorder.read(
            bytes(
                head("UTF-8"),
                "0 @I1@ INDI\n1 NAME A /B/\n2 NSFX Jr\n1 OCCU Smith\n1 _UID 123\n1 BIRT\n2 DATE ABT 1900\n2 SOUR @S1@\n1 FAMS @F1@\n",
                "0 @I2@ INDI\n1 NAME C /D/\n1 NAME Other /Name/\n1 OCCU Baker\n1 SEX X\n",
                "0 @S1@ SOUR\n1 TITL Census\n0 @S2@ SOUR\n\n0 _PLAC_DEFN\n0 @U1@ SUBM\n1 NAME Me\n"));

    assertThat(read.persons).hasSize(2);
    assertThat(read.person("@I2@").gender()).isEqualTo("unknown");
    assertThat(read.person("@I2@").name()).isEqualTo("C D");
    assertThat(read.warningTexts())
        .containsExactly(
            "line 9: INDI.NAME.NSFX not imported",
            "line 10: INDI.OCCU not imported (2 times)",
            "line 11: INDI._UID not imported",
            "line 14: INDI.BIRT.SOUR not imported",
            "line 18: INDI.NAME after the first not imported",
            "line 21: SOUR record not imported (2 times)",
            "line 24: blank line skipped",
            "line 25: _PLAC_DEFN record not imported",
            "line 27: no TRLR at the end: the file may be cut short");
  }

  @Test
  void aFileWithoutChar_isUtf8_orWindows1252WhereItIsNotValidUtf8() throws Exception {
    Recorder read =
        Recorder.read(
            bytes(
                "0 HEAD\n0 @I1@ INDI\n1 NAME Zo",
                0xEB,
                "\n0 @I2@ INDI\n1 NAME Zo\u00EB\n0 TRLR\n"));

    assertThat(read.persons).extracting(GedcomPerson::name).containsExactly("Zo\u00EB", "Zo\u00EB");
    assertThat(read.summary.charset()).isEqualTo("windows-1252");
    assertThat(read.warningTexts())
        .containsExactly("line 3: line not valid UTF-8: read as windows-1252");
  }

  @Test
  void leadingWhitespace_longLines_andUnknownCharsets_areTolerated() throws Exception {
    String longNote = "x".repeat(1000);
    Recorder read =
        Recorder.read(
            bytes("0 HEAD\n  1 CHAR KLINGON\n0 @I1@ INDI\n\t1 NOTE " + longNote + "\n0 TRLR\n"));

    assertThat(read.person("@I1@").notes()).isEqualTo(longNote);
    assertThat(read.warningTexts())
        .containsExactly("line 2: CHAR 'KLINGON' is not a known charset: read as UTF-8");
  }

  @Test
  void badLevel_namesTheLine() {
    assertThatThrownBy(
            () -> Recorder.read(bytes(head("UTF-8"), "0 @I1@ INDI\nx NAME A /B/\n0 TRLR\n")))
        .isInstanceOfSatisfying(GedcomFormatException.class, e -> assertThat(e.line()).isEqualTo(8))
        .hasMessage("line 8: a line must start with a level 0 to 99, not 'x NAME A /B/'");
    assertThatThrownBy(() -> Recorder.read(bytes(head("UTF-8"), "100 NAME A\n")))
        .hasMessageStartingWith("line 7: a line must start with a level 0 to 99");
  }

  @Test
  void levelJump_namesTheLine() {
    assertThatThrownBy(
            () -> Recorder.read(bytes(head("UTF-8"), "0 @I1@ INDI\n1 BIRT\n3 DATE 1900\n0 TRLR\n")))
        .isInstanceOfSatisfying(
            GedcomFormatException.class,
            e -> {
              assertThat(e.line()).isEqualTo(9);
              assertThat(e.reason()).isEqualTo("level 3 after level 1 skips a level");
            });
  }

  @Test
  void missingTag_namesTheLine() {
    assertThatThrownBy(() -> Recorder.read(bytes(head("UTF-8"), "0 @I1@\n0 TRLR\n")))
        .hasMessage("line 7: no tag in '0 @I1@'");
  }

  @Test
  void aFileNotStartingWithHead_isRejectedAtItsFirstLine() {
    assertThatThrownBy(() -> Recorder.read(bytes("\n0 @I1@ INDI\n0 TRLR\n")))
        .hasMessage("line 2: not a GEDCOM file: it must start with '0 HEAD'");
    assertThatThrownBy(() -> Recorder.read(bytes(0x89, "PNG\r\n", 0x1A, "\n")))
        .hasMessage("line 1: not a GEDCOM file: it must start with '0 HEAD'");
    assertThatThrownBy(() -> Recorder.read(new byte[0]))
        .hasMessage("line 1: not a GEDCOM file: it is empty");
  }

  @Test
  void invalidUtf8_inAFileDeclaringUtf8_namesTheLineAndTheByte() {
    assertThatThrownBy(
            () ->
                Recorder.read(
                    bytes(head("UTF-8"), "0 @I1@ INDI\n1 NAME Ren", 0xE9, " /Dupont/\n0 TRLR\n")))
        .isInstanceOfSatisfying(GedcomFormatException.class, e -> assertThat(e.line()).isEqualTo(8))
        .hasMessage("line 8: byte 11 (0xE9) is not valid UTF-8, the charset the HEAD declares");
  }
}
