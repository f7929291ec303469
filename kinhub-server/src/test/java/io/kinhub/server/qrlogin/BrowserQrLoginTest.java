package io.kinhub.server.qrlogin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kinhub.server.app.Kinhub;
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
 * A real browser (headless Debian Chromium driven by Playwright): /login opens on node A, a second
 * browser context logged in as another user opens the QR's /qr/{id} page on node B and presses
 * Confirm, and the first page ends up logged in. Screenshots are kept in target/screenshots/.
 */
class BrowserQrLoginTest {

  @Test
  void loginPageOnA_confirmedFromPhonePageOnB_endsUpLoggedIn() throws Exception {
    Path chromium = ExternalTools.chromium();
    Path tools = ExternalTools.playwright();
    String prefix = TestBackends.newPrefix();
    try (Kinhub a = TestBackends.get().startNode(prefix);
        Kinhub b = TestBackends.get().startNode(prefix)) {
      Api apiB = Api.of(b);
      String phoneLogin = Api.newLogin();
      apiB.post(
          "/api/v1/accounts",
          null,
          Map.of("login", phoneLogin, "password", "phone password 1", "displayName", "Aunt Clara"));
      String phoneToken = apiB.login(phoneLogin, "phone password 1");
      Path shots = Path.of("target", "screenshots").toAbsolutePath();
      Files.createDirectories(shots);
      // ES modules resolve packages next to the script: run a copy placed beside
      // node_modules/playwright-core
      Path script = tools.resolve("kinhub-qr-login.mjs");
      Files.copy(
          Path.of("src", "test", "browser", "qr-login.mjs"),
          script,
          StandardCopyOption.REPLACE_EXISTING);

      ProcessBuilder builder =
          new ProcessBuilder(
                  List.of(
                      "node",
                      script.toString(),
                      chromium.toString(),
                      a.baseUrl(),
                      b.baseUrl(),
                      phoneToken,
                      shots.toString()))
              .redirectErrorStream(true);
      builder.directory(tools.toFile());
      Process node = builder.start();
      String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(node.waitFor(120, TimeUnit.SECONDS)).isTrue();
      String last = output.strip().lines().reduce((x, y) -> y).orElse("");
      assertThat(node.exitValue()).as(output).isZero();
      JsonNode result = Json.MAPPER.readTree(last);

      assertThat(result.get("statusBefore").asText()).isEqualTo("Scan with the Kinhub app");
      assertThat(result.get("statusScanned").asText())
          .isEqualTo("Scanned by Aunt Clara, confirm on your phone");
      assertThat(result.get("phoneDevice").asText())
          .startsWith("The browser says it is: \"Chrome on Linux");
      assertThat(result.get("greeting").asText()).isEqualTo("Welcome, Aunt Clara");
      assertThat(
              Api.of(a)
                  .get("/api/v1/me", result.get("token").asText())
                  .json()
                  .get("displayName")
                  .asText())
          .isEqualTo("Aunt Clara");
      assertThat(shots.resolve("login-page.png")).exists();
      assertThat(shots.resolve("phone-page.png")).exists();
    }
  }
}
