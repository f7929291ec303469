package io.kinhub.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * 1. GEDCOM import over HTTP: wall time and the heap of this JVM (which holds the node) during each
 * import, each into a fresh family; then one import of the large file by a separate JVM with a
 * small maximum heap.
 */
final class ImportScenario {
  static final String TITLE = "1. GEDCOM import: time and heap";
  private static final Duration IMPORT_TIMEOUT = Duration.ofMinutes(5);
  private static final Duration CHILD_TIMEOUT = Duration.ofMinutes(5);
  private static final Pattern CHILD_LINE =
      Pattern.compile(
          "import-only: persons=(\\d+) seconds=([0-9.]+) peak-heap-mib=([0-9.]+) max-heap-mib=(\\d+)");

  private final SingleNode node;
  private final SingleNode.User user;
  private final HeapPeak heap = new HeapPeak();

  ImportScenario(SingleNode node, SingleNode.User user) {
    this.node = node;
    this.user = user;
  }

  /**
   * One import into a fresh family: what the server reported, the client's wall time and the heap.
   */
  record Run(
      String label,
      long familyId,
      int persons,
      int families,
      int warnings,
      double seconds,
      HeapPeak.Reading heap) {
    double personsPerSecond() {
      return persons / seconds;
    }
  }

  /** A file and how many measured rounds it gets. */
  record Input(String name, Path file, int rounds, String origin) {}

  /**
   * What the scenario measured: its section, and the family of the last measured import of the
   * first input.
   */
  record Outcome(Markdown section, long lastFamilyOfFirst) {}

  /**
   * Imports {@code file} into a new family named after {@code label}; fails unless the server
   * answers 200.
   */
  Run importOnce(String label, Path file) {
    long family = node.createFamily(user, "TreeBench " + label);
    heap.start();
    long t0 = System.nanoTime();
    Api.Response r =
        node.api()
            .postFile(
                node.baseUrl() + "/api/v1/families/" + family + "/gedcom",
                user.token(),
                file,
                IMPORT_TIMEOUT);
    double seconds = (System.nanoTime() - t0) / 1e9;
    HeapPeak.Reading reading = heap.stop();
    if (r.status() != 200) {
      throw new IllegalStateException(
          "importing "
              + file.getFileName()
              + " answered "
              + r.status()
              + ": "
              + Api.abbreviate(r.body()));
    }
    JsonNode json = r.json();
    int persons = json.path("imported").path("persons").asInt();
    if (persons <= 0) {
      throw new IllegalStateException(
          "importing " + file.getFileName() + " imported no persons: " + Api.abbreviate(r.body()));
    }
    return new Run(
        label,
        family,
        persons,
        json.path("imported").path("families").asInt(),
        json.path("warningCount").asInt(),
        seconds,
        reading);
  }

