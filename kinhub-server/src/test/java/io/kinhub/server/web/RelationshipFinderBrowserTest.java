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
 * Issue 16 in a real browser: the tree page loads the relationship finder (tree-relationship.js),
 * which asks the API and shows what one person calls the other — 堂哥 in Chinese, "cousin" in English
 * — or that two are not related, without script errors; and the family page's settings module
 * (family-genealogy.js) saves a founder and a poem and lists the one name that lacks its
 * generation's character.
 */
class RelationshipFinderBrowserTest {

  @Test
  void treePageFindsACousinInBothLanguages_andSaysWhenTwoAreNotRelated() throws Exception {
    Path chromium = ExternalTools.chromium();
    Path tools = ExternalTools.playwright();
    try (Kinhub node = TestBackends.get().startNode(TestBackends.newPrefix())) {
      Api api = Api.of(node);
      Api.User user = api.newUser("Finder");
      String family = Families.create(api, user, "王家", false);
      String grandpa = Families.person(api, user, family, Map.of("name", "王老", "gender", "male"));
      String father =
          Families.person(
              api,
              user,
              family,
              Map.of("name", "王父", "gender", "male", "birthDate", "1960", "fatherId", grandpa));
      String uncle =
          Families.person(
              api,
              user,
              family,
              Map.of("name", "王伯", "gender", "male", "birthDate", "1955", "fatherId", grandpa));
      String me =
          Families.person(
              api,
              user,
              family,
              Map.of("name", "王小明", "gender", "male", "birthDate", "1990", "fatherId", father));
      String cousin =
          Families.person(
              api,
              user,
              family,
              Map.of("name", "王大明", "gender", "male", "birthDate", "1985", "fatherId", uncle));
      String stranger = Families.person(api, user, family, Map.of("name", "张三", "gender", "male"));
      Path script = tools.resolve("kinhub-relationship.mjs");
      Files.copy(
          Path.of("src", "test", "browser", "relationship.mjs"),
          script,
          StandardCopyOption.REPLACE_EXISTING);
      for (String language : List.of("zh-CN", "en")) {
        Process browser =
            new ProcessBuilder(
                    List.of(
                        "node",
                        script.toString(),
                        chromium.toString(),
                        node.baseUrl(),
                        user.token(),
                        family,
                        me,
                        cousin,
                        stranger,
                        language))
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
}
