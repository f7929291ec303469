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
import java.util.Map;

/**
 * Editing on the tree page in headless Chromium (issue 17): on a generated tree (10,000 persons by
 * default) imported into a real node, it selects a person and clicks the panel's "+ Child" button
 * round after round, and reports the time from the click to the frame that draws the new box (the
 * page's {@code window.kinhubTree.edit.lastAddMs}; goal ≤ 100 ms), median and p90. Self-contained:
 * its own node, its own script (tree-edit-bench.mjs). Needs Debian's chromium and playwright-core
 * (as .ci/run installs them).
 *
 * <pre>./kinhub bench tree-edit [--persons 10000] [--rounds 25] [--warmup 3] [--out file.md]</pre>
 */
public final class TreeEditBench implements Scenario {

  @Override
  public String name() {
    return "tree-edit";
  }

  @Override
  public String summary() {
    return "editing on the tree page in headless Chromium: add-child click to the new box drawn";
  }

  @Override
  public String help() {
    return """
        Options: --persons N (10000), --rounds N (25), --warmup N (3), --tools DIR, --chromium PATH (/usr/bin/chromium), --out FILE.
        """;
  }

  @Override
  public int run(BenchRun run) throws Exception {
    String[] args = run.args();
    Map<String, String> options =
        new LinkedHashMap<>(
            Map.of(
                "--persons",
                "10000",
                "--rounds",
                "25",
                "--warmup",
                "3",
                "--tools",
                System.getProperty("user.home") + "/.cache/kinhub-browser-tools",
                "--chromium",
                "/usr/bin/chromium"));
    for (int i = 0; i + 1 < args.length; i += 2) {
      options.put(args[i], args[i + 1]);
    }
    int persons = Integer.parseInt(options.get("--persons"));
    int rounds = Integer.parseInt(options.get("--rounds"));
    int warmup = Integer.parseInt(options.get("--warmup"));
    Path dir = run.tempDir("kinhub-tree-edit-bench");
    System.err.println("starting embedded Redis, PostgreSQL and one node ...");
    try (Backends backends = Backends.start(dir);
        Kinhub node = Kinhub.start(Config.from(env(backends, dir)))) {
      String base = node.baseUrl();
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      String token =
          BrowserSetup.account(http, base, "tree-edit-bench@example.org", "Tree edit bench");
      Path file = dir.resolve("generated-" + persons + ".ged");
      GedcomGenerator.write(file, persons, 42);
      String family = BrowserSetup.importGedcom(http, base, token, "edit bench", file).family();

      System.err.println("driving Chromium: " + warmup + " + " + rounds + " × add child ...");
      List<JsonNode> results =
          BrowserSetup.drive(
              "/tree-edit-bench.mjs",
              Path.of(options.get("--tools")),
              Duration.ofMinutes(10),
              List.of(
                  options.get("--chromium"),
                  base,
                  token,
                  family,
                  Integer.toString(rounds),
                  Integer.toString(warmup)));
      if (results.isEmpty()) {
        throw new IllegalStateException("the browser run printed no result");
      }
      JsonNode result = results.get(results.size() - 1);
      run.report(report(result, args));
    }
    return 0;
  }

  private static Map<String, String> env(Backends backends, Path dir) {
    Map<String, String> env = Cluster.env(backends, dir.resolve("node"), "tree-edit-bench");
    env.put("KINHUB_RATE_LIMIT_GEDCOM_IMPORTS", "ip:100000000/1s");
    return env;
  }

  private static String report(JsonNode r, String[] args) {
    List<Double> list = new ArrayList<>();
    r.get("addMs").forEach(v -> list.add(v.asDouble()));
    double[] values = list.stream().mapToDouble(Double::doubleValue).toArray();
    List<Double> placedList = new ArrayList<>();
    r.path("placedMs").forEach(v -> placedList.add(v.asDouble()));
    double[] placed = placedList.stream().mapToDouble(Double::doubleValue).toArray();
    return "# Add child on the tree page in headless Chromium\n\n"
        + "Machine: "
        + Machine.cores()
        + " cores, "
        + Machine.cpuModel()
        + ", "
        + Machine.javaVersion()
        + "; load average at the end "
        + Machine.loadAverage()
        + ". Chromium headless (software rendering), viewport 1280×800, device pixel ratio 1.\n\n"
        + "Command: `./kinhub bench tree-edit "
        + String.join(" ", args)
        + "`\n\n"
        + "A generated tree of "
        + r.get("persons").asInt()
        + " persons (first layout "
        + Stats.f1(r.path("layoutMs").asDouble())
        + " ms). *New box drawn*: from the \"+ Child\" click (the event's timestamp) to the frame that draws the new box beside"
        + " its parent, before the server answers (the edit is optimistic). *In its place*: until the tree has been laid out again"
        + " with the new person and drawn. Each round waits for the server's answer and its reconciliation before the next"
        + " click. "
        + values.length
        + " rounds after warm-up; "
        + r.get("stored").asInt()
        + " persons stored at the end.\n\n"
        + "| | rounds | median (ms) | p90 (ms) | min (ms) | max (ms) | goal |\n|---|---:|---:|---:|---:|---:|---|\n"
        + "| new box drawn | "
        + values.length
        + " | "
        + Stats.f1(Stats.median(list))
        + " | "
        + Stats.f1(Stats.quantile(values, 0.9))
        + " | "
        + Stats.f1(Stats.quantile(values, 0))
        + " | "
        + Stats.f1(Stats.max(values))
        + " | ≤ 100 ms |\n"
        + "| in its place (relayout) | "
        + placed.length
        + " | "
        + Stats.f1(Stats.median(placedList))
        + " | "
        + Stats.f1(Stats.quantile(placed, 0.9))
        + " | "
        + Stats.f1(Stats.quantile(placed, 0))
        + " | "
        + Stats.f1(Stats.max(placed))
        + " | |\n\nEvery round, new box drawn (ms): "
        + list
        + "\n\nEvery round, in its place (ms): "
        + placedList
        + "\n";
  }
}
