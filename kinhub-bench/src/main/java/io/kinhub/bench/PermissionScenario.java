package io.kinhub.bench;

import io.kinhub.bench.jmh.PermissionCheckBenchmark;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * 2. Permission checks on a near-cache hit: runs {@link PermissionCheckBenchmark} with the JMH
 * Runner API (one forked JVM per benchmark method, JMH's progress on stderr) and turns its scores
 * into a section.
 */
final class PermissionScenario {
  static final String TITLE = "2. Permission check on a near-cache hit (JMH)";
  private static final Map<String, String> MEANING =
      Map.of(
          "permitsParsed",
              "`Permissions.permits(user, permission)`, permission parsed beforehand; near-cache hit",
          "permitsParsing",
              "`Permission.parse(\"family:edit:<id>\")` + `permits`; near-cache hit (what a route does)",
          "parseOnly", "`Permission.parse(\"family:edit:<id>\")` alone",
          "uncachedDatabaseLookup",
              "anchor: the cache loader's SQL through plain JDBC (one open connection, prepared "
                  + "statement) + the grants built from the row + the check; a lower bound of a miss");
  private static final List<String> ORDER =
      List.of("permitsParsed", "permitsParsing", "parseOnly", "uncachedDatabaseLookup");

  private final int warmupIterations;
  private final int iterations;
  private final int seconds;

  PermissionScenario(int warmupIterations, int iterations, int seconds) {
    this.warmupIterations = warmupIterations;
    this.iterations = iterations;
    this.seconds = seconds;
  }

  /** The equivalent command line of org.openjdk.jmh.Main. */
  String command() {
    return "java -cp kinhub-bench/target/kinhub-bench.jar org.openjdk.jmh.Main PermissionCheck -f 1 -wi "
        + warmupIterations
        + " -i "
        + iterations
        + " -w "
        + seconds
        + "s -r "
        + seconds
        + "s";
  }

  Markdown run(List<Summary> summary) throws RunnerException {
    Options options =
        new OptionsBuilder()
            .include(Pattern.quote(PermissionCheckBenchmark.class.getName() + "."))
            .forks(1)
            .warmupIterations(warmupIterations)
            .warmupTime(TimeValue.seconds(seconds))
            .measurementIterations(iterations)
            .measurementTime(TimeValue.seconds(seconds))
            .build();
    // stdout carries the report: JMH's own progress and the forks' output go to stderr
    Collection<RunResult> results =
        new Runner(
                options, OutputFormatFactory.createFormatInstance(System.err, VerboseMode.NORMAL))
            .run();
    List<RunResult> sorted = new ArrayList<>(results);
    sorted.sort(Comparator.comparingInt(r -> ORDER.indexOf(method(r))));
    if (sorted.size() != ORDER.size()) {
      throw new IllegalStateException(
          "JMH returned "
              + sorted.size()
              + " results instead of "
              + ORDER.size()
              + " (a benchmark failed; see stderr)");
    }

    Markdown md = new Markdown().heading(2, TITLE);
    md.paragraph(
        "`io.kinhub.bench.jmh.PermissionCheckBenchmark`, run by the JMH Runner API from this program; the same as `"
            + command()
            + "`. JMH 1.37, one forked JVM per benchmark (the host JVM's flags plus "
            + "`-Dlogback.configurationFile=kinhub-bench-logback.xml`), "
            + warmupIterations
            + " warm-up and "
            + iterations
            + " measured iterations of "
            + seconds
            + " s, one thread, average time. Each fork starts its own embedded Redis, "
            + "PostgreSQL and node in its trial set-up, creates a user and a private family (the user is its originator), "
            + "checks `family:edit:<id>` three times (warming the cache) and then measures the calls in the forked JVM; "
            + "no HTTP is involved.");
    double hit = Double.NaN;
    double database = Double.NaN;
    List<List<String>> rows = new ArrayList<>();
    for (RunResult r : sorted) {
      Result<?> primary = r.getPrimaryResult();
      String method = method(r);
      if (method.equals("permitsParsed")) {
        hit = primary.getScore();
      } else if (method.equals("uncachedDatabaseLookup")) {
        database = primary.getScore();
      }
      rows.add(
          List.of(
              "`" + method + "`",
              MEANING.getOrDefault(method, ""),
              "**" + Stats.f1(primary.getScore()) + "** ± " + Stats.f1(primary.getScoreError()),
              primary.getScoreUnit(),
              Long.toString(primary.getStatistics().getN())));
    }
    md.table(
        List.of(
            "benchmark",
            "what one operation is",
            "score (mean ± 99.9 % error)",
            "unit",
            "iterations"),
        rows);
    summary.add(
        new Summary(
            "Permission check on a near-cache hit (JMH, permitsParsed; permitsParsing)",
            Stats.f1(hit)
                + " ns; "
                + Stats.f1(sorted.get(1).getPrimaryResult().getScore())
                + " ns with the parse",
            "uncached lookup (JDBC) "
                + Stats.f0(database)
                + " ns: "
                + Stats.f0(database / hit)
                + " ×",
            ""));
    md.paragraph(
        "A near-cache hit costs "
            + Stats.f1(hit)
            + " ns against at least "
            + Stats.f0(database)
            + " ns for the database lookup it replaces: "
            + Stats.f0(database / hit)
            + " × cheaper. The error is JMH's "
            + "99.9 % confidence interval over the measured iterations of one fork. Near-cache entries live at most 5 s "
            + "(`KINHUB_NEAR_CACHE_MAX_AGE`), so the cached benchmarks include one reload every 5 s (a few misses against "
            + "millions of hits per second); each fork prints the cache's hits and misses to stderr at the end.");
    return md;
  }

  private static String method(RunResult r) {
    String name = r.getParams().getBenchmark();
    return name.substring(name.lastIndexOf('.') + 1);
  }
}
