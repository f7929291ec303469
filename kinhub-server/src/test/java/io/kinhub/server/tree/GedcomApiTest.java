package io.kinhub.server.tree;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kinhub.server.app.Kinhub;
import io.kinhub.server.config.Config;
import io.kinhub.server.family.Families;
import io.kinhub.server.system.Api;
import io.kinhub.server.system.Api.User;
import io.kinhub.server.system.SharedFixtures;
import io.kinhub.server.system.TestBackends;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * GEDCOM import and export through HTTP: every fixture of ../shared/fixtures/gedcom (read in place,
 * never copied) imports with the right counts and round-trips; a synthetic file made here exercises
 * ANSEL and CONC/CONT on every machine; malformed files are a 400 naming the line and leave nothing
 * behind.
 */
class GedcomApiTest {
  private static final Pattern INDI = Pattern.compile("(?m)^0 @[^@]+@ INDI\\b");
  private static final Pattern FAM = Pattern.compile("(?m)^0 @[^@]+@ FAM\\b");

  private static Kinhub node;
  private static Api api;
  private static User owner;

  @BeforeAll
  static void start() {
    node = TestBackends.get().startNode(TestBackends.newPrefix());
    api = Api.of(node);
    owner = api.newUser("Genealogist");
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static Api.Response importInto(String family, byte[] gedcom) {
    return api.raw(
        "POST",
        "/api/v1/families/" + family + "/gedcom",
        owner.token(),
        "application/octet-stream",
        gedcom);
  }

  private static int count(Pattern p, String text) {
    Matcher m = p.matcher(text);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  @TestFactory
  Stream<DynamicTest> everyFixtureImportsWithTheRightCountsAndRoundTrips() throws IOException {
    Path dir = SharedFixtures.gedcomDir();
    Assumptions.assumeTrue(
        Files.isDirectory(dir),
        "GEDCOM fixtures folder " + dir + " is absent: fixture tests skipped");
    List<Path> files;
    try (Stream<Path> list = Files.list(dir)) {
      files = list.filter(p -> p.toString().endsWith(".ged")).sorted().toList();
    }
    assertThat(files).isNotEmpty();
    return files.stream()
        .map(
            file ->
                DynamicTest.dynamicTest(
                    file.getFileName().toString(),
                    () -> {
                      byte[] bytes = Files.readAllBytes(file);
                      String latin =
                          new String(
                              bytes,
                              StandardCharsets.ISO_8859_1); // byte-for-byte, for counting records
                      String family =
                          Families.create(api, owner, file.getFileName().toString(), false);
                      Api.Response imported = importInto(family, bytes);
                      assertThat(imported.status()).as(imported.text()).isEqualTo(200);
                      assertThat(imported.json().get("imported").get("persons").asInt())
                          .isEqualTo(count(INDI, latin));
                      assertThat(imported.json().get("imported").get("families").asInt())
                          .isEqualTo(count(FAM, latin));
                      JsonNode tree =
                          api.get("/api/v1/families/" + family + "/tree", owner.token()).json();
                      assertThat(tree.get("persons")).hasSize(count(INDI, latin));

                      Api.Response exported =
                          api.get("/api/v1/families/" + family + "/gedcom", owner.token());
                      assertThat(exported.status()).isEqualTo(200);
                      assertThat(exported.contentType()).startsWith("application/x-gedcom");
                      String copy =
                          Families.create(api, owner, "copy of " + file.getFileName(), false);
                      Api.Response reimported = importInto(copy, exported.raw().body());
                      assertThat(reimported.status()).as(reimported.text()).isEqualTo(200);
                      assertThat(reimported.json().get("warningCount").asInt())
                          .as(reimported.text())
                          .isZero();
                      assertSameTree(
                          tree,
                          api.get("/api/v1/families/" + copy + "/tree", owner.token()).json());
                    }));
  }

  /** Same persons (in id order) with the same fields, and the same links between them. */
  static void assertSameTree(JsonNode a, JsonNode b) {
    JsonNode pa = a.get("persons");
    JsonNode pb = b.get("persons");
    assertThat(pb.size()).isEqualTo(pa.size());
    Map<String, Integer> indexA = new HashMap<>();
    Map<String, Integer> indexB = new HashMap<>();
    for (int i = 0; i < pa.size(); i++) {
      indexA.put(pa.get(i).get("id").asText(), i);
      indexB.put(pb.get(i).get("id").asText(), i);
    }
    for (int i = 0; i < pa.size(); i++) {
      JsonNode x = pa.get(i);
      JsonNode y = pb.get(i);
      for (String field :
          List.of(
              "name", "surname", "gender", "birthDate", "birthPlace", "deathDate", "deathPlace")) {
        assertThat(y.get(field)).as("person %d %s", i, field).isEqualTo(x.get(field));
      }
      for (String link : List.of("fatherId", "motherId")) {
        assertThat(index(indexB, y.get(link)))
            .as("person %d %s", i, link)
            .isEqualTo(index(indexA, x.get(link)));
      }
      List<Integer> sa = new ArrayList<>();
      List<Integer> sb = new ArrayList<>();
      x.get("spouseIds").forEach(s -> sa.add(indexA.get(s.asText())));
      y.get("spouseIds").forEach(s -> sb.add(indexB.get(s.asText())));
      assertThat(sb).as("person %d spouses", i).containsExactlyInAnyOrderElementsOf(sa);
    }
  }

  private static Integer index(Map<String, Integer> index, JsonNode id) {
    return id == null || id.isNull() ? null : index.get(id.asText());
  }

  private static byte[] bytes(Object... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Object part : parts) {
      if (part instanceof String s) {
        out.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
      } else {
        out.write((Integer) part);
      }
    }
    return out.toByteArray();
  }

  @Test
  void aSyntheticAnselFileWithContinuationsImports() {
    byte[] file =
        bytes(
            "0 HEAD\r\n1 SOUR TEST\r\n1 GEDC\r\n2 VERS 5.5.1\r\n2 FORM LINEAGE-LINKED\r\n1 CHAR ANSEL\r\n",
            "0 @I1@ INDI\r\n1 NAME Ren",
            0xE2,
            "e /M",
            0xE8,
            "uller/\r\n1 SEX M\r\n1 BIRT\r\n2 DATE ABT 1900\r\n2 PLAC Z",
            0xE8,
            "urich\r\n",
            "1 NOTE First line con\r\n2 CONC tinued\r\n2 CONT Second line\r\n1 _UID 1234\r\n",
            "0 @I2@ INDI\r\n1 NAME ",
            0xA5,
            "lfgifu /of York/\r\n1 SEX F\r\n1 DEAT\r\n2 DATE 17 MAY 1950\r\n",
            "0 @I3@ INDI\r\n1 NAME Child /M",
            0xE8,
            "uller/\r\n1 SEX U\r\n1 NOTE @N1@\r\n",
            "0 @F1@ FAM\r\n1 HUSB @I1@\r\n1 WIFE @I2@\r\n1 CHIL @I3@\r\n1 CHIL @I9@\r\n",
            "0 @N1@ NOTE A shared note\r\n",
            "0 TRLR\r\n");
    String family = Families.create(api, owner, "Synthetic", false);
    Api.Response r = importInto(family, file);
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    assertThat(r.json().get("imported").get("persons").asInt()).isEqualTo(3);
    assertThat(r.json().get("imported").get("families").asInt()).isEqualTo(1);
    assertThat(r.json().get("warnings").toString()).contains("_UID").contains("@I9@");

    JsonNode persons =
        api.get("/api/v1/families/" + family + "/tree", owner.token()).json().get("persons");
    JsonNode father = persons.get(0);
    JsonNode mother = persons.get(1);
    JsonNode child = persons.get(2);
    assertThat(father.get("name").asText()).isEqualTo("René Müller");
    assertThat(father.get("surname").asText()).isEqualTo("Müller");
    assertThat(father.get("birthDate").asText()).isEqualTo("about 1900");
    assertThat(father.get("birthPlace").asText()).isEqualTo("Zürich");
    assertThat(mother.get("name").asText()).isEqualTo("Ælfgifu of York");
    assertThat(mother.get("deathDate").asText()).isEqualTo("1950-05-17");
    assertThat(child.get("fatherId").asText()).isEqualTo(father.get("id").asText());
    assertThat(child.get("motherId").asText()).isEqualTo(mother.get("id").asText());
    assertThat(father.get("spouseIds").get(0).asText()).isEqualTo(mother.get("id").asText());
    JsonNode details =
        api.get(
                "/api/v1/families/" + family + "/persons/" + father.get("id").asText(),
                owner.token())
            .json();
    assertThat(details.get("notes").asText()).isEqualTo("First line continued\nSecond line");
    assertThat(
            api.get(
                    "/api/v1/families/" + family + "/persons/" + child.get("id").asText(),
                    owner.token())
                .json()
                .get("notes")
                .asText())
        .isEqualTo("A shared note");
  }

  @Test
  void chineseNamesRoundTripThroughGedcom() {
    String family = Families.create(api, owner, "欧阳", false);
    String father =
        Families.person(
            api,
            owner,
            family,
            Map.of(
                "name",
                "欧阳修",
                "surname",
                "欧阳",
                "gender",
                "male",
                "birthDate",
                "1007-08-01",
                "birthPlace",
                "綿州"));
    Families.person(
        api,
        owner,
        family,
        Map.of(
            "name",
            "欧阳发",
            "surname",
            "欧阳",
            "gender",
            "male",
            "fatherId",
            father,
            "notes",
            "长子\n" + "字".repeat(600)));
    JsonNode before = api.get("/api/v1/families/" + family + "/tree", owner.token()).json();
    byte[] exported = api.get("/api/v1/families/" + family + "/gedcom", owner.token()).raw().body();
    assertThat(new String(exported, StandardCharsets.UTF_8))
        .contains("1 CHAR UTF-8")
        .contains("/欧阳/");
    String copy = Families.create(api, owner, "copy", false);
    assertThat(importInto(copy, exported).status()).isEqualTo(200);
    JsonNode after = api.get("/api/v1/families/" + copy + "/tree", owner.token()).json();
    assertSameTree(before, after);
    String son = after.get("persons").get(1).get("id").asText();
    assertThat(
            api.get("/api/v1/families/" + copy + "/persons/" + son, owner.token())
                .json()
                .get("notes")
                .asText())
        .isEqualTo("长子\n" + "字".repeat(600));
  }

  @Test
  void aMalformedFileIsA400NamingTheLineAndImportsNothing() {
    String family = Families.create(api, owner, "Malformed", false);
    Families.person(api, owner, family, Map.of("name", "Already here"));
    long version =
        api.get("/api/v1/families/" + family + "/tree", owner.token())
            .json()
            .get("version")
            .asLong();
    StringBuilder file = new StringBuilder("0 HEAD\n1 CHAR UTF-8\n");
    for (int i = 1; i <= 3000; i++) {
      file.append("0 @I").append(i).append("@ INDI\n1 NAME Person /Number").append(i).append("/\n");
    }
    file.append("1 BIRT\n3 DATE 1900\n0 TRLR\n"); // a level jump from 1 to 3
    int badLine = 2 + 3000 * 2 + 2;
    Api.Response r = importInto(family, file.toString().getBytes(StandardCharsets.UTF_8));
    assertThat(r.status()).as(r.text()).isEqualTo(400);
    assertThat(r.json().get("code").asText()).isEqualTo("invalid_request");
    assertThat(r.json().get("detail").asText()).contains("line " + badLine);
    JsonNode tree = api.get("/api/v1/families/" + family + "/tree", owner.token()).json();
    assertThat(tree.get("persons")).hasSize(1);
    assertThat(tree.get("version").asLong()).isEqualTo(version);

    Api.Response notGedcom = importInto(family, "{\"hello\": 1}".getBytes(StandardCharsets.UTF_8));
    assertThat(notGedcom.status()).isEqualTo(400);
    assertThat(notGedcom.json().get("detail").asText()).contains("line 1");
    byte[] badUtf8 =
        bytes("0 HEAD\n1 CHAR UTF-8\n0 @I1@ INDI\n1 NAME Bad ", 0xC3, 0x28, "\n0 TRLR\n");
    assertThat(importInto(family, badUtf8).json().get("detail").asText()).contains("line 4");
    assertThat(
            api.raw(
                    "POST",
                    "/api/v1/families/" + family + "/gedcom",
                    owner.token(),
                    "application/json",
                    "{}".getBytes(StandardCharsets.UTF_8))
                .status())
        .isEqualTo(415);
  }

  @Test
  void aFileFarAboveTheJsonBodyLimitImports() {
    StringBuilder g = new StringBuilder("0 HEAD\n1 CHAR UTF-8\n");
    int persons = 20_000;
    for (int i = 1; i <= persons; i++) {
      g.append("0 @I")
          .append(i)
          .append("@ INDI\n1 NAME Person ")
          .append(i)
          .append(" /Large/\n1 BIRT\n2 DATE ")
          .append(1500 + i / 100)
          .append("\n2 PLAC Somewhere in the county of Large\n");
    }
    for (int child = 3; child <= persons; child++) {
      g.append("0 @F")
          .append(child)
          .append("@ FAM\n1 HUSB @I")
          .append(child / 2)
          .append("@\n1 CHIL @I")
          .append(child)
          .append("@\n");
    }
    byte[] file = g.append("0 TRLR\n").toString().getBytes(StandardCharsets.UTF_8);
    assertThat(file.length).isGreaterThan(2 * 1024 * 1024);
    String family = Families.create(api, owner, "Large", false);
    Api.Response r = importInto(family, file);
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    assertThat(r.json().get("imported").get("persons").asInt()).isEqualTo(persons);
    JsonNode tree = api.get("/api/v1/families/" + family + "/tree", owner.token()).json();
    assertThat(tree.get("persons")).hasSize(persons);
    assertThat(tree.get("persons").get(persons - 1).get("fatherId").asText())
        .isEqualTo(tree.get("persons").get(persons / 2 - 1).get("id").asText());
  }

  @Test
  void filesAboveTheLimitAre413() {
    String prefix = TestBackends.newPrefix();
    Map<String, String> env = new HashMap<>(TestBackends.get().env(prefix));
    env.put("KINHUB_GEDCOM_MAX_MIB", "1");
    try (Kinhub small = Kinhub.start(Config.from(env))) {
      Api smallApi = Api.of(small);
      User u = smallApi.newUser("Big file");
      String family = Families.create(smallApi, u, "Big", false);
      byte[] big =
          ("0 HEAD\n1 CHAR UTF-8\n" + "0 @I1@ INDI\n1 NAME x\n".repeat(100_000))
              .getBytes(StandardCharsets.UTF_8);
      Api.Response r =
          smallApi.raw(
              "POST", "/api/v1/families/" + family + "/gedcom", u.token(), "text/plain", big);
      assertThat(r.status()).isEqualTo(413);
      assertThat(r.json().get("code").asText()).isEqualTo("too_large");
      assertThat(
              smallApi.get("/api/v1/families/" + family + "/tree", u.token()).json().get("persons"))
          .isEmpty();
    }
  }
}
