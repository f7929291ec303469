package io.kinhub.server.web;

import io.kinhub.server.app.Kinhub;
import io.kinhub.server.system.Api;
import io.kinhub.server.system.SharedFixtures;
import io.kinhub.server.system.TestBackends;
import java.nio.file.Files;
import java.nio.file.Path;
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
    try (Kinhub node = TestBackends.get().startNode(TestBackends.newPrefix())) {
      Api.User user = Api.of(node).newUser("Tree Views");
      System.out.println(
          BrowserScript.run(
              "tree-views.mjs",
              180,
              node.baseUrl(),
              user.token(),
              royal.toString(),
              BrowserScript.shots().toString(),
              "royal92"));
    }
  }
}
