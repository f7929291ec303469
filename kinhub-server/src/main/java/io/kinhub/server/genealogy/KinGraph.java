package io.kinhub.server.genealogy;

import io.kinhub.server.tree.gedcom.PartialDate;
import java.util.Arrays;

/**
 * One version of a family's tree as compact arrays: persons by index (ordered by id), parent
 * indexes, children and spouses as adjacency lists, sex, birth dates, who is living and the
 * generation of each person. Built once per tree version and shared by every request (privacy
 * filter, relationship search, generations); immutable once built.
 */
public final class KinGraph {
  static final byte UNKNOWN = 0;
  static final byte MALE = 1;
  static final byte FEMALE = 2;

  final long familyId;
  final long version;
  final GenealogySettings settings;
  final long[] ids;
  final String[] names;
  final String[] surnames;
  final byte[] sex;

  /** yyyymmdd with zeros for unknown parts; 0 when the birth date (or its year) is unknown. */
  final int[] birth;

  final boolean[] deadKnown;
  final int[] father;
  final int[] mother;
  final int[] childStart;
  final int[] children;
  final int[] spouseStart;
  final int[] spouses;
  final boolean[] living;

  /** 世 from the founder along fathers, 0 when not of the founder's paternal line. */
  final int[] generation;

  KinGraph(
      long familyId,
      long version,
      GenealogySettings settings,
      long[] ids,
      String[] names,
      String[] surnames,
      byte[] sex,
      int[] birth,
      boolean[] deadKnown,
      int[] father,
      int[] mother,
      int[][] spousePairs,
      int year) {
    this.familyId = familyId;
    this.version = version;
    this.settings = settings;
    this.ids = ids;
    this.names = names;
    this.surnames = surnames;
    this.sex = sex;
    this.birth = birth;
    this.deadKnown = deadKnown;
    this.father = father;
    this.mother = mother;
    int n = ids.length;
    int[] childCount = new int[n + 1];
    for (int i = 0; i < n; i++) {
      if (father[i] >= 0) {
        childCount[father[i]]++;
      }
      if (mother[i] >= 0) {
        childCount[mother[i]]++;
      }
    }
    this.childStart = prefix(childCount, n);
    this.children = new int[childStart[n]];
    int[] fill = Arrays.copyOf(childStart, n);
    for (int i = 0; i < n; i++) {
      if (father[i] >= 0) {
        children[fill[father[i]]++] = i;
      }
      if (mother[i] >= 0) {
        children[fill[mother[i]]++] = i;
      }
    }
    int[] spouseCount = new int[n + 1];
    for (int[] pair : spousePairs) {
      spouseCount[pair[0]]++;
      spouseCount[pair[1]]++;
    }
    this.spouseStart = prefix(spouseCount, n);
    this.spouses = new int[spouseStart[n]];
    fill = Arrays.copyOf(spouseStart, n);
    for (int[] pair : spousePairs) {
      spouses[fill[pair[0]]++] = pair[1];
      spouses[fill[pair[1]]++] = pair[0];
    }
    this.living = Living.compute(this, year);
    this.generation = Generations.compute(this);
  }

  private static int[] prefix(int[] counts, int n) {
    int[] start = new int[n + 1];
    for (int i = 0; i < n; i++) {
      start[i + 1] = start[i] + counts[i];
    }
    return start;
  }

  /** yyyymmdd of a stored (API form) date, 0 when it has no year. */
  static int dateKey(String stored) {
    if (stored == null) {
      return 0;
    }
    int fast = plainDateKey(stored);
    if (fast >= 0) {
      return fast;
    }
    try {
      PartialDate d = PartialDate.parse(stored);
      if (d.year().isEmpty()) {
        return 0;
      }
      return d.year().getAsInt() * 10_000 + d.month().orElse(0) * 100 + d.day().orElse(0);
    } catch (IllegalArgumentException e) {
      return 0;
    }
  }

  /**
   * The common stored forms read without {@link PartialDate}: an optional qualifier word ("about
   * 1900"), then "yyyy", "yyyy-mm" or "yyyy-mm-dd"; -1 for anything else (phrases), which then goes
   * through the full parser.
   */
  static int plainDateKey(String s) {
    int i = s.indexOf(' ') + 1; // after a qualifier word, if any
    int n = s.length() - i;
    if (n != 4 && n != 7 && n != 10) {
      return -1;
    }
    int year = digits(s, i, 4);
    int month = n >= 7 && s.charAt(i + 4) == '-' ? digits(s, i + 5, 2) : n == 4 ? 0 : -1;
    int day = n == 10 && s.charAt(i + 7) == '-' ? digits(s, i + 8, 2) : n < 10 ? 0 : -1;
    if (year <= 0 || month < 0 || day < 0 || month > 12 || day > 31) {
      return -1;
    }
    return year * 10_000 + month * 100 + day;
  }

  private static int digits(String s, int from, int count) {
    int v = 0;
    for (int k = from; k < from + count; k++) {
      char c = s.charAt(k);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }

  public int size() {
    return ids.length;
  }

  public long version() {
    return version;
  }

  public GenealogySettings settings() {
    return settings;
  }

  /** The index of a person id, -1 when not in this tree. */
  public int index(long personId) {
    int i = Arrays.binarySearch(ids, personId);
    return i < 0 ? -1 : i;
  }

  public long id(int index) {
    return ids[index];
  }

  /** Whether the person is taken to be living; unknown ids are not. */
  public boolean isLiving(long personId) {
    int i = index(personId);
    return i >= 0 && living[i];
  }

  int birthYear(int i) {
    return birth[i] / 10_000;
  }

  /** Rough heap bytes, for the cache's weigher (and benchmarks). */
  public long weight() {
    long n = ids.length;
    long strings = 0;
    for (int i = 0; i < n; i++) {
      strings +=
          48
              + 2L * (names[i] == null ? 0 : names[i].length())
              + (surnames[i] == null ? 0 : 48 + 2L * surnames[i].length());
    }
    return 256
        + n * (8 + 1 + 4 + 1 + 4 + 4 + 4 + 4 + 1 + 4 + 16)
        + 4L * (children.length + spouses.length)
        + strings;
  }
}
