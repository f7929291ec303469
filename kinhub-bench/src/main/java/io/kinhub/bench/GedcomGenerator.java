package io.kinhub.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Writes a synthetic GEDCOM 5.5.1 file (UTF-8) of exactly N persons, the same bytes for the same N
 * and seed: founding couples, then generation after generation of 1 to 4 children per couple, most
 * of whom marry a spouse from outside the tree (a person without parents) and found the next
 * generation's couples. Every person has NAME, SEX and BIRT with DATE and PLAC (day-month-year,
 * month-year, ABT year or year); the older ones DEAT; every seventh an inline NOTE continued with
 * CONC and CONT; every 97th a pointer to one of a few NOTE records. Couples are FAM records with
 * HUSB, WIFE and CHIL; persons carry the matching FAMC and FAMS.
 */
final class GedcomGenerator {
  private static final String[] MALE = {
    "John",
    "William",
    "James",
    "Thomas",
    "Henry",
    "Karl",
    "Johann",
    "Pierre",
    "Jean",
    "Louis",
    "Giovanni",
    "Marco",
    "Jan",
    "Piotr",
    "Olav",
    "Sigurður",
    "José",
    "António",
    "Hans",
    "Friedrich",
    "Émile",
    "Björn",
    "Lars",
    "Nikolai",
    "Ivan",
    "Georg",
    "Edward",
    "Robert",
    "Charles",
    "Frederick"
  };
  private static final String[] FEMALE = {
    "Mary",
    "Elizabeth",
    "Anne",
    "Margaret",
    "Catherine",
    "Sophie",
    "Maria",
    "Marie",
    "Jeanne",
    "Louise",
    "Giulia",
    "Chiara",
    "Anna",
    "Zofia",
    "Ingrid",
    "Guðrún",
    "Inês",
    "Beatriz",
    "Greta",
    "Wilhelmine",
    "Zoë",
    "Astrid",
    "Karin",
    "Olga",
    "Natalia",
    "Charlotte",
    "Eleanor",
    "Jane",
    "Alice",
    "Frederica"
  };
  private static final String[] SURNAMES = {
    "Smith",
    "Taylor",
    "Brown",
    "Wilson",
    "Evans",
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Martin",
    "Bernard",
    "Dubois",
    "Lefèvre",
    "Rossi",
    "Russo",
    "Ferrari",
    "Nowak",
    "Kowalski",
    "Wiśniewski",
    "Hansen",
    "Johansen",
    "Jónsson",
    "Sigurðardóttir",
    "Silva",
    "Santos",
    "Gonçalves",
    "García",
    "Fernández",
    "Novák",
    "Dvořák",
    "Horváth",
    "Nagy",
    "Ivanov",
    "Petrov",
    "Andersson",
    "Nilsson",
    "Virtanen",
    "Korhonen",
    "De Vries",
    "Jansen",
    "Van den Berg",
    "O'Brien",
    "Murphy",
    "MacDonald",
    "Campbell",
    "Stewart",
    "Byrne",
    "Walsh",
    "Kelly"
  };
  private static final String[] PLACES = {
    "London, Middlesex, England",
    "York, Yorkshire, England",
    "Edinburgh, Midlothian, Scotland",
    "Dublin, Leinster, Ireland",
    "Zürich, Zürich, Switzerland",
    "München, Bayern, Germany",
    "Köln, Rheinland, Germany",
    "Paris, Île-de-France, France",
    "Lyon, Rhône, France",
    "Milano, Lombardia, Italy",
    "Napoli, Campania, Italy",
    "Kraków, Małopolska, Poland",
    "Gdańsk, Pomorze, Poland",
    "Praha, Čechy, Bohemia",
    "Brno, Morava, Moravia",
    "Wien, Niederösterreich, Austria",
    "Budapest, Pest, Hungary",
    "København, Sjælland, Denmark",
    "Stockholm, Uppland, Sweden",
    "Reykjavík, Gullbringusýsla, Iceland",
    "Lisboa, Estremadura, Portugal",
    "Sevilla, Andalucía, Spain",
    "Amsterdam, Noord-Holland, Netherlands",
    "Boston, Massachusetts, USA",
    "Québec, Québec, Canada",
    "São Paulo, São Paulo, Brazil"
  };
  private static final String[] MONTHS = {
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"
  };
  private static final String NOTE_TEXT =
      "Recorded in the parish register by the curate, who noted that the family "
          + "had come from a neighbouring village some years before; the entry was later copied into the bishop's "
          + "transcript with small differences in the spelling of the surname.";
  private static final int NOTE_RECORDS = 20;

  /** What was written. */
  record Generated(Path file, int persons, int families, int generations, long bytes) {}

  private final Random random;
  private final List<Person> persons = new ArrayList<>();
  private final List<Couple> couples = new ArrayList<>();

  private static final class Person {
    boolean male;
    int given;
    int surname;
    int birthYear;
    int famc = -1;
    int fams = -1;
  }

  private static final class Couple {
    int husband;
    int wife;
    int year;
    final List<Integer> children = new ArrayList<>(4);
  }

  private GedcomGenerator(long seed) {
    this.random = new Random(seed);
  }

  /** Writes {@code count} persons (at least 2) to {@code file}. */
  static Generated write(Path file, int count, long seed) throws IOException {
    if (count < 2) {
      throw new IllegalArgumentException("a generated tree needs at least 2 persons, not " + count);
    }
    GedcomGenerator g = new GedcomGenerator(seed);
    int generations = g.populate(count);
    g.writeFile(file);
    return new Generated(file, g.persons.size(), g.couples.size(), generations, Files.size(file));
  }

