package io.kinhub.server.tree.gedcom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kinhub.server.tree.gedcom.PartialDate.Qualifier;
import java.time.YearMonth;
import java.util.Locale;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PartialDateTest {

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      1900                  | 1900
      1900-05               | 1900-05
      1900-05-17            | 1900-05-17
      '  about 1900  '      | about 1900
      ABT 1900              | about 1900
      Before 1900-05        | before 1900-05
      aft 1900-05-17        | after 1900-05-17
      EST 1900              | estimated 1900
      calculated 1900       | calculated 1900
      17 MAY 1900           | 1900-05-17
      17 may 1900           | 1900-05-17
      BEF MAY 1900          | before 1900-05
      abt 3 sep 1571        | about 1571-09-03
      990                   | 0990
      0042-01-01            | 0042-01-01
      2000-02-29            | 2000-02-29
      (Summer 1537)         | (Summer 1537)
      '( spaced words )'    | (spaced words)
      """)
  void parse_acceptsApiAndGedcomForms_andPrintsTheCanonicalForm(String text, String canonical) {
    assertThat(PartialDate.parse(text)).hasToString(canonical);
  }

  @Test
  void parts_areExposed_andEmptyWhereUnknown() {
    PartialDate date = PartialDate.parse("about 1900-05");
    assertThat(date.qualifier()).isEqualTo(Qualifier.ABOUT);
    assertThat(date.year()).hasValue(1900);
    assertThat(date.month()).hasValue(5);
    assertThat(date.day()).isEmpty();
    assertThat(date.phrase()).isEmpty();

    PartialDate phrase = PartialDate.phrase("Early in May 1533");
    assertThat(phrase.year()).isEmpty();
    assertThat(phrase.phrase()).hasValue("Early in May 1533");
    assertThat(phrase.qualifier()).isEqualTo(Qualifier.EXACT);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      1900-02-30        | '1900-02-30' is not a date: the day must be 1 to 28 in February 1900
      1900-02-29        | '1900-02-29' is not a date: the day must be 1 to 28 in February 1900
      1900-13           | '1900-13' is not a date: the month must be 1 to 12
      1900-00           | '1900-00' is not a date: the month must be 1 to 12
      1900-01-00        | '1900-01-00' is not a date: the day must be 1 to 31 in January 1900
      0000              | '0000' is not a date: the year must be 1 to 9999
      31 APR 1900       | '31 APR 1900' is not a date: the day must be 1 to 30 in April 1900
      1900-05-17T00:00  | '1900-05-17T00:00' is not a date; write 1900, 1900-05 or 1900-05-17, optionally after about, before, after, estimated or calculated, or words in parentheses
      BET 1900 AND 1910 | 'BET 1900 AND 1910' is not a date; write 1900, 1900-05 or 1900-05-17, optionally after about, before, after, estimated or calculated, or words in parentheses
      about             | 'about' is not a date; write 1900, 1900-05 or 1900-05-17, optionally after about, before, after, estimated or calculated, or words in parentheses
      ''                | '' is not a date; write 1900, 1900-05 or 1900-05-17, optionally after about, before, after, estimated or calculated, or words in parentheses
      10000             | '10000' is not a date; write 1900, 1900-05 or 1900-05-17, optionally after about, before, after, estimated or calculated, or words in parentheses
      ()                | a date phrase must not be empty
      """)
  void parse_rejectsNonDates_withAMessageForTheClient(String text, String message) {
    assertThatThrownBy(() -> PartialDate.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  @Test
  void phrase_isLimitedTo200Characters_withoutControlCharacters() {
    assertThat(PartialDate.parse("(" + "x".repeat(200) + ")").phrase()).hasValue("x".repeat(200));
    assertThat(PartialDate.phrase("王".repeat(100) + "😀".repeat(100)).phrase())
        .isPresent(); // counted in code points
    assertThatThrownBy(() -> PartialDate.parse("(" + "x".repeat(201) + ")"))
        .hasMessageContaining("at most 200 characters");
    assertThatThrownBy(() -> PartialDate.phrase("line\nbreak"))
        .hasMessageContaining("control characters");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      1900                 | 1900
      MAY 1900             | 1900-05
      17 MAY 1900          | 1900-05-17
      02 Jan 1624          | 1624-01-02
      ABT    1969          | about 1969
      '       1831'        | 1831
      Abt 1430             | about 1430
      BEF  8 JUL 1337      | before 1337-07-08
      AFT 25 OCT 913       | after 0913-10-25
      EST 1815             | estimated 1815
      CAL 1900             | calculated 1900
      """)
  void fromGedcom_readsDates_asWrittenByRealPrograms(String gedcom, String canonical) {
    assertThat(PartialDate.fromGedcom(gedcom)).hasToString(canonical);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      INT 1900 (as told by his son)        | INT 1900 (as told by his son)
      BET 1457 AND 1509                    | BET 1457 AND 1509
      FROM 1483 TO 1514                    | FROM 1483 TO 1514
      TO 1559                              | TO 1559
      1693/94                              | 1693/94
      13 JAN 1712/13                       | 13 JAN 1712/13
      @#DJULIAN@ 1 JAN 1700                | @#DJULIAN@ 1 JAN 1700
      @#DFRENCH R@ 2 PLUV 1                | @#DFRENCH R@ 2 PLUV 1
      44 B.C.                              | 44 B.C.
      30 FEB 1900                          | 30 FEB 1900
      28 Jan 1456-1457                     | 28 Jan 1456-1457
      22 AUG 1877 SG                       | 22 AUG 1877 SG
      <unknown>                            | <unknown>
      (Soon after 10 October 1551)         | Soon after 10 October 1551
      1900-05-17                           | 1900-05-17
      """)
  void fromGedcom_keepsWhatItCannotRepresent_asAPhrase(String gedcom, String phrase) {
    assertThat(PartialDate.fromGedcom(gedcom)).isEqualTo(PartialDate.phrase(phrase));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "   ", "()", "( )"})
  void fromGedcom_ofNothing_isNull(String gedcom) {
    assertThat(PartialDate.fromGedcom(gedcom)).isNull();
    assertThat(PartialDate.fromGedcom(null)).isNull();
  }

  @Test
  void fromGedcom_neverFails_evenOnOverLongOrControlCharacterText() {
    assertThat(PartialDate.fromGedcom("x".repeat(500)).phrase()).hasValue("x".repeat(200));
    assertThat(PartialDate.fromGedcom("before\nafter").phrase()).hasValue("before after");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      1900                | 1900
      1900-05             | MAY 1900
      1900-05-07          | 7 MAY 1900
      about 1900          | ABT 1900
      before 1900-05      | BEF MAY 1900
      after 1900-05-17    | AFT 17 MAY 1900
      estimated 0990      | EST 990
      calculated 1900     | CAL 1900
      (Summer 1537)       | (Summer 1537)
      """)
  void toGedcom_writesGedcom551(String api, String gedcom) {
    assertThat(PartialDate.parse(api).toGedcom()).isEqualTo(gedcom);
    assertThat(PartialDate.fromGedcom(gedcom)).isEqualTo(PartialDate.parse(api));
  }

  @Test
  void equality_isByValue() {
    assertThat(PartialDate.parse("ABT 17 MAY 1900"))
        .isEqualTo(PartialDate.parse("about 1900-05-17"))
        .hasSameHashCodeAs(PartialDate.parse("about 1900-05-17"));
    assertThat(PartialDate.parse("1900"))
        .isNotEqualTo(PartialDate.phrase("1900"))
        .isNotEqualTo(PartialDate.parse("about 1900"));
  }

  @Property
  void everyDate_roundTripsThroughBothForms(@ForAll("dates") PartialDate date) {
    assertThat(PartialDate.parse(date.toString())).isEqualTo(date);
    assertThat(PartialDate.fromGedcom(date.toGedcom())).isEqualTo(date);
  }

  @Provide
  Arbitrary<PartialDate> dates() {
    Arbitrary<PartialDate> structured =
        Combinators.combine(
                Arbitraries.of(Qualifier.class),
                Arbitraries.integers().between(1, 9999),
                Arbitraries.integers().between(0, 12),
                Arbitraries.integers().between(0, 31))
            .as(
                (qualifier, year, month, day) -> {
                  int validDay =
                      month == 0 ? 0 : Math.min(day, YearMonth.of(year, month).lengthOfMonth());
                  String text =
                      "%04d".formatted(year)
                          + (month == 0 ? "" : "-%02d".formatted(month))
                          + (validDay == 0 ? "" : "-%02d".formatted(validDay));
                  return PartialDate.parse(
                      qualifier == Qualifier.EXACT
                          ? text
                          : qualifier.name().toLowerCase(Locale.ROOT) + " " + text);
                });
    Arbitrary<PartialDate> phrases =
        Arbitraries.strings()
            .ofMinLength(1)
            .ofMaxLength(200)
            .filter(s -> !s.isBlank() && s.codePoints().noneMatch(Character::isISOControl))
            .map(PartialDate::phrase);
    return Arbitraries.oneOf(structured, phrases);
  }
}
