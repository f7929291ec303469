package io.kinhub.bench.runner;

/**
 * One benchmark that {@link Runner} can run by name: {@code ./kinhub bench NAME [ARGS]}.
 *
 * <p>A scenario parses its own arguments ({@link BenchRun#args()}), registers everything it starts
 * with {@link BenchRun#closeAtEnd} (or closes it itself with try-with-resources), takes temporary
 * directories from {@link BenchRun#tempDir} and hands its Markdown to {@link BenchRun#report}; the
 * runner writes the report to stdout and {@code --out FILE}, and stops what was registered at the
 * end, on failure and on Ctrl-C.
 */
public interface Scenario {
  /** The name given on the command line, e.g. {@code tree-page}. */
  String name();

  /** One line for the list of scenarios. */
  String summary();

  /** The scenario's options, printed by {@code NAME --help}. */
  String help();

  /**
   * Whether the scenario writes its own run header (machine, command line); otherwise the runner
   * puts {@link RunHeader#markdown} first.
   */
  default boolean writesOwnHeader() {
    return false;
  }

  /** Runs the scenario; returns the process exit status (0: everything measured). */
  int run(BenchRun run) throws Exception;
}
