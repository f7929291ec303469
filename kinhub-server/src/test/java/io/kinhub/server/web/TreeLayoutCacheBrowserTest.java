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
 * The tree page's layout cache (web/tree-layout-cache.js in web/tree-worker.js) in headless
 * Chromium on a real node, over HTTP: a tree laid out once comes from the cache the next time,
 * identical to a fresh layout; an edit that changes the tree is laid out anew; a visitor of the
 * public family, in the same browser, gets the layout of the redacted tree and never the member's;
 * the store holds no names (src/test/browser/tree-layout-cache.mjs).
 */
class TreeLayoutCacheBrowserTest {
  private static final String SECRET_NAME = "Zebediah Livingperson";

  @Test
  void aCachedLayoutIsServedOnlyForTheSameTreeAndAudience() throws Exception {
    Path chromium = ExternalTools.chromium();
    Path tools = ExternalTools.playwright();
    try (Kinhub node = TestBackends.get().startNode(TestBackends.newPrefix())) {
      Api api = Api.of(node);
      Api.User owner = api.newUser("Owner");
      Api.User visitor = api.newUser("Visitor");
      String family = Families.create(api, owner, "Public clan", true);
      String dead =
          Families.person(
              api,
              owner,
              family,
              Map.of(
                  "name",
                  "Old Ancestor",
                  "gender",
                  "male",
                  "birthDate",
                  "1820",
                  "deathDate",
                  "1890"));
      String wife =
          Families.person(
              api,
              owner,
              family,
              Map.of(
                  "name",
                  "Old Ancestress",
                  "gender",
                  "female",
                  "birthDate",
                  "1825",
                  "deathDate",
                  "1895"));
      String elder =
          Families.person(
              api,
              owner,
              family,
              Map.of(
                  "name",
                  "Elder Son",
                  "gender",
                  "male",
                  "birthDate",
                  "1850",
                  "deathDate",
                  "1920",
                  "fatherId",
                  dead,
                  "motherId",
                  wife));
      String living =
          Families.person(
              api,
              owner,
              family,
              Map.of(
                  "name",
                  SECRET_NAME,
                  "gender",
                  "male",
                  "birthDate",
                  "1990-04-17",
                  "fatherId",
                  elder));
      Families.person(
          api,
          owner,
          family,
          Map.of(
              "name",
              "Living Sister",
              "gender",
              "female",
              "birthDate",
              "1988-01-02",
              "fatherId",
              elder));
      Families.person(
          api,
          owner,
          family,
          Map.of(
              "name",
              "Younger Son",
              "gender",
              "male",
              "birthDate",
              "1855",
              "deathDate",
              "1930",
              "fatherId",
              dead,
              "motherId",
              wife));
      Path script = tools.resolve("kinhub-tree-layout-cache.mjs");
      Files.copy(
          Path.of("src", "test", "browser", "tree-layout-cache.mjs"),
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
                      visitor.token(),
                      dead,
                      living,
                      SECRET_NAME))
              .directory(tools.toFile())
              .redirectErrorStream(true)
              .start();
      String output = new String(browser.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(browser.waitFor(120, TimeUnit.SECONDS)).isTrue();
      assertThat(browser.exitValue()).as(output).isZero();
      JsonNode result =
          Json.MAPPER.readTree(output.strip().lines().reduce((a, b) -> b).orElse("{}"));
      assertThat(result.path("ok").asBoolean(false)).as(output).isTrue();
    }
  }
}
