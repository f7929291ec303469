package io.kinhub.bench;

import io.kinhub.bench.runner.BenchRun;
import io.kinhub.bench.runner.Machine;
import io.kinhub.bench.runner.RunHeader;
import io.kinhub.bench.runner.Scenario;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The genealogy benchmark (issue 6): starts an embedded Redis, an embedded PostgreSQL and one
 * Kinhub node in this JVM, then measures in one run
 *
 * <ol>
 *   <li>GEDCOM import over HTTP, royal92.ged and a generated file of 50,000 persons: wall time,
 *       persons per second and this JVM's heap during each import; then one import of the generated
 *       file by a separate JVM with {@code -Xmx256m} ({@link ImportScenario}),
 *   <li>the cost of a permission check on a near-cache hit against the database lookup, with JMH
 *       ({@link PermissionScenario}, {@code io.kinhub.bench.jmh.PermissionCheckBenchmark}),
 *   <li>{@code GET /tree} throughput of the royal92 family, full and {@code 304}, against {@code
 *       GET /health}, with wrk ({@link TreeReadScenario}),
 * </ol>
 *
 * and prints a Markdown report to stdout (and to {@code --out}); progress goes to stderr. The node
 * is stopped before the separate JVM and the JMH forks run, so that one of them at a time has the
 * machine.
 *
 * <pre>
 *   ./kinhub bench tree --out docs/bench-tree.md
 *   ./kinhub bench tree --quick      # smoke test
 * </pre>
 */
public final class TreeBench implements Scenario {
  private static final long STARTED = System.nanoTime();
  private static final long SEED = 20_061_000L;
  private static final int CHILD_HEAP_MIB = 256;
  static final String USAGE =
      """
      Usage: ./kinhub bench tree [options]

      Starts an embedded Redis, PostgreSQL and one Kinhub node in this JVM and measures GEDCOM imports, permission
      checks (JMH) and GET /tree throughput (wrk); prints a Markdown report (also written to --out).

        --out FILE          also write the report to FILE
        --fixtures DIR      directory holding royal92.ged (default $KINHUB_BENCH_FIXTURES, else
                            kinhub-bench/fixtures; the run is skipped when the file is absent)
        --persons N         persons in the generated GEDCOM file (default 50000)
        --no-jmh            skip the JMH permission benchmark
        --quick             smoke test: 2 + 1 import rounds of royal92 and a 5,000-person file, one 2 s round of
                            GET /tree, JMH with one 1 s iteration
        --import-only FILE  (used by the run itself) start a node, import FILE once, print one result line
        --help              this text
      """;

  private final Path out;
  private final Path fixtures;
  private final int generatedPersons;
  private final boolean jmh;
  private final boolean quick;

  /**
   * Instantiated by the runner ({@code io.kinhub.bench.Bench}); the options come with {@link
   * #run(BenchRun)}.
   */
  public TreeBench() {
    this(null, null, 0, false, false);
  }

  @Override
  public String name() {
    return "tree";
  }

  @Override
  public String summary() {
    return "GEDCOM import, permission checks (JMH), GET /tree (one node)";
  }

  @Override
  public String help() {
    return USAGE;
  }

  @Override
  public boolean writesOwnHeader() {
    return true;
  }

  private TreeBench(Path out, Path fixtures, int generatedPersons, boolean jmh, boolean quick) {
    this.out = out;
    this.fixtures = fixtures;
    this.generatedPersons = generatedPersons;
    this.jmh = jmh;
    this.quick = quick;
  }

