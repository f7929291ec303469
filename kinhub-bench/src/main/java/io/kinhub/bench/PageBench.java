package io.kinhub.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kinhub.bench.runner.BenchRun;
import io.kinhub.bench.runner.Machine;
import io.kinhub.bench.runner.Scenario;
import io.kinhub.server.app.Kinhub;
import io.kinhub.server.config.Config;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Page weight and time to interactive of the web pages (issue 13) in headless Chromium against a
 * real node on loopback: for {@code /login} (anonymous) and {@code /families/{id}} (logged in, a
 * family of 5 members), the bytes of HTML, scripts, style sheets and message bundles the page loads
 * (as served and gzip-compressed), and the time from navigation until the page is usable, each
 * round in a fresh browser context (nothing cached).
 *
 * <pre>java -cp kinhub-bench/target/kinhub-bench.jar io.kinhub.bench.PageBench [--rounds 20]
 *      [--out docs/bench-pages.md]</pre>
 */
public final class PageBench implements Scenario {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Instantiated by the runner ({@code io.kinhub.bench.Bench}). */
  public PageBench() {}

  @Override
  public String name() {
    return "pages";
  }

  @Override
  public String summary() {
    return "web page weight and time to interactive (headless Chromium)";
  }

  @Override
  public String help() {
    return """
        Options: --rounds N (20), --tools DIR (where playwright-core is installed), --chromium PATH (/usr/bin/chromium), --out FILE.
        """;
  }

  @Override
  public int run(BenchRun run) throws Exception {
    String[] args = run.args();
    Map<String, String> options =
        new LinkedHashMap<>(
            Map.of(
                "--rounds",
                "20",
                "--tools",
                System.getProperty("user.home") + "/.cache/kinhub-browser-tools",
                "--chromium",
                "/usr/bin/chromium"));
    for (int i = 0; i + 1 < args.length; i += 2) {
      options.put(args[i], args[i + 1]);
    }
    int rounds = Integer.parseInt(options.get("--rounds"));
    Path dir = run.tempDir("kinhub-page-bench");
    System.err.println("starting embedded Redis, PostgreSQL and one node ...");
    try (Backends backends = Backends.start(dir);
        Kinhub node =
            Kinhub.start(Config.from(Cluster.env(backends, dir.resolve("node"), "page-bench")))) {
      String base = node.baseUrl();
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      String token = account(http, base, "page-bench-0@example.org", "Page bench");
      String family =
          post(http, base + "/api/v1/families", token, "{\"name\":\"Page bench family\"}")
              .get("id")
              .asText();
      for (int i = 1; i < 5; i++) {
        String code =
            post(http, base + "/api/v1/families/" + family + "/invitations", token, "{}")
                .get("code")
                .asText();
        String member = account(http, base, "page-bench-" + i + "@example.org", "Member " + i);
        post(http, base + "/api/v1/invitations/" + code + "/accept", member, "{}");
      }
      Path tools = Path.of(options.get("--tools"));
      Path script = tools.resolve("kinhub-page-bench.mjs");
      try (InputStream in = PageBench.class.getResourceAsStream("/page-bench.mjs")) {
        Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
      }
      System.err.println("driving Chromium: 2 pages × " + rounds + " rounds ...");
      Process browser =
          new ProcessBuilder(
                  "node",
                  script.toString(),
                  options.get("--chromium"),
                  base,
                  token,
                  Integer.toString(rounds),
                  "login=/login:anonymous",
                  "family=/families/" + family)
              .directory(tools.toFile())
              .redirectErrorStream(true)
              .start();
      List<JsonNode> results = new ArrayList<>();
      StringBuilder log = new StringBuilder();
      try (var lines = browser.inputReader(StandardCharsets.UTF_8)) {
        String line;
        while ((line = lines.readLine()) != null) {
          log.append(line).append('\n');
          if (line.startsWith("{")) {
            results.add(JSON.readTree(line));
          }
        }
      }
      if (!browser.waitFor(10, TimeUnit.MINUTES) || browser.exitValue() != 0) {
        throw new IllegalStateException("the browser run failed:\n" + log);
      }
      String report = report(results, rounds, args);
      run.report(report);
    }
    return 0;
  }

  private static String account(HttpClient http, String base, String login, String name)
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

  private static JsonNode post(HttpClient http, String url, String token, String body)
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

  private static String report(List<JsonNode> results, int rounds, String[] args) {
    StringBuilder out = new StringBuilder("# Web pages: weight and time to interactive\n\n");
    out.append("Machine: ")
        .append(Machine.cores())
        .append(" cores, ")
        .append(Machine.cpuModel())
        .append(", ")
        .append(Machine.javaVersion())
        .append("; load average at the end ")
        .append(Machine.loadAverage())
        .append(
            ". Chromium headless, loopback, a fresh browser context per round (nothing cached), ")
        .append(rounds)
        .append(" rounds after one warm-up. Arguments: `")
        .append(String.join(" ", args))
        .append("`.\n\n");
    out.append(
        "| page | files | bytes | gzip | interactive median | p90 | max |\n|---|---:|---:|---:|---:|---:|---:|\n");
    for (JsonNode r : results) {
      List<Double> ms = new ArrayList<>();
      r.get("interactiveMs").forEach(v -> ms.add(v.asDouble()));
      ms.sort(Double::compare);
      out.append(
          String.format(
              Locale.ROOT,
              "| `%s` | %d | %,d | %,d | %.0f ms | %.0f ms | %.0f ms |%n",
              r.get("name").asText().equals("family") ? "/families/{id}" : r.get("path").asText(),
              r.get("files").size(),
              r.get("bytes").asLong(),
              r.get("gzip").asLong(),
              Stats.median(ms),
              ms.get((int) Math.ceil(0.9 * ms.size()) - 1),
              ms.get(ms.size() - 1)));
    }
    for (JsonNode r : results) {
      out.append("\n")
          .append(
              r.get("path").asText().startsWith("/families")
                  ? "/families/{id}"
                  : r.get("path").asText())
          .append(": ");
      List<String> files = new ArrayList<>();
      r.get("files")
          .forEach(
              f ->
                  files.add(
                      f.get("url").asText()
                          + " "
                          + f.get("bytes").asLong()
                          + " B (gzip "
                          + f.get("gzip").asLong()
                          + ")"));
      out.append(String.join(", ", files)).append(".\n");
    }
    return out.toString();
  }
}