  /**
   * A warm-up import of the first input, then the measured rounds of each input, and the section.
   */
  Outcome run(Input first, Input second, List<Summary> summary) {
    Markdown md = new Markdown().heading(2, TITLE);
    TreeBench.progress("import: warm-up, " + first.name());
    Run warmUp = importOnce(first.name() + " warm-up", first.file());
    List<Run> firstRuns = rounds(first);
    List<Run> secondRuns = rounds(second);

    md.paragraph(
        "Each import is one `POST /api/v1/families/{id}/gedcom` (`Content-Type: application/octet-stream`, the "
            + "file streamed from disk by java.net.http with its `Content-Length`) into a family created just "
            + "before, by its originator, over HTTP/1.1 on loopback; the time is the client's, from sending the request to the end of the response (the "
            + "whole import is one PostgreSQL transaction that has committed by then). One unmeasured warm-up import of "
            + first.name()
            + " runs first ("
            + Stats.f0(warmUp.seconds() * 1000)
            + " ms, cold JIT).");
    md.bullet(first.name() + ": " + first.origin() + ", " + bytes(first.file()));
    md.bullet(second.name() + ": " + second.origin() + ", " + bytes(second.file()));
    md.end();
    List<List<String>> rows = new ArrayList<>();
    rows.add(summaryRow(first, firstRuns));
    rows.add(summaryRow(second, secondRuns));
    md.table(
        List.of(
            "file",
            "persons / families imported",
            "warnings",
            "rounds",
            "wall time median (min – max)",
            "persons/s (median)",
            "heap before (after GC)",
            "heap peak, median (max)",
            "old gen peak, median"),
        rows);

    List<List<String>> detail = new ArrayList<>();
    for (List<Run> runs : List.of(firstRuns, secondRuns)) {
      for (Run r : runs) {
        detail.add(
            List.of(
                r.label(),
                Long.toString(r.familyId()),
                Stats.f0(r.seconds() * 1000),
                Stats.f0(r.personsPerSecond()),
                Stats.f1(HeapPeak.mib(r.heap().baseline())),
                Stats.f1(HeapPeak.mib(r.heap().peak())),
                Stats.f1(HeapPeak.mib(r.heap().oldPeak()))));
      }
    }
    md.paragraph("Every round:");
    md.table(
        List.of(
            "round",
            "family id",
            "wall ms",
            "persons/s",
            "heap before MiB",
            "heap peak MiB",
            "old gen peak MiB"),
        detail);
    md.paragraph(
        "**Heap, read with care.** The node runs in the benchmark's JVM, so these are the whole process's heap: "
            + "the node (HTTP server, import, JDBC driver), the HTTP client, the benchmark itself and the near caches, "
            + "while Redis and PostgreSQL are separate processes. Before each import the benchmark calls `System.gc()` "
            + "and resets the peak usage of the heap pools ("
            + heap.describe()
            + "); afterwards it sums the pools' "
            + "peak `used`. The pools peak at different moments, so the sum overstates the heap in use at any one time, "
            + "and the young generation fills with garbage until the collector runs, so with a large maximum heap the "
            + "peak mostly shows how far G1 let the young generation grow. The old-generation peak is closer to what "
            + "the import kept alive. The run below with a small maximum heap tests directly whether the large import fits "
            + "in little memory.");
    for (Input input : List.of(first, second)) {
      List<Run> runs = input == first ? firstRuns : secondRuns;
      summary.add(
          new Summary(
              "GEDCOM import of "
                  + input.name()
                  + " over HTTP ("
                  + Stats.f0(runs.getFirst().persons())
                  + " persons imported), median of "
                  + runs.size()
                  + " rounds",
              Stats.f0(Stats.median(runs.stream().map(Run::seconds).toList()) * 1000)
                  + " ms, "
                  + Stats.f0(Stats.median(runs.stream().map(Run::personsPerSecond).toList()))
                  + " persons/s",
              "heap peak (whole JVM, sum of pool peaks) "
                  + Stats.f0(
                      HeapPeak.mib(
                          (long)
                              Stats.median(
                                  runs.stream().map(r -> (double) r.heap().peak()).toList())))
                  + " MiB from "
                  + Stats.f0(
                      HeapPeak.mib(
                          (long)
                              Stats.median(
                                  runs.stream().map(r -> (double) r.heap().baseline()).toList())))
                  + " MiB before",
              ""));
    }
    return new Outcome(md, firstRuns.getLast().familyId());
  }

  private List<Run> rounds(Input input) {
    List<Run> runs = new ArrayList<>();
    for (int i = 1; i <= input.rounds(); i++) {
      TreeBench.progress("import: " + input.name() + ", round " + i + "/" + input.rounds());
      Run r = importOnce(input.name() + " #" + i, input.file());
      TreeBench.progress(
          String.format(
              Locale.ROOT,
              "import: %d persons in %.0f ms, heap peak %.0f MiB",
              r.persons(),
              r.seconds() * 1000,
              HeapPeak.mib(r.heap().peak())));
      runs.add(r);
    }
    return runs;
  }

  private static List<String> summaryRow(Input input, List<Run> runs) {
    List<Double> seconds = runs.stream().map(Run::seconds).toList();
    double min = seconds.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    double max = seconds.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    Run any = runs.getFirst();
    return List.of(
        input.name(),
        Stats.f0(any.persons()) + " / " + Stats.f0(any.families()),
        Stats.f0(any.warnings()),
        Integer.toString(runs.size()),
        "**"
            + Stats.f0(Stats.median(seconds) * 1000)
            + " ms** ("
            + Stats.f0(min * 1000)
            + " – "
            + Stats.f0(max * 1000)
            + ")",
        "**" + Stats.f0(Stats.median(runs.stream().map(Run::personsPerSecond).toList())) + "**",
        Stats.f1(
                HeapPeak.mib(
                    (long)
                        Stats.median(
                            runs.stream().map(r -> (double) r.heap().baseline()).toList())))
            + " MiB",
        Stats.f1(
                HeapPeak.mib(
                    (long) Stats.median(runs.stream().map(r -> (double) r.heap().peak()).toList())))
            + " MiB ("
            + Stats.f1(HeapPeak.mib(runs.stream().mapToLong(r -> r.heap().peak()).max().orElse(0)))
            + ")",
        Stats.f1(
                HeapPeak.mib(
                    (long)
                        Stats.median(runs.stream().map(r -> (double) r.heap().oldPeak()).toList())))
            + " MiB");
  }

  private static String bytes(Path file) {
    try {
      return String.format(Locale.ROOT, "%,d bytes", Files.size(file));
    } catch (IOException e) {
      return "size unknown";
    }
  }

  /** What the bounded-heap child JVM did. */
  record ChildResult(
      boolean passed,
      String command,
      int exitCode,
      double wallSeconds,
      int persons,
      double importSeconds,
      double peakHeapMib,
      int maxHeapMib,
      String failure) {}

