package io.kinhub.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.kinhub.bench.runner.BenchRun;
import io.kinhub.bench.runner.Machine;
import io.kinhub.bench.runner.Scenario;
import io.kinhub.server.app.Kinhub;
import io.kinhub.server.config.Config;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The tree page in headless Chromium (issues 7 and 17): for generated trees (by default 10,000 and
 * 50,000 persons) and for royal92.ged, imported into a real node, it measures per round (a fresh
 * page each): the bare first layout in a fresh worker with the layout cache off (cold JIT), the
 * tree page's first layout as shipped (a large tree starts collapsed) and page-ready time in a
 * fresh browser context (empty cache), the same in a second page of that context, the whole tree
 * after {@code expandAll()} in both (cache miss, then hit), and 1000 full viewport redraws, cached
 * (from the off-screen bitmap) and naive (every visible person drawn from scratch, like the
 * original viewer), of the whole tree and of a focus view when the page offers one ({@code
 * window.kinhubTree.focus}). Needs Debian's chromium and playwright-core (as .ci/run installs
 * them).
 *
 * <pre>
 * ./kinhub bench tree-page [--rounds 10] [--redraws 1000]
 *      [--sizes 10000,50000] [--fixtures ../shared/fixtures/gedcom] [--out docs/bench-tree-page.md]
 * </pre>
 */
public final class TreeBrowserBench implements Scenario {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Instantiated by the runner ({@code io.kinhub.bench.Bench}). */
  public TreeBrowserBench() {}

  @Override
  public String name() {
    return "tree-page";
  }

  @Override
  public String summary() {
    return "the tree page in headless Chromium";
  }

  @Override
  public String help() {
    return """
        Options: --rounds N (10), --redraws N (1000), --sizes N,N (10000,50000: generated trees), --fixtures DIR (holding royal92.ged; default $KINHUB_BENCH_FIXTURES, else kinhub-bench/fixtures; skipped when absent), --tools DIR, --chromium PATH (/usr/bin/chromium), --out FILE.
        """;
  }

