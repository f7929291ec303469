package io.kinhub.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kinhub.server.http.Json;
import io.kinhub.server.system.ExternalTools;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs one Playwright script of src/test/browser in headless Chromium: {@code node script chromium
 * args...}, the script printing one JSON line last. Fails with the script's output unless it exited
 * 0 with {@code "ok": true}; returns that JSON.
 */
final class BrowserScript {
  private BrowserScript() {}

  static JsonNode run(String script, long timeoutSeconds, String... args) throws Exception {
    Path chromium = ExternalTools.chromium();
    Path tools = ExternalTools.playwright();
    // ES modules resolve packages next to the script: run a copy placed beside
    // node_modules/playwright-core
    Path copy = tools.resolve("kinhub-" + script);
    Files.copy(
        Path.of("src", "test", "browser", script), copy, StandardCopyOption.REPLACE_EXISTING);
    List<String> command = new ArrayList<>(List.of("node", copy.toString(), chromium.toString()));
    command.addAll(List.of(args));
    Process browser =
        new ProcessBuilder(command).directory(tools.toFile()).redirectErrorStream(true).start();
    String output = new String(browser.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(browser.waitFor(timeoutSeconds, TimeUnit.SECONDS)).as(output).isTrue();
    JsonNode result = Json.MAPPER.readTree(output.strip().lines().reduce((a, b) -> b).orElse("{}"));
    assertThat(browser.exitValue()).as(output).isZero();
    assertThat(result.path("ok").asBoolean(false)).as(output).isTrue();
    return result;
  }

  /** The folder for screenshots (target/screenshots), made if absent. */
  static Path shots() throws java.io.IOException {
    Path shots = Path.of("target", "screenshots").toAbsolutePath();
    Files.createDirectories(shots);
    return shots;
  }
}
