package io.kinhub.server.genealogy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What {@code from} calls {@code to}, given the steps of the path between them (docs/genealogy.md,
 * "Kinship terms"). Chinese terms come from the table {@code kinship-zh.tsv}: rows of (step
 * pattern, sex of {@code from}, age of {@code to} relative to {@code from}) → term, the first
 * matching row wins. English terms are derived: the steps reduce to ups and downs along blood lines
 * with at most a marriage at either end, and a few rules name those. A chain neither knows gets 亲属
 * / "relative" with the chain spelled out.
 */
public final class KinshipTerms {
  /** {@code to} compared with {@code from} by birth date. */
  public enum Age {
    OLDER,
    YOUNGER,
    UNKNOWN
  }

  /** The two terms. */
  public record Term(String zh, String en) {}

  private static final Map<String, String> CODES =
      Map.ofEntries(
          Map.entry("father", "f"),
          Map.entry("mother", "m"),
          Map.entry("parent", "p"),
          Map.entry("son", "s"),
          Map.entry("daughter", "d"),
          Map.entry("child", "c"),
          Map.entry("husband", "h"),
          Map.entry("wife", "w"),
          Map.entry("spouse", "x"),
          Map.entry("elder_brother", "B+"),
          Map.entry("younger_brother", "B-"),
          Map.entry("brother", "B"),
          Map.entry("elder_sister", "S+"),
          Map.entry("younger_sister", "S-"),
          Map.entry("sister", "S"),
          Map.entry("sibling", "G"));
  private static final Map<String, String> ZH_WORDS =
      Map.ofEntries(
          Map.entry("f", "爸爸"),
          Map.entry("m", "妈妈"),
          Map.entry("p", "父母"),
          Map.entry("s", "儿子"),
          Map.entry("d", "女儿"),
          Map.entry("c", "孩子"),
          Map.entry("h", "丈夫"),
          Map.entry("w", "妻子"),
          Map.entry("x", "配偶"),
          Map.entry("B+", "哥哥"),
          Map.entry("B-", "弟弟"),
          Map.entry("B", "兄弟"),
          Map.entry("S+", "姐姐"),
          Map.entry("S-", "妹妹"),
          Map.entry("S", "姐妹"),
          Map.entry("G", "兄弟姐妹"));

  // never compared or hashed: the array is only read
  @SuppressWarnings("ArrayRecordComponent")
  private record Row(String[] pattern, char fromSex, String age, String zh) {}

  private static final List<Row> ZH = load();

  private KinshipTerms() {}

