package io.kinhub.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kinhub.server.app.Kinhub;
import io.kinhub.server.family.Families;
import io.kinhub.server.http.Json;
import io.kinhub.server.system.Api;
import io.kinhub.server.system.ExternalTools;
import io.kinhub.server.system.TestBackends;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Editing on the tree canvas in a real browser (src/test/browser/tree-edit.mjs, headless Chromium):
 * an added child is drawn before the server has answered and is there after a reload; concurrent
 * edits in a second browser context are merged (both survive) or, on the same field, shown with
 * both values for the editor to choose; a parent link that would make someone their own ancestor
 * (409 cycle) is explained with the persons' names in English and Chinese; a member (read-only
 * role) sees no edit controls and is refused by the server; deleting a parent offers to keep the
 * children, and they stay.
 */
class TreeEditBrowserTest {

  @Test
  void editorsAddEditAndDeleteOnTheCanvas_concurrentEditsSurviveOrAreShown_viewersSeeNoControls()
      throws Exception {
    Path chromium = ExternalTools.chromium();
    Path tools = ExternalTools.playwright();
    try (Kinhub node = TestBackends.get().startNode(TestBackends.newPrefix())) {
      Api api = Api.of(node);
      Api.User owner = api.newUser("Owner");
      Api.User admin = api.newUser("Admin");
      Api.User member = api.newUser("Member");
      String family = Families.create(api, owner, "Edit family", false);
      Families.join(api, owner, family, admin);
      Families.setRole(api, owner, family, admin, "admin");
      Families.join(api, owner, family, member);
      String grandpa =
          Families.person(api, owner, family, Map.of("name", "Grandpa", "gender", "male"));
      String grandma =
          Families.person(
              api,
              owner,
              family,
              Map.of("name", "Grandma", "gender", "female", "spouseIds", List.of(grandpa)));
      String father =
          Families.person(
              api,
              owner,
              family,
              Map.of("name", "Father", "gender", "male", "fatherId", grandpa, "motherId", grandma));
      String mother =
          Families.person(
              api,
              owner,
              family,
              Map.of("name", "Mother", "gender", "female", "spouseIds", List.of(father)));
      Families.person(
          api,
          owner,
          family,
          Map.of("name", "Son", "gender", "male", "fatherId", father, "motherId", mother));
      Families.person(
          api,
          owner,
          family,
          Map.of("name", "Aunt", "gender", "female", "fatherId", grandpa, "motherId", grandma));

      Path shots = Path.of("target", "screenshots").toAbsolutePath();
      Files.createDirectories(shots);
      Path script = tools.resolve("kinhub-tree-edit.mjs");
      Files.copy(
          Path.of("src", "test", "browser", "tree-edit.mjs"),
          script,
          StandardCopyOption.REPLACE_EXISTING);
      Process browser =
          new ProcessBuilder(
                  List.of(
                      "node",
                      script.toString(),
                      chromium.toString(),
                      node.baseUrl(),
                      family,
                      owner.token(),
                      admin.token(),
                      member.token(),
                      shots.toString()))
              .directory(tools.toFile())
              .redirectErrorStream(true)
              .start();
      String output = new String(browser.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(browser.waitFor(120, TimeUnit.SECONDS)).as(output).isTrue();
      JsonNode result =
          Json.MAPPER.readTree(output.strip().lines().reduce((a, b) -> b).orElse("{}"));
      assertThat(browser.exitValue()).as(output).isZero();
      assertThat(result.path("ok").asBoolean(false)).as(output).isTrue();
    }
  }
}
