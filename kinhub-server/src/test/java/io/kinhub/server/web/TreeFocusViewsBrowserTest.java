package io.kinhub.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kinhub.server.app.Kinhub;
import io.kinhub.server.http.Json;
import io.kinhub.server.system.Api;
import io.kinhub.server.system.ExternalTools;
import io.kinhub.server.system.SharedFixtures;
import io.kinhub.server.system.TestBackends;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * A real browser on the tree page of royal92.ged (read in place; skipped when the fixtures folder
 * is absent): the whole family starts collapsed with badges counting exactly the hidden persons,
 * each focus view (descendants with and without a depth, ancestors, hourglass) lays out exactly the
 * persons computed independently from GET /tree, no line longer than the viewport is drawn in a
 * focus view, a collapse inside a focus view hides what its badge says, and the URL carries the
 * view (shared link and back button). See src/test/browser/tree-views.mjs.
 */
class TreeFocusViewsBrowserTest {

  @Test
  void focusViewsShowExactlyTheirPersons_andTheUrlRoundTrips() throws Exception {
    Path royal = SharedFixtures.gedcomDir().resolve("royal92.ged");
    Assumptions.assumeTrue(Files.exists(royal), "royal92.ged fixture absent");
    Path chromium = ExternalTools.chromium();
    Path tools = ExternalTools.playwright();
    try (Kinhub node = TestBackends.get().startNode(TestBackends.newPrefix())) {
      Api.User user = Api.of(node).newUser("Tree Views");
      Path shots = Path.of("target", "screenshots").toAbsolutePath();
      Files.createDirectories(shots);
      Path script = tools.resolve("kinhub-tree-views.mjs");
      Files.copy(
          Path.of("src", "test", "browser", "tree-views.mjs"),
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
                      royal.toString(),
                      shots.toString()))
              .directory(tools.toFile())
              .redirectErrorStream(true)
              .start();
      String output = new String(browser.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(browser.waitFor(180, TimeUnit.SECONDS)).isTrue();
      JsonNode result =
          Json.MAPPER.readTree(output.strip().lines().reduce((a, b) -> b).orElse("{}"));
      assertThat(browser.exitValue()).as(output).isZero();
      assertThat(result.path("ok").asBoolean(false)).as(output).isTrue();
    }
  }
}
