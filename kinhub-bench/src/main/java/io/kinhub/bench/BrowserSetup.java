package io.kinhub.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The setup the browser scenarios (tree page, tree editing, page weight) share: JSON calls to the
 * node, an account with a token, a GEDCOM import into a new family, and the Node.js script that
 * drives headless Chromium through playwright-core.
 */
final class BrowserSetup {
  private static final ObjectMapper JSON = new ObjectMapper();

  private BrowserSetup() {}

  /** POSTs a JSON body; the answer's JSON, or an exception naming the status. */
  static JsonNode post(HttpClient http, String url, String token, String body)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() >= 300) {
      throw new IllegalStateException(url + " → " + r.statusCode() + " " + r.body());
    }
    return JSON.readTree(r.body());
  }

  /** Creates an account with the bench password and logs it in; its token. */
  static String account(HttpClient http, String base, String login, String name)
      throws IOException, InterruptedException {
    post(
        http,
        base + "/api/v1/accounts",
        null,
        "{\"login\":\""
            + login
            + "\",\"password\":\""
            + Api.PASSWORD
            + "\",\"displayName\":\""
            + name
            + "\"}");
    return post(
            http,
            base + "/api/v1/sessions",
            null,
            "{\"login\":\"" + login + "\",\"password\":\"" + Api.PASSWORD + "\"}")
        .get("token")
        .asText();
  }

  /** A family made for an import, and the import's answer. */
  record Imported(String family, JsonNode answer) {
    int persons() {
      return answer.get("imported").get("persons").asInt();
    }
  }

  /** Creates a family named {@code name} and imports {@code file} into it. */
  static Imported importGedcom(HttpClient http, String base, String token, String name, Path file)
      throws IOException, InterruptedException {
    System.err.println("importing " + name + " ...");
    String family =
        post(http, base + "/api/v1/families", token, "{\"name\":\"" + name + "\"}")
            .get("id")
            .asText();
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/api/v1/families/" + family + "/gedcom"))
                .timeout(Duration.ofMinutes(5))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofFile(file))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException(
          "import of " + name + " failed: " + r.statusCode() + " " + r.body());
    }
    return new Imported(family, JSON.readTree(r.body()));
  }

  /**
   * Runs the script {@code resource} (e.g. {@code /tree-bench.mjs}) with Node.js in {@code tools}
   * (where playwright-core is installed), with {@code args}; the JSON lines it printed, each also
   * echoed to stderr. Fails with the script's output when it fails or takes longer than {@code
   * timeout}.
   */
  static List<JsonNode> drive(String resource, Path tools, Duration timeout, List<String> args)
      throws IOException, InterruptedException {
    Path script = tools.resolve("kinhub-" + resource.substring(1));
    try (InputStream in = BrowserSetup.class.getResourceAsStream(resource)) {
      Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
    }
    List<String> command = new ArrayList<>(List.of("node", script.toString()));
    command.addAll(args);
    Process browser =
        new ProcessBuilder(command).directory(tools.toFile()).redirectErrorStream(true).start();
    List<JsonNode> results = new ArrayList<>();
    StringBuilder log = new StringBuilder();
    try (var lines = browser.inputReader(StandardCharsets.UTF_8)) {
      String line;
      while ((line = lines.readLine()) != null) {
        log.append(line).append('\n');
        if (line.startsWith("{")) {
          results.add(JSON.readTree(line));
          System.err.println("  " + line);
        }
      }
    }
    if (!browser.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) || browser.exitValue() != 0) {
      throw new IllegalStateException("the browser run failed:\n" + log);
    }
    return results;
  }
}
