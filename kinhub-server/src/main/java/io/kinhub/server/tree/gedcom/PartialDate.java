package io.kinhub.server.tree.gedcom;

import java.time.YearMonth;
import java.time.format.TextStyle;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A date as genealogy knows it: often only a year or a month, often qualified ("about 1900"), and
 * sometimes only words ("(Summer 1537)"). Kept as given rather than widened to a range, so that
 * what a user or a GEDCOM file said is what Kinhub shows and exports again. Dates are proleptic
 * Gregorian, years 1 to 9999.
 */
public final class PartialDate {
  /** How the date relates to the real one; a phrase is always {@link #EXACT}. */
  public enum Qualifier {
    EXACT("", ""),
    ABOUT("about", "ABT"),
    BEFORE("before", "BEF"),
    AFTER("after", "AFT"),
    ESTIMATED("estimated", "EST"),
    CALCULATED("calculated", "CAL");

    private final String word;
    private final String gedcom;

    Qualifier(String word, String gedcom) {
      this.word = word;
      this.gedcom = gedcom;
    }
  }

  private static final int MAX_PHRASE = 200;
  private static final int ABSENT = -1;
  private static final String[] MONTHS = {
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"
  };
  private static final Map<String, Qualifier> QUALIFIERS =
      Map.of(
          "about",
          Qualifier.ABOUT,
          "abt",
          Qualifier.ABOUT,
          "before",
          Qualifier.BEFORE,
          "bef",
          Qualifier.BEFORE,
          "after",
          Qualifier.AFTER,
          "aft",
          Qualifier.AFTER,
          "estimated",
          Qualifier.ESTIMATED,
          "est",
          Qualifier.ESTIMATED,
          "calculated",
          Qualifier.CALCULATED,
          "cal",
          Qualifier.CALCULATED);
  private static final Pattern ISO = Pattern.compile("(\\d{1,4})(?:-(\\d{1,2})(?:-(\\d{1,2}))?)?");
  private static final Pattern YEAR = Pattern.compile("\\d{1,4}");
  private static final Pattern DAY = Pattern.compile("\\d{1,2}");
  private static final String FORMS =
      "write 1900, 1900-05 or 1900-05-17, optionally after about, before, after, "
          + "estimated or calculated, or words in parentheses";

  private final Qualifier qualifier;
  private final int year;
  private final int month;
  private final int day;
  private final String phrase;

  private PartialDate(Qualifier qualifier, int year, int month, int day, String phrase) {
    this.qualifier = qualifier;
    this.year = year;
    this.month = month;
    this.day = day;
    this.phrase = phrase;
  }

  /**
   * Parses the API form ({@code 1900-05-17}, {@code about 1900}, {@code (text)}) and the common
   * GEDCOM forms ({@code ABT 1900}, {@code 17 MAY 1900}); the message of the exception is fit to
   * show to a client.
   */
  public static PartialDate parse(String text) {
    String s = text.strip();
    if (isParenthesised(s)) {
      return phrase(s.substring(1, s.length() - 1));
    }
    PartialDate date = structured(text, s, true);
    if (date == null) {
      throw new IllegalArgumentException("'" + text + "' is not a date; " + FORMS);
    }
    return date;
  }

  /**
   * Reads a GEDCOM DATE value and never fails: ranges, periods, dual years, other calendars and
   * impossible dates become a phrase holding the text. Returns null for a blank value.
   */
  public static PartialDate fromGedcom(String gedcomDate) {
    if (gedcomDate == null || gedcomDate.isBlank()) {
      return null;
    }
    String s = gedcomDate.strip();
    try {
      PartialDate date = structured(s, s, false);
      if (date != null) {
        return date;
      }
    } catch (IllegalArgumentException impossible) {
      // such as 30 FEB 1900: keep the words rather than lose them
    }
    String words = isParenthesised(s) ? s.substring(1, s.length() - 1) : s;
    words =
        words
            .codePoints()
            .map(c -> Character.isISOControl(c) ? ' ' : c)
            .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
            .toString()
            .strip();
    if (words.codePointCount(0, words.length()) > MAX_PHRASE) {
      words = words.substring(0, words.offsetByCodePoints(0, MAX_PHRASE)).strip();
    }
    return words.isEmpty() ? null : new PartialDate(Qualifier.EXACT, 0, 0, 0, words);
  }

  /**
   * A date known only as words, such as "Summer 1537"; at most 200 characters, without control
   * characters.
   */
  public static PartialDate phrase(String text) {
    String s = text.strip();
    if (s.isEmpty()) {
      throw new IllegalArgumentException("a date phrase must not be empty");
    }
    if (s.codePointCount(0, s.length()) > MAX_PHRASE) {
      throw new IllegalArgumentException(
          "a date phrase must be at most " + MAX_PHRASE + " characters");
    }
    if (s.codePoints().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException("a date phrase must not contain control characters");
    }
    return new PartialDate(Qualifier.EXACT, 0, 0, 0, s);
  }

