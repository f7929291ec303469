package io.kinhub.server.tree.gedcom;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The reader's own bounds (issue 12): work linear in the input, memory bounded per line and per
 * record.
 */
class GedcomHardeningTest {
  private static final String HEAD = "0 HEAD\n1 SOUR TEST\n1 CHAR ANSEL\n";

  @Test
  void anselWithManyCombiningMarks_decodesInLinearTime() throws Exception {
    int marks = 320_000;
    byte[] line = new byte[marks + 1];
    for (int i = 0;
        i < marks;
        i++) { // diaeresis and cedilla by turns (different combining classes), waiting for a base
      line[i] = (byte) (i % 2 == 0 ? 0xE8 : 0xF0);
    }
    line[marks] = 'a';
    // quadratic canonical reordering took 31.7 s on the audit's machine; linear work is well under
    // a second
    String decoded =
        CompletableFuture.supplyAsync(() -> AnselDecoder.decode(line, line.length))
            .get(20, TimeUnit.SECONDS);
    String decomposed = Normalizer.normalize(decoded, Normalizer.Form.NFD);
    assertThat(decomposed).startsWith("a");
    assertThat(decomposed.chars().filter(c -> c == '\u0308' || c == '\u0327').count())
        .isEqualTo(marks); // no mark lost
  }

  private static final GedcomLimits SMALL = new GedcomLimits(1024, 50, 10);

  private static Recorder read(String gedcom, GedcomLimits limits) throws Exception {
    Recorder recorder = new Recorder();
    recorder.summary =
        GedcomReader.read(new ByteArrayInputStream(gedcom.getBytes(UTF_8)), recorder, limits);
    return recorder;
  }

  @Test
  void overlongLine_failsAsTooLarge_namingTheLine_beforeHoldingIt() {
    String gedcom = "0 HEAD\n0 @I1@ INDI\n1 NOTE " + "x".repeat(2000) + "\n0 TRLR\n";
    assertThatThrownBy(() -> read(gedcom, SMALL))
        .isInstanceOfSatisfying(
            GedcomFormatException.class,
            e -> {
              assertThat(e.tooLarge()).isTrue();
              assertThat(e.line()).isEqualTo(3);
              assertThat(e.reason()).contains("longer than 1024 bytes");
            });
  }

  @Test
  void overlongUtf16Line_failsAsTooLarge() {
    byte[] bom = {(byte) 0xFF, (byte) 0xFE};
    byte[] text =
        ("0 HEAD\n1 NOTE " + "x".repeat(600) + "\n0 TRLR\n").getBytes(StandardCharsets.UTF_16LE);
    byte[] all = new byte[bom.length + text.length];
    System.arraycopy(bom, 0, all, 0, 2);
    System.arraycopy(text, 0, all, 2, text.length);
    assertThatThrownBy(
            () -> GedcomReader.read(new ByteArrayInputStream(all), new Recorder(), SMALL))
        .isInstanceOfSatisfying(
            GedcomFormatException.class, e -> assertThat(e.tooLarge() && e.line() == 2).isTrue());
  }

  @Test
  void aRecordWithTooManyLines_failsAsTooLarge_namingTheLine() {
    String gedcom = "0 HEAD\n0 @I1@ INDI\n" + "1 X\n".repeat(60) + "0 TRLR\n";
    assertThatThrownBy(() -> read(gedcom, SMALL))
        .isInstanceOfSatisfying(
            GedcomFormatException.class,
            e -> {
              assertThat(e.tooLarge()).isTrue();
              assertThat(e.line()).isEqualTo(52);
              assertThat(e.reason()).contains("INDI record at line 2 has more than 50 lines");
            });
  }

  @Test
  void tooManyRecords_failAsTooLarge() {
    StringBuilder gedcom = new StringBuilder("0 HEAD\n");
    for (int i = 1; i <= 20; i++) {
      gedcom.append("0 @I").append(i).append("@ INDI\n");
    }
    assertThatThrownBy(() -> read(gedcom.toString(), SMALL))
        .isInstanceOfSatisfying(
            GedcomFormatException.class, e -> assertThat(e.tooLarge() && e.line() == 11).isTrue());
  }

  @Test
  void recordsNotImported_keepNoLines_andLongTextIsCutWithAWarning() throws Exception {
    StringBuilder gedcom = new StringBuilder("0 HEAD\n0 @S1@ SOUR\n");
    gedcom.append("1 TEXT x\n".repeat(40));
    gedcom.append("0 @I1@ INDI\n1 NAME Ann /Long/\n1 NOTE a\n");
    String chunk = "y".repeat(1000);
    gedcom.append(("2 CONC " + chunk + "\n").repeat(30)); // 30,000 characters of note
    gedcom.append("0 TRLR\n");
    Recorder read = read(gedcom.toString(), new GedcomLimits(4096, 100, 10));
    assertThat(read.person("@I1@").name()).isEqualTo("Ann Long");
    assertThat(read.person("@I1@").notes()).hasSize(GedcomReader.MAX_VALUE_CHARS);
    assertThat(read.warningTexts()).anyMatch(w -> w.contains("text cut"));
  }

  @Test
  void nulBytes_areRemovedWithAWarning() throws Exception {
    Recorder read =
        read("0 HEAD\n0 @I1@ INDI\n1 NAME An\u0000n /Nul/\n0 TRLR\n", GedcomLimits.DEFAULTS);
    assertThat(read.person("@I1@").name()).isEqualTo("Ann Nul");
    assertThat(read.warningTexts()).contains("line 3: NUL characters removed");
  }

  @Test
  void endlesslyNewTags_keepTheWarningsBounded() throws Exception {
    StringBuilder gedcom = new StringBuilder("0 HEAD\n0 @I1@ INDI\n");
    for (int i = 0; i < 5_000; i++) {
      gedcom.append("1 X").append(i).append("\n");
    }
    Recorder read = read(gedcom.append("0 TRLR\n").toString(), new GedcomLimits(1024, 10_000, 10));
    assertThat(read.warnings).hasSizeLessThanOrEqualTo(Warnings.MAX_SUBJECTS + 1);
    assertThat(read.warningTexts()).anyMatch(w -> w.contains(Warnings.OTHERS + " (4000 times)"));
  }
}