  /**
   * Imports {@code file} in a separate JVM limited to {@code maxHeapMib} that starts its own Redis,
   * PostgreSQL and node ({@code TreeBench --import-only}). Call it while no other node runs, so
   * that it has the machine alone.
   */
  static ChildResult boundedHeapImport(Path file, int maxHeapMib) {
    List<String> command =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx" + maxHeapMib + "m",
            "-cp",
            System.getProperty("java.class.path"),
            Bench.class.getName(),
            "tree",
            "--import-only",
            file.toString());
    String shown =
        "java -Xmx"
            + maxHeapMib
            + "m -cp kinhub-bench.jar "
            + Bench.class.getName()
            + " tree --import-only <"
            + file.getFileName()
            + ">";
    Path out = null;
    Process child = null;
    Thread stopChild = null;
    long t0 = System.nanoTime();
    try {
      out = Files.createTempFile("kinhub-treebench-child", ".txt");
      child =
          new ProcessBuilder(command)
              .redirectOutput(out.toFile())
              .redirectError(ProcessBuilder.Redirect.INHERIT)
              .start();
      Process started = child;
      // on Ctrl-C: SIGTERM, so that the child's own hook stops its node, Redis and PostgreSQL
      stopChild =
          new Thread(
              () -> {
                started.destroy();
                try {
                  started.waitFor(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              },
              "treebench-stop-child");
      Runtime.getRuntime().addShutdownHook(stopChild);
      if (!child.waitFor(CHILD_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        return new ChildResult(
            false,
            shown,
            -1,
            (System.nanoTime() - t0) / 1e9,
            0,
            Double.NaN,
            Double.NaN,
            maxHeapMib,
            "did not finish within " + CHILD_TIMEOUT.toSeconds() + " s");
      }
      double wall = (System.nanoTime() - t0) / 1e9;
      String text = Files.readString(out, StandardCharsets.UTF_8);
      Matcher m = CHILD_LINE.matcher(text);
      if (child.exitValue() != 0 || !m.find()) {
        return new ChildResult(
            false,
            shown,
            child.exitValue(),
            wall,
            0,
            Double.NaN,
            Double.NaN,
            maxHeapMib,
            "exit status " + child.exitValue() + "; output: " + Api.abbreviate(text));
      }
      return new ChildResult(
          true,
          shown,
          0,
          wall,
          Integer.parseInt(m.group(1)),
          Double.parseDouble(m.group(2)),
          Double.parseDouble(m.group(3)),
          Integer.parseInt(m.group(4)),
          null);
    } catch (IOException e) {
      return new ChildResult(
          false,
          shown,
          -1,
          (System.nanoTime() - t0) / 1e9,
          0,
          Double.NaN,
          Double.NaN,
          maxHeapMib,
          "cannot run the child JVM: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } finally {
      if (child != null && child.isAlive()) {
        child.destroy();
        try {
          if (!child.waitFor(30, TimeUnit.SECONDS)) {
            child.destroyForcibly();
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          child.destroyForcibly();
        }
      }
      if (stopChild != null) {
        try {
          Runtime.getRuntime().removeShutdownHook(stopChild);
        } catch (IllegalStateException e) {
          // already shutting down: the hook runs
        }
      }
      if (out != null) {
        try {
          Files.deleteIfExists(out);
        } catch (IOException e) {
          // best effort
        }
      }
    }
  }

  /** The bounded-heap run as a section. */
  static Markdown childSection(
      ChildResult c, String fileName, int expectedPersons, List<Summary> summary) {
    Markdown md = new Markdown().heading(3, "Import with a " + c.maxHeapMib() + " MiB heap");
    md.paragraph(
        "A separate JVM, `"
            + c.command()
            + "`, starts its own Redis, PostgreSQL and node and imports "
            + fileName
            + " once over HTTP (started after this run's node had stopped, so it had the machine alone).");
    boolean complete = c.passed() && c.persons() == expectedPersons;
    md.table(
        List.of(
            "result",
            "persons imported",
            "import wall time",
            "whole child run (JVM, backends, node, import)",
            "heap peak in the child (sum of pool peaks)",
            "child max heap"),
        List.of(
            List.of(
                complete
                    ? "**pass**"
                    : "**fail**" + (c.failure() == null ? "" : ": " + c.failure()),
                c.passed() ? Stats.f0(c.persons()) + " of " + Stats.f0(expectedPersons) : "–",
                c.passed() ? Stats.f0(c.importSeconds() * 1000) + " ms" : "–",
                Stats.f1(c.wallSeconds()) + " s",
                c.passed() ? Stats.f1(c.peakHeapMib()) + " MiB" : "–",
                c.maxHeapMib() + " MiB")));
    summary.add(
        new Summary(
            "Import of " + fileName + " by a separate JVM with -Xmx" + c.maxHeapMib() + "m",
            complete
                ? "pass: "
                    + Stats.f0(c.persons())
                    + " persons in "
                    + Stats.f0(c.importSeconds() * 1000)
                    + " ms"
                : "fail",
            "heap peak in that JVM " + (c.passed() ? Stats.f0(c.peakHeapMib()) + " MiB" : "–"),
            complete ? "pass" : "fail"));
    return md;
  }
}
