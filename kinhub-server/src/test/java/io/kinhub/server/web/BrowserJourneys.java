package io.kinhub.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kinhub.server.app.Kinhub;
import io.kinhub.server.config.Config;
import io.kinhub.server.http.Json;
import io.kinhub.server.system.ExternalTools;
import io.kinhub.server.system.TestBackends;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs one journey of src/test/browser/web-journeys.mjs in headless Chromium against a real node
 * (screenshots under target/screenshots/web-*.png). The node serves the development SMS outbox and
 * keeps the default per-phone SMS limit, so the login page has a resend countdown to show.
 */
final class BrowserJourneys {
  private BrowserJourneys() {}

  static Kinhub startNode() {
    Map<String, String> env = TestBackends.get().env(TestBackends.newPrefix());
    env.put("KINHUB_DEV_ENDPOINTS", "true");
    env.put("KINHUB_RATE_LIMIT_SMS_CODES", "phone:1/60s+10/1d,ip:1000/1h");
    return Kinhub.start(Config.from(env));
  }

  /**
   * Runs the journey; fails with the script's output unless every check of it passed. Returns its
   * JSON result.
   */
  static JsonNode run(Kinhub node, String journey) throws Exception {
    Path chromium = ExternalTools.chromium();
    Path tools = ExternalTools.playwright();
    Path shots = Path.of("target", "screenshots").toAbsolutePath();
    Files.createDirectories(shots);
    // ES modules resolve packages next to the script: run a copy placed beside
    // node_modules/playwright-core
    Path script = tools.resolve("kinhub-web-journeys.mjs");
    Files.copy(
        Path.of("src", "test", "browser", "web-journeys.mjs"),
        script,
        StandardCopyOption.REPLACE_EXISTING);
    Path bundles = Path.of("src", "main", "resources", "web", "i18n").toAbsolutePath();
    Process process =
        new ProcessBuilder(
                List.of(
                    "node",
                    script.toString(),
                    chromium.toString(),
                    node.baseUrl(),
                    shots.toString(),
                    journey,
                    bundles.toString()))
            .directory(tools.toFile())
            .redirectErrorStream(true)
            .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).as(output).isTrue();
    String last = output.strip().lines().reduce((x, y) -> y).orElse("{}");
    assertThat(process.exitValue()).as(output).isZero();
    JsonNode result = Json.MAPPER.readTree(last);
    assertThat(result.path("ok").asBoolean()).as(output).isTrue();
    return result;
  }
}
