package io.kinhub.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kinhub.server.app.Kinhub;
import io.kinhub.server.http.Json;
import io.kinhub.server.system.Api;
import io.kinhub.server.system.ExternalTools;
import io.kinhub.server.system.TestBackends;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real browser on the tree page: cross-links too long to follow are replaced by an "also in…"
 * marker at their far end (exactly those, computed independently in the script from the layout's
 * units, GET /tree and the boxes' positions), markers overlap no box, a click on one selects and
 * centres its person, the panel offers the same by keyboard, long links are drawn only while
 * hovered or selected; a view switch moves persons from their old to their new places (sampled
 * mid-animation with a test clock: the focus person stays put, the others are halfway, entering and
 * leaving ones half faded; a new switch starts from where things are) and draws no intermediate
 * frame under reduced motion. Runs on a small generated tree (two families whose eldest son and
 * youngest daughter marry) and, when the fixtures folder has it, on royal92.ged read in place. See
 * src/test/browser/tree-marks.mjs.
 */
class TreeMarkersBrowserTest {

  @Test
  void farCrossLinksGetMarkers_andViewSwitchesMovePersons(@TempDir Path temp) throws Exception {
    run(writeTwoFamilies(temp.resolve("two-families.ged")));
  }

  /** Runs tree-marks.mjs on a real node with one GEDCOM file; asserts every check passed. */
  static void run(Path gedcom) throws Exception {
    Path chromium = ExternalTools.chromium();
    Path tools = ExternalTools.playwright();
    try (Kinhub node = TestBackends.get().startNode(TestBackends.newPrefix())) {
      Api.User user = Api.of(node).newUser("Tree Marks");
      Path shots = Path.of("target", "screenshots").toAbsolutePath();
      Files.createDirectories(shots);
      Path script = tools.resolve("kinhub-tree-marks.mjs");
      Files.copy(
          Path.of("src", "test", "browser", "tree-marks.mjs"),
          script,
          StandardCopyOption.REPLACE_EXISTING);
      List<String> command =
          List.of(
              "node",
              script.toString(),
              chromium.toString(),
              node.baseUrl(),
              user.token(),
              shots.toString(),
              gedcom.toString());
      Process browser =
          new ProcessBuilder(command).directory(tools.toFile()).redirectErrorStream(true).start();
      String output = new String(browser.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(browser.waitFor(120, TimeUnit.SECONDS)).isTrue();
      JsonNode result =
          Json.MAPPER.readTree(output.strip().lines().reduce((a, b) -> b).orElse("{}"));
      System.out.println(output.strip().lines().reduce((a, b) -> b).orElse(""));
      assertThat(browser.exitValue()).as(output).isZero();
      assertThat(result.path("ok").asBoolean(false)).as(output).isTrue();
    }
  }

  /**
   * Two root couples with eight children each; the first family's eldest son marries the second
   * family's youngest daughter (both stay with their parents: a long cross-link, with two
   * children), and the first family's youngest daughter marries the second family's eldest son
   * (neighbours: a short one, with a child).
   */
  private static Path writeTwoFamilies(Path file) throws IOException {
    StringBuilder g = new StringBuilder("0 HEAD\n1 GEDC\n2 VERS 5.5.1\n1 CHAR UTF-8\n");
    List<String> families = new ArrayList<>();
    for (int f = 1; f <= 2; f++) {
      person(g, "H" + f, "Father" + f, "M", 1870 + f, "@F" + f + "@", null);
      person(g, "W" + f, "Mother" + f, "F", 1872 + f, "@F" + f + "@", null);
      StringBuilder fam =
          new StringBuilder("0 @F" + f + "@ FAM\n1 HUSB @IH" + f + "@\n1 WIFE @IW" + f + "@\n");
      for (int c = 1; c <= 8; c++) {
        String id = "C" + f + "_" + c;
        String sex = f == 1 ? (c == 8 ? "F" : "M") : (c == 8 ? "F" : "M");
        String spouseOf =
            (f == 1 && c == 1) || (f == 2 && c == 8)
                ? "@FX@"
                : (f == 1 && c == 8) || (f == 2 && c == 1) ? "@FY@" : null;
        person(g, id, "Child" + f + "_" + c, sex, 1895 + c, spouseOf, "@F" + f + "@");
        fam.append("1 CHIL @I").append(id).append("@\n");
      }
      families.add(fam.toString());
    }
    person(g, "X1", "Far one", "M", 1925, null, "@FX@");
    person(g, "X2", "Far two", "F", 1927, null, "@FX@");
    person(g, "Y1", "Near one", "F", 1926, null, "@FY@");
    families.forEach(g::append);
    g.append("0 @FX@ FAM\n1 HUSB @IC1_1@\n1 WIFE @IC2_8@\n1 CHIL @IX1@\n1 CHIL @IX2@\n");
    g.append("0 @FY@ FAM\n1 HUSB @IC2_1@\n1 WIFE @IC1_8@\n1 CHIL @IY1@\n");
    g.append("0 TRLR\n");
    return Files.writeString(file, g.toString());
  }

  private static void person(
      StringBuilder g, String id, String name, String sex, int born, String fams, String famc) {
    g.append("0 @I").append(id).append("@ INDI\n1 NAME ").append(name).append(" /Test/\n");
    g.append("1 SEX ").append(sex).append("\n1 BIRT\n2 DATE ").append(born).append('\n');
    if (fams != null) {
      g.append("1 FAMS ").append(fams).append('\n');
    }
    if (famc != null) {
      g.append("1 FAMC ").append(famc).append('\n');
    }
  }
}
