package io.kinhub.server.feed;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kinhub.server.app.Kinhub;
import io.kinhub.server.family.Families;
import io.kinhub.server.http.Json;
import io.kinhub.server.system.Api;
import io.kinhub.server.system.Api.User;
import io.kinhub.server.system.ExternalTools;
import io.kinhub.server.system.TestBackends;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A real Chromium with two contexts: one posts from the family feed, the other sees it appear on
 * "/" without reloading.
 */
class FeedBrowserTest {

  @Test
  void postInOneBrowser_appearsLiveInTheOther_withoutAReload() throws Exception {
    Path chromium = ExternalTools.chromium();
    Path tools = ExternalTools.playwright();
    String prefix = TestBackends.newPrefix();
    try (Kinhub node = TestBackends.get().startNode(prefix)) {
      Api api = Api.of(node);
      User poster = api.newUser("Poster");
      User reader = api.newUser("Reader");
      String family = Families.create(api, poster, "Browser family", false);
      Families.join(api, poster, family, reader);
      Path script = tools.resolve("kinhub-feed-live.mjs");
      Files.copy(
          Path.of("src", "test", "browser", "feed-live.mjs"),
          script,
          StandardCopyOption.REPLACE_EXISTING);
      String text = "Posted live " + System.nanoTime();
      Process process =
          new ProcessBuilder(
                  List.of(
                      "node",
                      script.toString(),
                      chromium.toString(),
                      node.baseUrl(),
                      poster.token(),
                      reader.token(),
                      family,
                      text))
              .directory(tools.toFile())
              .redirectErrorStream(true)
              .start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
      assertThat(process.exitValue()).as(output).isZero();
      JsonNode result =
          Json.MAPPER.readTree(output.strip().lines().reduce((x, y) -> y).orElse("{}"));
      assertThat(result.get("seen").asBoolean()).isTrue();
      assertThat(result.get("reloads").asInt()).isZero();
    }
  }
}