  private static boolean isParenthesised(String s) {
    return s.length() >= 2 && s.startsWith("(") && s.endsWith(")");
  }

  /**
   * A qualified year, month or day in the API form (when {@code iso}) or the GEDCOM form; null if
   * neither.
   */
  private static PartialDate structured(String original, String s, boolean iso) {
    String[] words = s.split("\\s+", 0);
    Qualifier qualifier = QUALIFIERS.get(words[0].toLowerCase(Locale.ROOT));
    int first = qualifier == null ? 0 : 1;
    int count = words.length - first;
    Matcher isoMatch = ISO.matcher(count == 1 ? words[first] : "");
    if (iso && isoMatch.matches()) {
      return of(
          qualifier,
          number(isoMatch.group(1)),
          number(isoMatch.group(2)),
          number(isoMatch.group(3)),
          original);
    }
    if (count < 1 || count > 3 || !YEAR.matcher(words[words.length - 1]).matches()) {
      return null;
    }
    int month = count == 1 ? ABSENT : month(words[words.length - 2]);
    if (month == 0 || (count == 3 && !DAY.matcher(words[first]).matches())) {
      return null;
    }
    return of(
        qualifier,
        number(words[words.length - 1]),
        month,
        count == 3 ? number(words[first]) : ABSENT,
        original);
  }

  private static int number(String digits) {
    return digits == null ? ABSENT : Integer.parseInt(digits);
  }

  /** The month number of a GEDCOM month name, 0 if it is none. */
  private static int month(String name) {
    for (int i = 0; i < MONTHS.length; i++) {
      if (MONTHS[i].equalsIgnoreCase(name)) {
        return i + 1;
      }
    }
    return 0;
  }

  /** Validates a parsed date; a month or day of -1 is absent. */
  private static PartialDate of(
      Qualifier qualifier, int year, int month, int day, String original) {
    String bad = "'" + original + "' is not a date: ";
    if (year < 1 || year > 9999) {
      throw new IllegalArgumentException(bad + "the year must be 1 to 9999");
    }
    if (month != ABSENT && (month < 1 || month > 12)) {
      throw new IllegalArgumentException(bad + "the month must be 1 to 12");
    }
    if (day != ABSENT) {
      YearMonth yearMonth = YearMonth.of(year, month);
      if (day < 1 || day > yearMonth.lengthOfMonth()) {
        throw new IllegalArgumentException(
            bad
                + "the day must be 1 to %d in %s %d"
                    .formatted(
                        yearMonth.lengthOfMonth(),
                        yearMonth.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH),
                        year));
      }
    }
    return new PartialDate(
        qualifier == null ? Qualifier.EXACT : qualifier,
        year,
        Math.max(month, 0),
        Math.max(day, 0),
        null);
  }

  public Qualifier qualifier() {
    return qualifier;
  }

  /** The year, empty for a phrase. */
  public OptionalInt year() {
    return year == 0 ? OptionalInt.empty() : OptionalInt.of(year);
  }

  /** The month 1 to 12, empty for a phrase or a bare year. */
  public OptionalInt month() {
    return month == 0 ? OptionalInt.empty() : OptionalInt.of(month);
  }

  /** The day of the month, empty unless the date is a full date. */
  public OptionalInt day() {
    return day == 0 ? OptionalInt.empty() : OptionalInt.of(day);
  }

  /** The words of a date known only as words. */
  public Optional<String> phrase() {
    return Optional.ofNullable(phrase);
  }

  /**
   * The API form: "1900", "1900-05", "about 1900-05-17", or "(text)" for a phrase; {@link #parse}
   * reads it back.
   */
  @Override
  public String toString() {
    if (phrase != null) {
      return "(" + phrase + ")";
    }
    String date =
        "%04d".formatted(year)
            + (month == 0 ? "" : "-%02d".formatted(month))
            + (day == 0 ? "" : "-%02d".formatted(day));
    return qualifier == Qualifier.EXACT ? date : qualifier.word + " " + date;
  }

  /**
   * The GEDCOM 5.5.1 form: "1900", "17 MAY 1900", "ABT MAY 1900", or "(text)"; {@link #fromGedcom}
   * reads it back.
   */
  public String toGedcom() {
    if (phrase != null) {
      return "(" + phrase + ")";
    }
    String date = (day == 0 ? "" : day + " ") + (month == 0 ? "" : MONTHS[month - 1] + " ") + year;
    return qualifier == Qualifier.EXACT ? date : qualifier.gedcom + " " + date;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PartialDate d
        && qualifier == d.qualifier
        && year == d.year
        && month == d.month
        && day == d.day
        && Objects.equals(phrase, d.phrase);
  }

  @Override
  public int hashCode() {
    return Objects.hash(qualifier, year, month, day, phrase);
  }
}