  /** Builds the tree in memory: founders, then generations until {@code count} persons exist. */
  private int populate(int count) {
    List<Integer> generation = new ArrayList<>();
    int founders = Math.max(1, count / 100);
    for (int i = 0; i < founders && persons.size() + 2 <= count; i++) {
      int husband = person(true, random.nextInt(SURNAMES.length), 1650 + random.nextInt(30), -1);
      int wife =
          person(
              false,
              random.nextInt(SURNAMES.length),
              persons.get(husband).birthYear - 5 + random.nextInt(10),
              -1);
      generation.add(couple(husband, wife));
    }
    int generations = 1;
    while (persons.size() < count && !generation.isEmpty()) {
      List<Integer> next = new ArrayList<>();
      for (int c : generation) {
        Couple parents = couples.get(c);
        int children = 1 + random.nextInt(4);
        for (int k = 0; k < children && persons.size() < count; k++) {
          boolean male = random.nextBoolean();
          int child =
              person(
                  male,
                  persons.get(parents.husband).surname,
                  parents.year + 1 + random.nextInt(18),
                  c);
          parents.children.add(child);
          if (random.nextInt(10) < 8 && persons.size() < count) {
            int born = persons.get(child).birthYear - 5 + random.nextInt(10);
            int spouse = person(!male, random.nextInt(SURNAMES.length), born, -1);
            next.add(male ? couple(child, spouse) : couple(spouse, child));
          }
        }
        if (persons.size() >= count) {
          break;
        }
      }
      generation = next;
      generations++;
    }
    return generations;
  }

  private int person(boolean male, int surname, int birthYear, int famc) {
    Person p = new Person();
    p.male = male;
    p.given = random.nextInt(male ? MALE.length : FEMALE.length);
    p.surname = surname;
    p.birthYear = birthYear;
    p.famc = famc;
    persons.add(p);
    return persons.size() - 1;
  }

  private int couple(int husband, int wife) {
    Couple c = new Couple();
    c.husband = husband;
    c.wife = wife;
    c.year =
        Math.max(persons.get(husband).birthYear, persons.get(wife).birthYear)
            + 20
            + random.nextInt(10);
    couples.add(c);
    persons.get(husband).fams = couples.size() - 1;
    persons.get(wife).fams = couples.size() - 1;
    return couples.size() - 1;
  }

  private void writeFile(Path file) throws IOException {
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      w.write(
          "0 HEAD\n1 SOUR KINHUB_BENCH\n2 NAME Kinhub TreeBench generator\n1 GEDC\n2 VERS 5.5.1\n"
              + "2 FORM LINEAGE-LINKED\n1 CHAR UTF-8\n1 SUBM @U1@\n0 @U1@ SUBM\n1 NAME Kinhub bench\n");
      for (int i = 0; i < persons.size(); i++) {
        writePerson(w, i);
      }
      for (int i = 0; i < couples.size(); i++) {
        Couple c = couples.get(i);
        w.write(
            "0 @F"
                + (i + 1)
                + "@ FAM\n1 HUSB @I"
                + (c.husband + 1)
                + "@\n1 WIFE @I"
                + (c.wife + 1)
                + "@\n");
        for (int child : c.children) {
          w.write("1 CHIL @I" + (child + 1) + "@\n");
        }
      }
      for (int n = 1; n <= NOTE_RECORDS; n++) {
        w.write(
            "0 @N"
                + n
                + "@ NOTE Shared source note "
                + n
                + ": the baptisms of this parish from 1650 to 1850\n"
                + "1 CONT were transcribed by a local history society; see volume "
                + n
                + ".\n");
      }
      w.write("0 TRLR\n");
    }
  }

  private void writePerson(BufferedWriter w, int i) throws IOException {
    Person p = persons.get(i);
    String given = p.male ? MALE[p.given] : FEMALE[p.given];
    w.write(
        "0 @I"
            + (i + 1)
            + "@ INDI\n1 NAME "
            + given
            + " /"
            + SURNAMES[p.surname]
            + "/\n1 SEX "
            + (p.male ? "M" : "F")
            + "\n");
    w.write(
        "1 BIRT\n2 DATE "
            + date(p.birthYear)
            + "\n2 PLAC "
            + PLACES[random.nextInt(PLACES.length)]
            + "\n");
    if (p.birthYear < 1900) {
      w.write(
          "1 DEAT\n2 DATE "
              + date(p.birthYear + 30 + random.nextInt(60))
              + "\n2 PLAC "
              + PLACES[random.nextInt(PLACES.length)]
              + "\n");
    }
    if (p.famc >= 0) {
      w.write("1 FAMC @F" + (p.famc + 1) + "@\n");
    }
    if (p.fams >= 0) {
      w.write("1 FAMS @F" + (p.fams + 1) + "@\n");
    }
    if (i % 7 == 0) {
      // a long line cut mid-word (CONC joins without a space) and a second paragraph (CONT starts a
      // new line)
      int cut = 60 + random.nextInt(40);
      w.write(
          "1 NOTE "
              + NOTE_TEXT.substring(0, cut)
              + "\n2 CONC "
              + NOTE_TEXT.substring(cut)
              + "\n2 CONT Entry "
              + (i + 1)
              + " of the generated register.\n");
    }
    if (i % 97 == 0) {
      w.write("1 NOTE @N" + (1 + random.nextInt(NOTE_RECORDS)) + "@\n");
    }
  }

  private String date(int year) {
    int form = random.nextInt(10);
    String month = MONTHS[random.nextInt(12)];
    if (form < 7) {
      return (1 + random.nextInt(28)) + " " + month + " " + year;
    }
    return switch (form) {
      case 7 -> month + " " + year;
      case 8 -> "ABT " + year;
      default -> Integer.toString(year);
    };
  }
}
