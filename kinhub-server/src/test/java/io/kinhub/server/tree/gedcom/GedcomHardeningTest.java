package io.kinhub.server.tree.gedcom;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The reader's own bounds (issue 12): work linear in the input, memory bounded per line and per record. */
class GedcomHardeningTest {
  private static final String HEAD = "0 HEAD\n1 SOUR TEST\n1 CHAR ANSEL\n";

  @Test
  void anselWithManyCombiningMarks_decodesInLinearTime() throws Exception {
    int marks = 320_000;
    byte[] line = new byte[marks + 1];
    for (int i = 0; i < marks; i++) { // diaeresis and cedilla by turns (different combining classes), waiting for a base
      line[i] = (byte) (i % 2 == 0 ? 0xE8 : 0xF0);
    }
    line[marks] = 'a';
    // quadratic canonical reordering took 31.7 s on the audit's machine; linear work is well under a second
    String decoded = CompletableFuture.supplyAsync(() -> AnselDecoder.decode(line, line.length)).get(20, TimeUnit.SECONDS);
    String decomposed = java.text.Normalizer.normalize(decoded, java.text.Normalizer.Form.NFD);
    assertThat(decomposed).startsWith("a");
    assertThat(decomposed.chars().filter(c -> c == '\u0308' || c == '\u0327').count()).isEqualTo(marks); // no mark lost
  }
}
