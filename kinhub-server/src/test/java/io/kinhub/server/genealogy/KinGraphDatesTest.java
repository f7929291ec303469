package io.kinhub.server.genealogy;

import static org.assertj.core.api.Assertions.assertThat;

import io.kinhub.server.tree.gedcom.PartialDate;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The fast reading of stored dates agrees with the full parser wherever it answers. */
class KinGraphDatesTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "1900",
        "1900-05",
        "1900-05-17",
        "about 1900",
        "before 1900-05",
        "estimated 0999-12-31",
        "(Summer 1537)",
        "between 1900 and 1910",
        "after 2001-02-03"
      })
  void fastDateKeyAgreesWithTheParser(String stored) {
    int fast = KinGraph.plainDateKey(stored);
    int parsed;
    try {
      PartialDate d = PartialDate.parse(stored);
      parsed =
          d.year().isEmpty()
              ? 0
              : d.year().getAsInt() * 10_000 + d.month().orElse(0) * 100 + d.day().orElse(0);
    } catch (IllegalArgumentException e) {
      parsed = 0;
    }
    if (fast >= 0) {
      assertThat(fast).isEqualTo(parsed);
    }
    assertThat(KinGraph.dateKey(stored)).isEqualTo(parsed);
  }
}
