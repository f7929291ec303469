package io.kinhub.server.genealogy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The kinship terms of {@code kinship-cases.tsv}: (steps, sex of from, age of to) → (zh, en),
 * written from the rules in docs/genealogy.md rather than from the engine's table.
 */
class KinshipTermsTest {

  static Stream<Arguments> cases() throws Exception {
    List<Arguments> out = new ArrayList<>();
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(
                KinshipTermsTest.class.getResourceAsStream("kinship-cases.tsv"),
                StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] c = line.split("\t");
        out.add(Arguments.of(c[0], c[1], c[2], c[3], c[4]));
      }
    }
    return out.stream();
  }

  @Test
  void theCaseTableHasAtLeast150Cases() throws Exception {
    assertThat(cases().count()).isGreaterThanOrEqualTo(150);
  }

  @ParameterizedTest(name = "{0} ({1}, to {2}) → {3} / {4}")
  @MethodSource("cases")
  void termOfAChain(String steps, String fromSex, String age, String zh, String en) {
    KinshipTerms.Term term =
        KinshipTerms.term(
            Arrays.asList(steps.split(" ")),
            fromSex,
            KinshipTerms.Age.valueOf(age.toUpperCase(Locale.ROOT)));
    assertThat(term.zh()).as("zh").isEqualTo(zh);
    assertThat(term.en()).as("en").isEqualTo(en);
  }
}
