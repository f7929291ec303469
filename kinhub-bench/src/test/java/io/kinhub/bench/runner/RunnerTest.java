package io.kinhub.bench.runner;

import static org.assertj.core.api.Assertions.assertThat;

import io.kinhub.bench.Bench;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunnerTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private Runner runner(List<Scenario> scenarios) {
    return new Runner(
        scenarios,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  /** The names the launcher's usage text documents (the lines under "bench [NAME] [ARGS]"). */
  private static List<String> documentedNames() throws IOException {
    String script = Files.readString(Path.of("..", "kinhub"));
    String usage =
        script.substring(script.indexOf("bench [NAME] [ARGS]"), script.indexOf("  jar "));
    List<String> names = new ArrayList<>();
    Matcher m = Pattern.compile("(?m)^ {24}([a-z][a-z-]*) {2,}").matcher(usage);
    while (m.find()) {
      names.add(m.group(1));
    }
    Matcher also =
        Pattern.compile("also ([a-z, -]+?)\\)", Pattern.DOTALL)
            .matcher(usage.replaceAll("\\s+", " "));
    if (also.find()) {
      for (String name : also.group(1).split(",")) {
        names.add(name.strip());
      }
    }
    return names;
  }

  @Test
  void everyDocumentedName_resolvesAndPrintsHelp_withoutStartingAnything() throws IOException {
    List<String> names = documentedNames();
    assertThat(names)
        .contains("main", "tree", "tree-page", "jobs", "pages", "feed", "lock", "capacity");
    for (String name : names) {
      out.reset();
      int exit = runner(Bench.scenarios()).execute(new String[] {name, "--help"});
      assertThat(exit).as(name).isZero();
      assertThat(out()).as(name + " --help").isNotBlank();
    }
  }

  @Test
  void list_namesEveryScenarioOnce() {
    int exit = runner(Bench.scenarios()).execute(new String[] {"--list"});
    assertThat(exit).isZero();
    for (Scenario s : Bench.scenarios()) {
      assertThat(out().lines().filter(l -> l.startsWith("  " + s.name() + " ")).count())
          .as(s.name())
          .isEqualTo(1);
    }
  }

  @Test
  void noName_runsMain_andAnUnknownNameIsAUsageError() {
    assertThat(runner(Bench.scenarios()).execute(new String[] {"--help"})).isZero();
    assertThat(out()).contains("tree-page");
    out.reset();
    assertThat(runner(Bench.scenarios()).execute(new String[] {"--quick", "--help"})).isZero();
    assertThat(out())
        .isEqualTo(new Runner(Bench.scenarios(), System.out, System.err).find("main").help());
    assertThat(runner(Bench.scenarios()).execute(new String[] {"no-such-bench"})).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown benchmark 'no-such-bench'");
  }

  /** A scenario that opens two resources and a temporary directory, then ends as told. */
  private static final class Probe implements Scenario {
    final AtomicInteger closedA = new AtomicInteger();
    final AtomicInteger closedB = new AtomicInteger();
    final List<String> order = new ArrayList<>();
    Path temp;
    final boolean fail;

    Probe(boolean fail) {
      this.fail = fail;
    }

    @Override
    public String name() {
      return "probe";
    }

    @Override
    public String summary() {
      return "test";
    }

    @Override
    public String help() {
      return "probe help\n";
    }

    @Override
    public int run(BenchRun run) throws Exception {
      run.closeAtEnd(
          () -> {
            closedA.incrementAndGet();
            order.add("a");
          });
      run.closeAtEnd(
          () -> {
            closedB.incrementAndGet();
            order.add("b");
            throw new IllegalStateException("b fails to stop");
          });
      temp = run.tempDir("runner-test-");
      Files.writeString(temp.resolve("x"), "x");
      run.report("## Probe\n\nargs " + String.join(" ", run.args()) + "\n");
      if (fail) {
        throw new IllegalStateException("boom");
      }
      return 0;
    }
  }

  @Test
  void shutdownPath_closesWhatTheRunOpened_once_mostRecentFirst_andWritesTheReport(
      @TempDir Path dir) throws IOException {
    Probe probe = new Probe(false);
    Path report = dir.resolve("sub/report.md");
    int exit =
        runner(List.of(probe))
            .execute(new String[] {"probe", "--out", report.toString(), "--x", "1"});
    assertThat(exit).isZero();
    assertThat(probe.closedA).hasValue(1);
    assertThat(probe.closedB).hasValue(1);
    assertThat(probe.order).containsExactly("b", "a");
    assertThat(probe.temp).doesNotExist();
    assertThat(out())
        .contains(
            "# Kinhub benchmark: probe", "cores (availableProcessors)", "## Probe", "args --x 1");
    assertThat(Files.readString(report)).isEqualTo(out());
  }

  @Test
  void shutdownPath_closesWhatTheRunOpened_whenTheScenarioFails() {
    Probe probe = new Probe(true);
    int exit = runner(List.of(probe)).execute(new String[] {"probe"});
    assertThat(exit).isEqualTo(1);
    assertThat(probe.closedA).hasValue(1);
    assertThat(probe.closedB).hasValue(1);
    assertThat(probe.temp).doesNotExist();
    assertThat(out()).contains("**Failed:** java.lang.IllegalStateException: boom");
  }

  @Test
  void closingTwice_likeTheCtrlCHookAfterTheEnd_stopsNothingTwice() {
    BenchRun run = new BenchRun(List.of());
    AtomicInteger closed = new AtomicInteger();
    run.closeAtEnd(closed::incrementAndGet);
    run.close();
    run.close();
    assertThat(closed).hasValue(1);
  }

  @Test
  void fixtures_optionBeatsTheDefault() {
    assertThat(BenchRun.fixtures("/some/dir")).isEqualTo(Path.of("/some/dir"));
    if (System.getenv(BenchRun.FIXTURES_ENV) == null) {
      assertThat(BenchRun.fixtures(null)).isEqualTo(BenchRun.DEFAULT_FIXTURES);
    }
  }
}