  @Override
  public int run(BenchRun bench) {
    String[] args = bench.args();
    Path out = null;
    String fixtures = null;
    Path importOnly = null;
    int persons = 50_000;
    boolean jmh = true;
    boolean quick = false;
    try {
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--out" -> out = Path.of(value(args, ++i));
          case "--fixtures" -> fixtures = value(args, ++i);
          case "--import-only" -> importOnly = Path.of(value(args, ++i));
          case "--persons" -> persons = positive(args, ++i);
          case "--no-jmh" -> jmh = false;
          case "--quick" -> quick = true;
          default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'");
        }
      }
    } catch (IllegalArgumentException e) {
      throw e;
    }
    if (importOnly != null) {
      return importOnly(importOnly);
    }
    Path royal = BenchRun.fixtures(fixtures).resolve("royal92.ged");
    if (!Files.isReadable(royal)) {
      System.err.println(
          "treebench: "
              + royal
              + " not found; skipped (the file is not part of the repository: give the folder "
              + "holding it with --fixtures DIR or "
              + BenchRun.FIXTURES_ENV
              + ")");
      return 0;
    }
    if (quick && persons == 50_000) {
      persons = 5_000;
    }
    return new TreeBench(out, royal.getParent(), persons, jmh, quick).run(args, bench);
  }

  private static String value(String[] args, int i) {
    if (i >= args.length) {
      throw new IllegalArgumentException(args[i - 1] + " needs a value");
    }
    return args[i];
  }

  private static int positive(String[] args, int i) {
    String v = value(args, i);
    try {
      int n = Integer.parseInt(v);
      if (n >= 2 && n <= 5_000_000) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        args[i - 1] + " must be a number from 2 to 5000000, not '" + v + "'");
  }

  /** A progress line on stderr with the seconds since start. */
  static void progress(String message) {
    System.err.printf(
        Locale.ROOT, "[treebench %6.1f s] %s%n", (System.nanoTime() - STARTED) / 1e9, message);
  }

  /**
   * The child side of the bounded-heap run: one node, one import, one line on stdout. Returns the
   * exit status.
   */
  private static int importOnly(Path file) {
    BenchMain.startWatchdog(Duration.ofMinutes(10).toSeconds());
    SingleNode node = null;
    Thread hook = null;
    try {
      progress(
          "import-only: starting Redis, PostgreSQL and a node (max heap "
              + Runtime.getRuntime().maxMemory() / (1024 * 1024)
              + " MiB)");
      node = SingleNode.start("treebench-bounded");
      SingleNode started = node;
      hook = new Thread(started::close, "treebench-child-cleanup");
      Runtime.getRuntime().addShutdownHook(hook);
      SingleNode.User user = node.signUp("bounded@bench.kinhub.test", "Bounded Heap");
      ImportScenario.Run r = new ImportScenario(node, user).importOnce("bounded", file);
      System.out.printf(
          Locale.ROOT,
          "import-only: persons=%d seconds=%.3f peak-heap-mib=%.1f max-heap-mib=%d%n",
          r.persons(),
          r.seconds(),
          HeapPeak.mib(r.heap().peak()),
          Runtime.getRuntime().maxMemory() / (1024 * 1024));
      System.out.flush();
      return 0;
    } catch (RuntimeException | Error e) {
      System.err.println("treebench: import-only failed: " + e);
      return 1;
    } finally {
      if (node != null) {
        node.close();
      }
      if (hook != null) {
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
          // already shutting down
        }
      }
    }
  }

  private int run(String[] args, BenchRun bench) {
    String head = RunHeader.markdown("Kinhub genealogy benchmark results (issue 6)", args, quick);
    BenchMain.startWatchdog(Duration.ofMinutes(quick ? 10 : 25).toSeconds());
    List<Summary> summary = new ArrayList<>();
    Markdown importSection = null;
    List<Markdown> sections = new ArrayList<>();
    Markdown setup = new Markdown().heading(2, "Set-up");
    boolean failed = false;
    int rounds = quick ? 2 : 5;
    int bigRounds = quick ? 1 : 3;
    int treeRounds = quick ? 1 : 3;
    int treeSeconds = quick ? 2 : 10;
    int treeWarmup = quick ? 1 : 5;
    Path tmp = null;
    SingleNode[] node = new SingleNode[1];
    Thread hook =
        new Thread(
            () -> {
              if (node[0] != null) {
                node[0].close();
              }
            },
            "treebench-cleanup");
    Runtime.getRuntime().addShutdownHook(hook);
    ImportScenario.Outcome imported = null;
    GedcomGenerator.Generated generated = null;
    Path royal = fixtures.resolve("royal92.ged");
    try {
      if (!Files.isReadable(royal)) {
        throw new IllegalStateException(
            "cannot read " + royal + " (set the directory with --fixtures DIR)");
      }
      tmp = Files.createTempDirectory("kinhub-treebench-");
      long g0 = System.nanoTime();
      generated =
          GedcomGenerator.write(
              tmp.resolve("generated-" + generatedPersons + ".ged"), generatedPersons, SEED);
      progress(
          String.format(
              Locale.ROOT,
              "generated %d persons, %d families, %d generations, %,d bytes in %d ms",
              generated.persons(),
              generated.families(),
              generated.generations(),
              generated.bytes(),
              (System.nanoTime() - g0) / 1_000_000));
      progress("starting Redis, PostgreSQL and the node");
      node[0] = SingleNode.start("treebench");
      SingleNode.User user = node[0].signUp("treebench@bench.kinhub.test", "Tree Bench");
      setup.bullet(node[0].describe());
      setup.bullet(
          "one account, the originator of every family the run creates; HTTP/1.1 on 127.0.0.1");
      setup.bullet(
          "the benchmark clients, the node and the backends share this machine's "
              + Machine.cores()
              + " cores; absolute numbers are of this machine only");
      setup.end();

      ImportScenario importer = new ImportScenario(node[0], user);
      ImportScenario.Input first =
          new ImportScenario.Input(
              "royal92.ged",
              royal,
              rounds,
              "the fixture (PAF 2.2, GEDCOM 5.5, ANSEL), read from " + royal);
      String name = String.format(Locale.ROOT, "generated %,d persons", generated.persons());
      ImportScenario.Input second =
          new ImportScenario.Input(
              name,
              generated.file(),
              bigRounds,
              "written by `GedcomGenerator` into a temporary file (seed "
                  + SEED
                  + "; "
                  + generated.generations()
                  + " generations, "
                  + String.format(Locale.ROOT, "%,d", generated.families())
                  + " FAM records, UTF-8; NAME, SEX, "
                  + "BIRT/DEAT with DATE and PLAC, FAMC/FAMS, inline NOTEs with CONC/CONT and NOTE records)");
      List<ImportScenario.Outcome> holder = new ArrayList<>();
      List<Markdown> importSections = new ArrayList<>();
      failed |=
          BenchMain.scenario(
              importSections,
              ImportScenario.TITLE,
              () -> {
                ImportScenario.Outcome o = importer.run(first, second, summary);
                holder.add(o);
                return o.section();
              });
      importSection = importSections.getFirst();
      imported = holder.isEmpty() ? null : holder.getFirst();

      List<Markdown> treeSections = new ArrayList<>();
      if (imported == null) {
        treeSections.add(
            new Markdown()
                .heading(2, TreeReadScenario.TITLE)
                .paragraph("**Not run:** the imports failed."));
        failed = true;
      } else if (!Wrk.installed()) {
        treeSections.add(
            new Markdown()
                .heading(2, TreeReadScenario.TITLE)
                .paragraph(
                    "**Not run:** wrk is not installed; install it with `"
                        + Wrk.INSTALL_HINT
                        + "`."));
        failed = true;
      } else {
        long family = imported.lastFamilyOfFirst();
        SingleNode n = node[0];
        failed |=
            BenchMain.scenario(
                treeSections,
                TreeReadScenario.TITLE,
                () ->
                    new TreeReadScenario(
                            n, user, new Wrk(2, 32), treeRounds, treeSeconds, treeWarmup)
                        .run(family, summary));
      }
      progress("stopping the node, Redis and PostgreSQL");
      node[0].close();
      node[0] = null;

      progress(
          "import: "
              + generated.file().getFileName()
              + " by a separate JVM with -Xmx"
              + CHILD_HEAP_MIB
              + "m");
      ImportScenario.ChildResult child =
          ImportScenario.boundedHeapImport(generated.file(), CHILD_HEAP_MIB);
      importSection.append(ImportScenario.childSection(child, name, generated.persons(), summary));
      failed |= !child.passed();
      sections.add(importSection);

      if (jmh) {
        PermissionScenario permissions =
            quick ? new PermissionScenario(1, 1, 1) : new PermissionScenario(3, 5, 2);
        progress("JMH: " + permissions.command());
        failed |=
            BenchMain.scenario(sections, PermissionScenario.TITLE, () -> permissions.run(summary));
      } else {
        sections.add(
            new Markdown().heading(2, PermissionScenario.TITLE).paragraph("Skipped (`--no-jmh`)."));
      }
      sections.addAll(treeSections);
    } catch (Exception | Error e) {
      failed = true;
      setup.paragraph("**Failed:** " + e);
      System.err.println("treebench: failed: " + e);
      if (importSection != null && !sections.contains(importSection)) {
        sections.add(importSection);
      }
    } finally {
      if (node[0] != null) {
        progress("stopping the node, Redis and PostgreSQL");
        node[0].close();
      }
      if (tmp != null) {
        BenchRun.deleteRecursively(tmp);
      }
    }

    Markdown report = new Markdown().raw(head);
    report.heading(2, "Summary");
    if (summary.isEmpty()) {
      report.paragraph("No measurement completed.");
    } else {
      List<List<String>> rows = new ArrayList<>();
      for (Summary s : summary) {
        rows.add(List.of(s.measure(), s.result(), s.goal(), s.verdict()));
      }
      report.table(List.of("measure", "result (medians)", "context / anchor", "note"), rows);
    }
    report.append(setup);
    sections.forEach(report::append);
    report.paragraph(
        "Load average at the end (1, 5, 15 min): "
            + Machine.loadAverage()
            + ". Total time: "
            + Duration.ofNanos(System.nanoTime() - STARTED).toSeconds()
            + " s.");
    bench.report(report.toString());
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // already shutting down
    }
    return failed ? 1 : 0;
  }
}
