package io.kinhub.bench;

import io.kinhub.bench.runner.Runner;
import io.kinhub.bench.runner.Scenario;
import java.util.List;

/**
 * The one entry point of kinhub-bench ({@code ./kinhub bench [NAME] [ARGS]}): the scenarios by
 * name, run by {@link Runner}. {@code --list} lists them, {@code NAME --help} prints a scenario's
 * options.
 */
public final class Bench {
  private Bench() {}

  /** Every scenario, in the order {@code --list} shows them; {@code main} is the default. */
  public static List<Scenario> scenarios() {
    return List.of(
        new BenchMain(),
        new TreeBench(),
        new TreeBrowserBench(),
        new TreeEditBench(),
        new JobsBench(),
        new PageBench(),
        new FeedBench(),
        new GenealogyBench(),
        new LockBench(),
        new RedisModesBench(),
        new GedcomAbuseBench(),
        new CapacityProbe());
  }

  public static void main(String[] args) {
    if (System.getProperty("logback.configurationFile") == null) {
      // the server's logback.xml logs to stdout, which carries the report: log warnings to stderr
      // instead
      System.setProperty("logback.configurationFile", "kinhub-bench-logback.xml");
    }
    System.exit(new Runner(scenarios(), System.out, System.err).execute(args));
  }
}
