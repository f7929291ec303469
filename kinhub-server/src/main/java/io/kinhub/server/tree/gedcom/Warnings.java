package io.kinhub.server.tree.gedcom;

import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;

/**
 * Collects warnings by subject so that a file with 3,000 OCCU tags yields one warning, not 3,000:
 * each subject is reported once at the end, at its first line, with a count when it occurred more
 * than once.
 */
final class Warnings {
  /**
   * Distinct subjects kept; a file inventing new tags on every line cannot grow the map beyond
   * this.
   */
  static final int MAX_SUBJECTS = 1_000;

  static final String OTHERS = "further warnings of other kinds";

  private final Map<String, int[]> firstLineAndCount = new HashMap<>();

  void add(int line, String subject) {
    int[] entry = firstLineAndCount.get(subject);
    if (entry == null) {
      String key = firstLineAndCount.size() < MAX_SUBJECTS ? subject : OTHERS;
      entry = firstLineAndCount.computeIfAbsent(key, s -> new int[] {line, 0});
    }
    entry[1]++;
  }

  /** Hands every collected warning to the handler, ordered by first line. */
  void flush(GedcomHandler handler) {
    firstLineAndCount.entrySet().stream()
        .sorted(Comparator.comparingInt(e -> e.getValue()[0]))
        .forEach(
            e -> {
              int count = e.getValue()[1];
              handler.warning(
                  new GedcomWarning(
                      e.getValue()[0],
                      count == 1 ? e.getKey() : e.getKey() + " (" + count + " times)"));
            });
    firstLineAndCount.clear();
  }
}
