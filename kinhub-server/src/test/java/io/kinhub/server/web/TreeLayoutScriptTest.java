package io.kinhub.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.kinhub.server.app.Kinhub;
import io.kinhub.server.family.Families;
import io.kinhub.server.system.Api;
import io.kinhub.server.system.ExternalTools;
import io.kinhub.server.system.SharedFixtures;
import io.kinhub.server.system.TestBackends;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the tree layout's property tests (src/test/js/tree-layout.test.mjs, Node's built-in test
 * runner) on generated trees and on the trees of every GEDCOM fixture, imported through a real node
 * and read back with {@code GET /tree} (when the fixtures folder is absent, only the generated
 * trees are checked).
 */
class TreeLayoutScriptTest {

  @Test
  void layoutPropertiesHoldOnGeneratedAndRealTrees(@TempDir Path trees) throws Exception {
    Path node = ExternalTools.node();
    Path fixtures = SharedFixtures.gedcomDir();
    boolean haveFixtures = Files.isDirectory(fixtures);
    if (haveFixtures) {
      try (Kinhub kinhub = TestBackends.get().startNode(TestBackends.newPrefix());
          Stream<Path> files = Files.list(fixtures)) {
        Api api = Api.of(kinhub);
        Api.User user = api.newUser("Layout");
        for (Path file : files.filter(f -> f.toString().endsWith(".ged")).sorted().toList()) {
          String family = Families.create(api, user, file.getFileName().toString(), false);
          Api.Response imported =
              api.raw(
                  "POST",
                  "/api/v1/families/" + family + "/gedcom",
                  user.token(),
                  "application/octet-stream",
                  Files.readAllBytes(file));
          assertThat(imported.status()).as(imported.text()).isEqualTo(200);
          Files.write(
              trees.resolve(file.getFileName() + ".json"),
              api.get("/api/v1/families/" + family + "/tree", user.token()).raw().body());
        }
      }
    }
    ProcessBuilder builder =
        new ProcessBuilder(List.of(node.toString(), "--test", "src/test/js/tree-layout.test.mjs"))
            .redirectErrorStream(true);
    if (haveFixtures) {
      builder.environment().put("KINHUB_TREE_FIXTURES", trees.toString());
    }
    Process run = builder.start();
    String output = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(run.waitFor(5, TimeUnit.MINUTES)).isTrue();
    assertThat(run.exitValue()).as(output).isZero();
    assertThat(output).contains("# fail 0");
    if (haveFixtures) {
      assertThat(output).contains("royal92.ged.json: 3010 persons").doesNotContain("# skipped 1");
    }
    System.out.println(
        output
            .lines()
            .filter(l -> l.contains("persons, ") || l.startsWith("# "))
            .reduce("", (a, b) -> a + b + "\n"));
  }
}
