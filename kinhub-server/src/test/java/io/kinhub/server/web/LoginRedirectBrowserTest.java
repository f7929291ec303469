package io.kinhub.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kinhub.server.app.Kinhub;
import io.kinhub.server.http.Json;
import io.kinhub.server.system.Api;
import io.kinhub.server.system.ExternalTools;
import io.kinhub.server.system.TestBackends;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Audit finding 9 (open redirect after login): {@code next=/\evil.example/} and {@code
 * next=/<TAB>/evil.example/} sent the browser to evil.example. A real Chromium logs in on /login
 * with such values and must stay on Kinhub's origin, while an ordinary same-origin {@code next} is
 * still followed.
 */
class LoginRedirectBrowserTest {

  @Test
  void loginWithHostileNext_staysOnTheSameOrigin_andAPlainNextIsFollowed() throws Exception {
    Path chromium = ExternalTools.chromium();
    Path tools = ExternalTools.playwright();
    try (Kinhub node = TestBackends.get().startNode(TestBackends.newPrefix())) {
      Api api = Api.of(node);
      String login = api.register(Api.newLogin(), "redirect test password 7");
      Path script = tools.resolve("kinhub-login-redirect.mjs");
      Files.copy(
          Path.of("src", "test", "browser", "login-redirect.mjs"),
          script,
          StandardCopyOption.REPLACE_EXISTING);
      List<String> hostile =
          List.of(
              "/\\evil.example/",
              "/\t/evil.example/",
              "//evil.example/",
              "https://evil.example/",
              "/\\\\evil.example",
              "javascript:alert(1)",
              "/.//evil.example/");
      List<String> command =
          new ArrayList<>(
              List.of(
                  "node",
                  script.toString(),
                  chromium.toString(),
                  node.baseUrl(),
                  login,
                  "redirect test password 7"));
      command.addAll(hostile);
      command.add("/families/42/tree?view=all");
      Process process =
          new ProcessBuilder(command).directory(tools.toFile()).redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
      assertThat(process.exitValue()).as(output).isZero();
      JsonNode results =
          Json.MAPPER
              .readTree(output.strip().lines().reduce((x, y) -> y).orElse("{}"))
              .get("results");
      String origin = URI.create(node.baseUrl()).resolve("/").toString();
      for (JsonNode r : results) {
        assertThat(r.get("landedOn").asText())
            .as("next=" + r.get("next").asText())
            .startsWith(origin)
            .doesNotContain("evil.example");
      }
      assertThat(results.get(results.size() - 1).get("landedOn").asText())
          .isEqualTo(origin + "families/42/tree?view=all");
    }
  }
}
