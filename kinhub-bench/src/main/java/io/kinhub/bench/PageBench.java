package io.kinhub.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.kinhub.bench.runner.BenchRun;
import io.kinhub.bench.runner.Machine;
import io.kinhub.bench.runner.Scenario;
import io.kinhub.server.app.Kinhub;
import io.kinhub.server.config.Config;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

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
      String token = BrowserSetup.account(http, base, "page-bench-0@example.org", "Page bench");
      String family =
          BrowserSetup.post(
                  http, base + "/api/v1/families", token, "{\"name\":\"Page bench family\"}")
              .get("id")
              .asText();
      for (int i = 1; i < 5; i++) {
        String code =
            BrowserSetup.post(
                    http, base + "/api/v1/families/" + family + "/invitations", token, "{}")
                .get("code")
                .asText();
        String member =
            BrowserSetup.account(http, base, "page-bench-" + i + "@example.org", "Member " + i);
        BrowserSetup.post(http, base + "/api/v1/invitations/" + code + "/accept", member, "{}");
      }
      System.err.println("driving Chromium: 2 pages × " + rounds + " rounds ...");
      List<JsonNode> results =
          BrowserSetup.drive(
              "/page-bench.mjs",
              Path.of(options.get("--tools")),
              Duration.ofMinutes(10),
              List.of(
                  options.get("--chromium"),
                  base,
                  token,
                  Integer.toString(rounds),
                  "login=/login:anonymous",
                  "family=/families/" + family));
      String report = report(results, rounds, args);
      run.report(report);
    }
    return 0;
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
