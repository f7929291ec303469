package io.kinhub.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kinhub.server.config.Config;
import io.kinhub.server.app.Kinhub;
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
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The tree page in headless Chromium (issue 7): for generated trees of 800, 10,000 and 50,000 persons and for
 * royal92.ged, imported into a real node, it opens {@code /families/{id}/tree} and asks the page's
 * {@code window.kinhubTree} for its layout time and for 1000 full viewport redraws, cached (from the
 * off-screen bitmap) and naive (every visible person drawn from scratch, like the original viewer), in the same
 * page. Needs Debian's chromium and playwright-core (as .ci/run installs them).
 *
 * <pre>java -cp kinhub-bench/target/kinhub-bench.jar io.kinhub.bench.TreeBrowserBench [--rounds 3] [--redraws 1000]
 *      [--fixtures ../shared/fixtures/gedcom] [--out docs/bench-tree-page.md]</pre>
 */
public final class TreeBrowserBench {
  private static final ObjectMapper JSON = new ObjectMapper();

  private TreeBrowserBench() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> options = new LinkedHashMap<>(Map.of("--rounds", "3", "--redraws", "1000",
        "--fixtures", "../shared/fixtures/gedcom", "--tools", System.getProperty("user.home") + "/.cache/kinhub-browser-tools",
        "--chromium", "/usr/bin/chromium"));
    for (int i = 0; i + 1 < args.length; i += 2) {
      options.put(args[i], args[i + 1]);
    }
    int rounds = Integer.parseInt(options.get("--rounds"));
    int redraws = Integer.parseInt(options.get("--redraws"));
    Path dir = Files.createTempDirectory("kinhub-tree-bench");
    System.err.println("starting embedded Redis, PostgreSQL and one node ...");
    try (Backends backends = Backends.start(dir);
        Kinhub node = Kinhub.start(Config.from(env(backends, dir)))) {
      String base = node.baseUrl();
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      post(http, base + "/api/v1/accounts", null, "application/json",
          "{\"login\":\"tree-bench@example.org\",\"password\":\"" + Api.PASSWORD + "\",\"displayName\":\"Tree bench\"}");
      String token = post(http, base + "/api/v1/sessions", null, "application/json",
          "{\"login\":\"tree-bench@example.org\",\"password\":\"" + Api.PASSWORD + "\"}").get("token").asText();

      List<Map<String, Object>> trees = new ArrayList<>();
      for (int size : new int[] {800, 10_000, 50_000}) {
        Path file = dir.resolve("generated-" + size + ".ged");
        GedcomGenerator.write(file, size, 42);
        trees.add(importTree(http, base, token, "generated, " + size + " persons", file));
      }
      Path royal = Path.of(options.get("--fixtures"), "royal92.ged");
      if (Files.exists(royal)) {
        trees.add(importTree(http, base, token, "royal92.ged", royal));
      } else {
        System.err.println("royal92.ged not found at " + royal + "; skipped");
      }
      Path treesFile = dir.resolve("trees.json");
      JSON.writeValue(treesFile.toFile(), trees);

      Path tools = Path.of(options.get("--tools"));
      Path script = tools.resolve("kinhub-tree-bench.mjs");
      try (InputStream in = TreeBrowserBench.class.getResourceAsStream("/tree-bench.mjs")) {
        Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
      }
      System.err.println("driving Chromium: " + trees.size() + " trees × " + rounds + " rounds × " + redraws + " redraws ...");
      Process browser = new ProcessBuilder("node", script.toString(), options.get("--chromium"), base, token, treesFile.toString(),
          Integer.toString(redraws), Integer.toString(rounds)).directory(tools.toFile()).redirectErrorStream(true).start();
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
      if (!browser.waitFor(30, TimeUnit.MINUTES) || browser.exitValue() != 0) {
        throw new IllegalStateException("the browser run failed:\n" + log);
      }
      String report = report(results, rounds, redraws, args);
      System.out.print(report);
      if (options.containsKey("--out")) {
        Files.writeString(Path.of(options.get("--out")), report);
      }
    }
    System.exit(0);
  }

  private static Map<String, String> env(Backends backends, Path dir) {
    Map<String, String> env = Cluster.env(backends, dir.resolve("node"), "tree-bench");
    env.put("KINHUB_RATE_LIMIT_GEDCOM_IMPORTS", "ip:100000000/1s");
    return env;
  }

  private static Map<String, Object> importTree(HttpClient http, String base, String token, String label, Path file)
      throws IOException, InterruptedException {
    System.err.println("importing " + label + " ...");
    String family = post(http, base + "/api/v1/families", token, "application/json", "{\"name\":\"" + label + "\"}").get("id").asText();
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/families/" + family + "/gedcom"))
        .timeout(Duration.ofMinutes(5)).header("Authorization", "Bearer " + token).header("Content-Type", "application/octet-stream")
        .POST(HttpRequest.BodyPublishers.ofFile(file)).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("import of " + label + " failed: " + r.statusCode() + " " + r.body());
    }
    int persons = JSON.readTree(r.body()).get("imported").get("persons").asInt();
    return Map.of("label", label, "id", family, "persons", persons);
  }

  private static JsonNode post(HttpClient http, String url, String token, String type, String body)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).header("Content-Type", type)
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

  private static double median(JsonNode values) {
    List<Double> list = new ArrayList<>();
    values.forEach(v -> list.add(v.asDouble()));
    return Stats.median(list);
  }

  private static String report(List<JsonNode> results, int rounds, int redraws, String[] args) {
    StringBuilder out = new StringBuilder("# Tree page in headless Chromium\n\n");
    out.append("Machine: ").append(Machine.cores()).append(" cores, ").append(Machine.cpuModel()).append(", ")
        .append(Machine.javaVersion()).append("; load average at the end ").append(Machine.loadAverage())
        .append(". Chromium headless (software rendering), viewport 1280×800, device pixel ratio 1.\n\n");
    out.append("Command: `java -cp kinhub-bench/target/kinhub-bench.jar io.kinhub.bench.TreeBrowserBench ")
        .append(String.join(" ", args)).append("`\n\n");
    out.append("Medians of ").append(rounds).append(" rounds (a fresh page each). ").append(redraws)
        .append(" full viewport redraws each.\n\n");
    out.append("The view: `window.kinhubTree.overview()`, the whole tree in the viewport, as the original viewer showed it.")
        .append(" Naive redraws of big trees are measured over fewer redraws (column *naive measured over*) and scaled to ")
        .append(redraws).append(".\n\n");
    out.append("*layout* is the page's first layout (a fresh Web Worker, cold JIT); *layout again* lays the same tree out")
        .append(" once more in the same worker (switching the order), as later layouts run.\n\n");
    out.append("| tree | persons | in view | layout (ms) | layout again (ms) | page ready (ms) | ").append(redraws).append(" cached redraws (ms) | ")
        .append(redraws).append(" naive redraws (ms) | naive measured over | naive ÷ cached |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (JsonNode r : results) {
      double cached = median(r.get("cached"));
      double naive = median(r.get("naive"));
      out.append("| ").append(r.get("label").asText()).append(" | ").append(r.get("persons").asInt()).append(" | ")
          .append(r.path("view").path("visible").asInt()).append(" | ")
          .append(Stats.f1(median(r.get("layoutMs")))).append(" | ").append(Stats.f1(median(r.get("relayoutMs")))).append(" | ")
          .append(Stats.f0(median(r.get("readyMs")))).append(" | ")
          .append(Stats.f1(cached)).append(" | ").append(Stats.f1(naive)).append(" | ").append(r.path("naiveRedraws").asInt()).append(" | ")
          .append(Stats.f0(naive / Math.max(cached, 0.001))).append("× |\n");
    }
    out.append("\nEvery round: ");
    for (JsonNode r : results) {
      out.append("\n- ").append(r.get("label").asText()).append(": layout ").append(r.get("layoutMs")).append(", again ")
          .append(r.get("relayoutMs")).append(", cached ")
          .append(r.get("cached")).append(", naive ").append(r.get("naive"));
    }
    return out.append("\n").toString();
  }
}
