package io.kinhub.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kinhub.server.app.Kinhub;
import io.kinhub.server.http.Json;
import io.kinhub.server.system.Api;
import io.kinhub.server.system.ExternalTools;
import io.kinhub.server.system.SharedFixtures;
import io.kinhub.server.system.TestBackends;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A real browser (headless Debian Chromium driven by Playwright) on a real node: on {@code /} it
 * creates a family and imports royal92.ged through the page (a generated file when the fixtures
 * folder is absent), opens the tree page, and checks that the canvas is drawn, the minimap shows
 * the viewport rectangle, a search centres and selects that person, and a click opens the details
 * panel. Screenshots go to target/screenshots/.
 */
class TreePageBrowserTest {

  @Test
  void importThroughTheHomePageThenSearchAndClickOnTheCanvas() throws Exception {
    Path chromium = ExternalTools.chromium();
    Path tools = ExternalTools.playwright();
    Path royal = SharedFixtures.gedcomDir().resolve("royal92.ged");
    Path gedcom = Files.exists(royal) ? royal : generated();
    String searchName = Files.exists(royal) ? "Victoria Hanover" : "Person17 Generated";
    try (Kinhub node = TestBackends.get().startNode(TestBackends.newPrefix())) {
      Api.User user = Api.of(node).newUser("Tree Viewer");
      Path shots = Path.of("target", "screenshots").toAbsolutePath();
      Files.createDirectories(shots);
      Path script = tools.resolve("kinhub-tree-page.mjs");
      Files.copy(
          Path.of("src", "test", "browser", "tree-page.mjs"),
          script,
          StandardCopyOption.REPLACE_EXISTING);
      Process browser =
          new ProcessBuilder(
                  List.of(
                      "node",
                      script.toString(),
                      chromium.toString(),
                      node.baseUrl(),
                      user.token(),
                      gedcom.toString(),
                      searchName,
                      shots.toString()))
              .directory(tools.toFile())
              .redirectErrorStream(true)
              .start();
      String output = new String(browser.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(browser.waitFor(180, TimeUnit.SECONDS)).isTrue();
      assertThat(browser.exitValue()).as(output).isZero();
      JsonNode result =
          Json.MAPPER.readTree(output.strip().lines().reduce((a, b) -> b).orElse("{}"));
      assertThat(result.path("ok").asBoolean(true)).as(output).isTrue();
      assertThat(shots.resolve("tree.png")).exists();
    }
  }

  /** A 600-person, 6-generation GEDCOM for machines without the fixtures folder. */
  private static Path generated() throws IOException {
    StringBuilder g = new StringBuilder("0 HEAD\n1 CHAR UTF-8\n");
    int persons = 600;
    for (int i = 1; i <= persons; i++) {
      g.append("0 @I")
          .append(i)
          .append("@ INDI\n1 NAME Person")
          .append(i)
          .append(" /Generated/\n1 SEX ")
          .append(i % 2 == 0 ? "F" : "M")
          .append('\n');
    }
    int fam = 0;
    for (int parent = 1; 2 * parent + 1 <= persons; parent += 2) {
      g.append("0 @F")
          .append(++fam)
          .append("@ FAM\n1 HUSB @I")
          .append(parent)
          .append("@\n1 WIFE @I")
          .append(parent + 1)
          .append("@\n");
      for (int c = 2 * parent + 1; c <= Math.min(persons, 2 * parent + 2); c++) {
        g.append("1 CHIL @I").append(c).append("@\n");
      }
    }
    g.append("0 TRLR\n");
    Path file = Files.createTempFile("kinhub-generated", ".ged");
    Files.writeString(file, g);
    return file;
  }
}