  @Override
  public int run(BenchRun run) throws Exception {
    String[] args = run.args();
    Map<String, String> options =
        new LinkedHashMap<>(
            Map.of(
                "--rounds",
                "10",
                "--redraws",
                "1000",
                "--sizes",
                "10000,50000",
                "--tools",
                System.getProperty("user.home") + "/.cache/kinhub-browser-tools",
                "--chromium",
                "/usr/bin/chromium"));
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
      String token = BrowserSetup.account(http, base, "tree-bench@example.org", "Tree bench");

      List<Map<String, Object>> trees = new ArrayList<>();
      for (String sizeText : options.get("--sizes").split(",")) {
        int size = Integer.parseInt(sizeText.strip());
        Path file = dir.resolve("generated-" + size + ".ged");
        GedcomGenerator.write(file, size, 42);
        trees.add(importTree(http, base, token, "generated, " + size + " persons", file));
      }
      Path royal = BenchRun.fixtures(options.get("--fixtures")).resolve("royal92.ged");
      if (Files.exists(royal)) {
        trees.add(importTree(http, base, token, "royal92.ged", royal));
      } else {
        System.err.println("royal92.ged not found at " + royal + "; skipped");
      }
      Path treesFile = dir.resolve("trees.json");
      JSON.writeValue(treesFile.toFile(), trees);

      System.err.println(
          "driving Chromium: "
              + trees.size()
              + " trees × "
              + rounds
              + " rounds × "
              + redraws
              + " redraws ...");
      List<JsonNode> results =
          BrowserSetup.drive(
              "/tree-bench.mjs",
              Path.of(options.get("--tools")),
              Duration.ofMinutes(30),
              List.of(
                  options.get("--chromium"),
                  base,
                  token,
                  treesFile.toString(),
                  Integer.toString(redraws),
                  Integer.toString(rounds)));
      String report = report(results, rounds, redraws, args);
      run.report(report);
    }
    return 0;
  }

  private static Map<String, String> env(Backends backends, Path dir) {
    Map<String, String> env = Cluster.env(backends, dir.resolve("node"), "tree-bench");
    env.put("KINHUB_RATE_LIMIT_GEDCOM_IMPORTS", "ip:100000000/1s");
    return env;
  }

  private static Map<String, Object> importTree(
      HttpClient http, String base, String token, String label, Path file)
      throws IOException, InterruptedException {
    BrowserSetup.Imported imported = BrowserSetup.importGedcom(http, base, token, label, file);
    return Map.of("label", label, "id", imported.family(), "persons", imported.persons());
  }

  private static List<Double> values(JsonNode values) {
    List<Double> list = new ArrayList<>();
    values.forEach(v -> list.add(v.asDouble()));
    return list;
  }

  private static double median(JsonNode values) {
    return Stats.median(values(values));
  }

  /** The nearest-rank 90th percentile. */
  private static double p90(JsonNode values) {
    List<Double> list = values(values);
    if (list.isEmpty()) {
      return Double.NaN;
    }
    list.sort(null);
    return list.get(Math.max(0, (int) Math.ceil(0.9 * list.size()) - 1));
  }

  /** One field of each round's {@code layoutSteps}, as an array (rounds without it left out). */
  private static JsonNode step(JsonNode steps, String field) {
    ArrayNode array = JSON.createArrayNode();
    steps.forEach(
        s -> {
          if (s.hasNonNull(field)) {
            array.add(s.get(field).asDouble());
          }
        });
    return array;
  }

  /** The distinct {@code layoutSteps.source} values of the rounds. */
  private static String sources(JsonNode steps) {
    TreeSet<String> set = new TreeSet<>();
    steps.forEach(s -> set.add(s.path("source").asText("?")));
    return String.join(", ", set);
  }

  private static String medianAndP90(JsonNode values) {
    return Stats.f1(median(values)) + " / " + Stats.f1(p90(values));
  }

  private static String report(List<JsonNode> results, int rounds, int redraws, String[] args) {
    StringBuilder out = new StringBuilder("# Tree page in headless Chromium\n\n");
    out.append("Machine: ")
        .append(Machine.cores())
        .append(" cores, ")
        .append(Machine.cpuModel())
        .append(", ")
        .append(Machine.javaVersion())
        .append("; load average at the end ")
        .append(Machine.loadAverage())
        .append(
            ". Chromium headless (software rendering), viewport 1280×800, device pixel ratio 1.\n\n");
    out.append("Command: `./kinhub bench tree-page ")
        .append(String.join(" ", args))
        .append("`\n\n");
    out.append(rounds)
        .append(
            " rounds per tree; each cell is median / p90 over the rounds, in milliseconds.\n\n");
    out.append(
            "- *cold layout*: a fresh page starts a fresh layout worker and lays the whole tree out with the cache")
        .append(" off: the bare layout on a cold JIT (the worker's own time).\n");
    out.append(
            "- *shown first*: how many persons the page's first view lays out (a tree of more than 400 opens collapsed")
        .append(" to its founders and as many whole generations as keep it within 300 persons).\n");
    out.append(
            "- *first layout*: `window.kinhubTree.layoutMs` of the page's first view, as shipped, in a fresh browser")
        .append(
            " context: the wait from choosing the persons shown to their positions in hand (the worker's start-up,")
        .append(
            " hand-over and cache included when the worker is used); *of which shown set*: choosing the persons")
        .append(" (`layoutSteps.shownMs`); *way*: where it was laid out (`layoutSteps.source`:")
        .append(
            " main thread, worker computed, worker cache); *badges*: counting the collapsed persons' hidden")
        .append(
            " persons after the layout, before the draw (`layoutSteps.badgeMs`, not in `layoutMs`); *page")
        .append(" ready*: navigation → drawn.\n");
    out.append(
            "- *second page*: the same in a second fresh page of that context (the layout cache holds the whole")
        .append(" tree by then; a collapsed start does not use it).\n");
    out.append(
            "- *whole tree, fresh page*: `expandAll()` in the first page (worker started after the first draw, cache")
        .append(
            " miss): `layoutMs` (worker's own time); *whole tree, cached*: `expandAll()` in the second page (cache hit).\n");
    out.append(
        "- *layout again*: the first page lays the whole tree out once more in the other order, in its now warm worker.\n\n");
    out.append(
            "| tree | persons | cold layout | shown first | first layout | of which shown set | way | badges | page ready | second page: first layout | second page: ready | whole tree, fresh page | whole tree, cached | layout again |\n")
        .append("|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (JsonNode r : results) {
      out.append("| ")
          .append(r.get("label").asText())
          .append(" | ")
          .append(r.get("persons").asInt())
          .append(" | ")
          .append(medianAndP90(r.get("coldMs")))
          .append(" | ")
          .append(r.path("shown").isEmpty() ? "" : r.get("shown").get(0).asText())
          .append(" | ")
          .append(medianAndP90(r.get("layoutMs")))
          .append(" | ")
          .append(medianAndP90(step(r.path("steps"), "shownMs")))
          .append(" | ")
          .append(sources(r.path("steps")))
          .append(" | ")
          .append(medianAndP90(step(r.path("steps"), "badgeMs")))
          .append(" | ")
          .append(medianAndP90(r.get("readyMs")))
          .append(" | ")
          .append(medianAndP90(r.get("cachedLayoutMs")))
          .append(" | ")
          .append(medianAndP90(r.get("cachedReadyMs")))
          .append(" | ")
          .append(
              r.path("expandedMs").isEmpty()
                  ? ""
                  : medianAndP90(r.get("expandedMs"))
                      + " ("
                      + Stats.f1(median(step(r.path("expandedSteps"), "workerMs")))
                      + ")")
          .append(" | ")
          .append(
              r.path("expandedCachedMs").isEmpty() ? "" : medianAndP90(r.get("expandedCachedMs")))
          .append(" | ")
          .append(medianAndP90(r.get("relayoutMs")))
          .append(" |\n");
    }
    out.append("\n")
        .append(redraws)
        .append(" viewport redraws, each shifted by one pixel, in the cached page: *whole tree* is")
        .append(
            " `window.kinhubTree.overview()`; *focus view* is `window.kinhubTree.focus(firstRoot, \"descendants\")` when the page")
        .append(
            " has it. Naive redraws of big views are measured over fewer redraws and scaled (column *naive over*).\n\n");
    out.append(
        "| tree | view | in view | cached redraws | naive redraws | naive over | naive ÷ cached |\n|---|---|---:|---:|---:|---:|---:|\n");
    List<String> skipped = new ArrayList<>();
    for (JsonNode r : results) {
      for (String view : List.of("whole", "focus")) {
        JsonNode v = r.get(view);
        if (v == null || v.get("cached").isEmpty()) {
          if (v != null && v.hasNonNull("skipped")) {
            skipped.add(r.get("label").asText() + ": " + v.get("skipped").asText());
          }
          continue;
        }
        double cached = median(v.get("cached"));
        double naive = median(v.get("naive"));
        out.append("| ")
            .append(r.get("label").asText())
            .append(" | ")
            .append(view.equals("whole") ? "whole tree" : "focus view")
            .append(" | ")
            .append(v.path("view").path("visible").asInt())
            .append(" | ")
            .append(medianAndP90(v.get("cached")))
            .append(" | ")
            .append(medianAndP90(v.get("naive")))
            .append(" | ")
            .append(v.path("naiveRedraws").asInt())
            .append(" | ")
            .append(Stats.f0(naive / Math.max(cached, 0.001)))
            .append("× |\n");
      }
    }
    if (!skipped.isEmpty()) {
      out.append("\nFocus view not measured: ").append(String.join("; ", skipped)).append(".\n");
    }
    out.append("\nEvery round: ");
    for (JsonNode r : results) {
      out.append("\n- ")
          .append(r.get("label").asText())
          .append(": cold ")
          .append(r.get("coldMs"))
          .append(", first ")
          .append(r.get("layoutMs"))
          .append(", whole tree ")
          .append(r.get("expandedMs"))
          .append(", cached ")
          .append(r.get("cachedLayoutMs"))
          .append(", ready ")
          .append(r.get("readyMs"))
          .append(", ready cached ")
          .append(r.get("cachedReadyMs"))
          .append(", again ")
          .append(r.get("relayoutMs"))
          .append(", redraws cached ")
          .append(r.get("whole").get("cached"))
          .append(", naive ")
          .append(r.get("whole").get("naive"));
    }
    return out.append("\n").toString();
  }
}