  private static List<Row> load() {
    List<Row> rows = new ArrayList<>();
    try (InputStream in = KinshipTerms.class.getResourceAsStream("kinship-zh.tsv");
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] cols = line.split("\t", 0);
        if (cols.length != 4) {
          throw new IllegalStateException(
              "kinship-zh.tsv: 4 tab-separated columns expected: " + line);
        }
        rows.add(
            new Row(
                cols[0].strip().split(" +"),
                cols[1].strip().charAt(0),
                cols[2].strip(),
                cols[3].strip()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return List.copyOf(rows);
  }

  /** The step names' codes ("father" → "f", "elder_brother" → "B+"). */
  static List<String> codes(List<String> steps) {
    List<String> out = new ArrayList<>(steps.size());
    for (String step : steps) {
      String code = CODES.get(step);
      if (code == null) {
        throw new IllegalArgumentException("unknown step " + step);
      }
      out.add(code);
    }
    return out;
  }

  /**
   * The Chinese and English kinship terms for a path.
   *
   * @param steps the path's steps from {@code from} to {@code to}
   * @param fromSex "male", "female" or "unknown"
   * @param age {@code to}'s age relative to {@code from}
   */
  public static Term term(List<String> steps, String fromSex, Age age) {
    List<String> codes = codes(steps);
    return new Term(zh(codes, fromSex, age), en(codes, steps));
  }

  // ---- Chinese: the table

  private static boolean tokenMatches(String pattern, String code) {
    return switch (pattern) {
      case "B*" -> code.startsWith("B");
      case "S*" -> code.startsWith("S");
      case "G*" -> code.startsWith("B") || code.startsWith("S") || code.equals("G");
      case "P*" -> code.equals("f") || code.equals("m") || code.equals("p");
      case "K*" -> code.equals("s") || code.equals("d") || code.equals("c");
      case "X*" -> code.equals("h") || code.equals("w") || code.equals("x");
      case "B+*" -> code.equals("B+") || code.equals("B"); // an elder or unordered brother
      case "S+*" -> code.equals("S+") || code.equals("S");
      default -> pattern.equals(code);
    };
  }

  static String zh(List<String> codes, String fromSex, Age age) {
    if (codes.isEmpty()) {
      return "自己";
    }
    char sex = "male".equals(fromSex) ? 'M' : "female".equals(fromSex) ? 'F' : '?';
    String ageWord =
        switch (age) {
          case OLDER -> "older";
          case YOUNGER -> "younger";
          case UNKNOWN -> "unknown";
        };
    rows:
    for (Row row : ZH) {
      if (row.pattern().length != codes.size()
          || (row.fromSex() != '*' && row.fromSex() != sex)
          || !(row.age().equals("*") || row.age().equals(ageWord))) {
        continue;
      }
      for (int i = 0; i < codes.size(); i++) {
        if (!tokenMatches(row.pattern()[i], codes.get(i))) {
          continue rows;
        }
      }
      return row.zh();
    }
    StringBuilder chain = new StringBuilder();
    for (String code : codes) {
      chain.append(chain.isEmpty() ? "" : "的").append(ZH_WORDS.get(code));
    }
    return "亲属（" + chain + "）";
  }

  // ---- English: ups and downs

  /** A run of blood steps: u generations up, then d down; sex of the last person (m, f or ?). */
  private record Blood(int up, int down, char sex) {}

  private static char sexOf(String code) {
    return switch (code) {
      case "f", "s", "h", "B+", "B-", "B" -> 'm';
      case "m", "d", "w", "S+", "S-", "S" -> 'f';
      default -> '?';
    };
  }

  /**
   * Splits the codes at marriages: blood runs and "X" markers; null when a run goes down and then
   * up again.
   */
  private static List<Object> segments(List<String> codes) {
    List<Object> out = new ArrayList<>();
    int up = 0;
    int down = 0;
    boolean open = false;
    char sex = '?';
    for (String code : codes) {
      char kind =
          switch (code) {
            case "f", "m", "p" -> 'U';
            case "s", "d", "c" -> 'D';
            case "h", "w", "x" -> 'X';
            default -> 'G';
          };
      if (kind == 'X') {
        if (open) {
          out.add(new Blood(up, down, sex));
        }
        out.add("X" + sexOf(code));
        up = 0;
        down = 0;
        open = false;
        continue;
      }
      if (kind == 'U' || kind == 'G') {
        if (down > 0) {
          return null;
        }
        up++;
      }
      if (kind == 'D' || kind == 'G') {
        down++;
      }
      open = true;
      sex = sexOf(code);
    }
    if (open) {
      out.add(new Blood(up, down, sex));
    }
    return out;
  }

  private static String pick(char sex, String male, String female, String unknown) {
    return sex == 'm' ? male : sex == 'f' ? female : unknown;
  }

  private static String greats(int n) {
    if (n <= 0) {
      return "";
    }
    if (n <= 2) {
      return "great-".repeat(n);
    }
    return numbered(n) + " great-";
  }

  /** 3rd, 4th, 11th, 21st. */
  static String numbered(int n) {
    int mod100 = n % 100;
    String suffix =
        mod100 >= 11 && mod100 <= 13
            ? "th"
            : switch (n % 10) {
              case 1 -> "st";
              case 2 -> "nd";
              case 3 -> "rd";
              default -> "th";
            };
    return n + suffix;
  }

  static String ordinal(int n) {
    return switch (n) {
      case 1 -> "first";
      case 2 -> "second";
      case 3 -> "third";
      case 4 -> "fourth";
      case 5 -> "fifth";
      case 6 -> "sixth";
      case 7 -> "seventh";
      case 8 -> "eighth";
      case 9 -> "ninth";
      default -> numbered(n);
    };
  }

  private static String times(int n) {
    return switch (n) {
      case 1 -> "once";
      case 2 -> "twice";
      default -> n + " times";
    };
  }

  /** The blood relative u up and d down, named; null for self. */
  private static String blood(Blood b) {
    int u = b.up();
    int d = b.down();
    char s = b.sex();
    if (u == 0 && d == 0) {
      return null;
    }
    if (d == 0) {
      String base = pick(s, "father", "mother", "parent");
      return u == 1 ? base : greats(u - 2) + "grand" + base;
    }
    if (u == 0) {
      String base = pick(s, "son", "daughter", "child");
      return d == 1 ? base : greats(d - 2) + "grand" + base;
    }
    if (u == 1 && d == 1) {
      return pick(s, "brother", "sister", "sibling");
    }
    if (u == 1) {
      String base = pick(s, "nephew", "niece", "nephew or niece");
      return d == 2 ? base : greats(d - 3) + "grand" + base;
    }
    if (d == 1) {
      String base = pick(s, "uncle", "aunt", "uncle or aunt");
      return u == 2 ? base : greats(u - 2) + base;
    }
    int degree = Math.min(u, d) - 1;
    int removal = Math.abs(u - d);
    // a plain first cousin is "cousin" (the contract's example); once removal is named, so is the
    // degree
    if (removal == 0) {
      return (degree == 1 ? "" : ordinal(degree) + " ") + "cousin";
    }
    return ordinal(degree) + " cousin " + times(removal) + " removed";
  }

  private static String inLaw(String name) {
    return name.replace(" or ", "-in-law or ") + "-in-law";
  }

  static String en(List<String> codes, List<String> steps) {
    if (codes.isEmpty()) {
      return "self";
    }
    List<Object> seg = segments(codes);
    String term = seg == null ? null : en(seg);
    if (term != null) {
      return term;
    }
    return "relative ("
        + String.join("'s ", steps.stream().map(st -> st.replace('_', ' ')).toList())
        + ")";
  }

  private static String en(List<Object> seg) {
    if (seg.size() == 1 && seg.get(0) instanceof Blood b) {
      return blood(b);
    }
    if (seg.size() == 1 && seg.get(0) instanceof String x) {
      return pick(x.charAt(1), "husband", "wife", "spouse");
    }
    if (seg.size() == 2 && seg.get(0) instanceof Blood b && seg.get(1) instanceof String x) {
      char s = x.charAt(1); // the spouse of a blood relative
      int u = b.up();
      int d = b.down();
      if (u == 1 && d == 0) {
        return pick(s, "stepfather", "stepmother", "step-parent");
      }
      if (d == 0) {
        return "step-" + blood(new Blood(u, 0, s));
      }
      if (u == 0 || (u == 1 && d == 1) || (u == 1)) {
        return inLaw(blood(new Blood(u, d, s)));
      }
      if (d == 1) {
        return blood(new Blood(u, d, s)); // an uncle or aunt by marriage is called uncle or aunt
      }
      return "cousin-in-law";
    }
    if (seg.size() == 2 && seg.get(0) instanceof String && seg.get(1) instanceof Blood b) {
      int u = b.up();
      int d = b.down();
      if (u == 0) {
        return "step" + (d == 1 ? "" : "-") + blood(b);
      }
      if (u >= 2 && d >= 2) {
        return "cousin-in-law";
      }
      return inLaw(blood(b));
    }
    if (seg.size() == 3
        && seg.get(0) instanceof String
        && seg.get(1) instanceof Blood b
        && seg.get(2) instanceof String x
        && b.up() == 1
        && b.down() == 1) {
      return pick(x.charAt(1), "brother-in-law", "sister-in-law", "sibling-in-law");
    }
    if (seg.size() == 3
        && seg.get(0) instanceof Blood a
        && seg.get(1) instanceof String
        && seg.get(2) instanceof Blood b
        && a.up() == 0
        && a.down() == 1
        && b.up() == 1
        && b.down() == 0) {
      return "co-" + pick(b.sex(), "father", "mother", "parent") + "-in-law";
    }
    return null;
  }
}
