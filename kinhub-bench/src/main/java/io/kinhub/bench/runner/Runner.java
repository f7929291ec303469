package io.kinhub.bench.runner;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The one entry point of kinhub-bench: {@code [--list | --help] | [NAME] [--out FILE] [ARGS]}.
 * Picks the {@link Scenario} by name ({@code main} when the first argument is an option or absent),
 * prints its help for {@code --help}, runs it with a {@link BenchRun}, then writes the report (the
 * {@link RunHeader} first unless the scenario writes its own) to stdout and to {@code --out}.
 * Whatever the scenario registered is stopped at the end, on failure and, through a shutdown hook,
 * on Ctrl-C.
 */
public final class Runner {
  /** The scenario run when no name is given. */
  public static final String DEFAULT = "main";

  private final List<Scenario> scenarios;
  private final PrintStream out;
  private final PrintStream err;

  public Runner(List<Scenario> scenarios, PrintStream out, PrintStream err) {
    this.scenarios = List.copyOf(scenarios);
    this.out = out;
    this.err = err;
  }

  /** The scenario called {@code name}, or null. */
  public Scenario find(String name) {
    return scenarios.stream().filter(s -> s.name().equals(name)).findFirst().orElse(null);
  }

  /** The list printed by {@code --list} and {@code --help}. */
  public String list() {
    StringBuilder sb =
        new StringBuilder("usage: bench [NAME] [--out FILE] [ARGS]   (NAME --help: its options)\n");
    for (Scenario s : scenarios) {
      sb.append(String.format("  %-13s %s%n", s.name(), s.summary()));
    }
    return sb.toString();
  }

  /** Runs the command line; returns the exit status. */
  public int execute(String[] argv) {
    List<String> args = new ArrayList<>(Arrays.asList(argv));
    if (!args.isEmpty()
        && (args.get(0).equals("--list")
            || args.get(0).equals("--help")
            || args.get(0).equals("-h"))
        && (args.size() == 1 || args.get(0).equals("--list"))) {
      out.print(list());
      return 0;
    }
    String name = args.isEmpty() || args.get(0).startsWith("-") ? DEFAULT : args.remove(0);
    Scenario scenario = find(name);
    if (scenario == null) {
      err.println("bench: unknown benchmark '" + name + "'");
      err.print(list());
      return 2;
    }
    if (args.contains("--help") || args.contains("-h")) {
      out.print(scenario.help());
      return 0;
    }
    Path outFile = null;
    int at = args.indexOf("--out");
    if (at >= 0) {
      if (at + 1 >= args.size()) {
        err.println("bench: --out needs a value");
        return 2;
      }
      outFile = Path.of(args.get(at + 1));
      args.subList(at, at + 2).clear();
    }
    return run(scenario, args, outFile);
  }

  private int run(Scenario scenario, List<String> args, Path outFile) {
    int exit;
    String header =
        scenario.writesOwnHeader()
            ? ""
            : RunHeader.markdown(
                "Kinhub benchmark: " + scenario.name(),
                args.toArray(String[]::new),
                args.contains("--quick"));
    try (BenchRun run = new BenchRun(args)) {
      Thread hook = new Thread(run::close, "bench-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      try {
        exit = scenario.run(run);
      } catch (IllegalArgumentException e) {
        err.println("bench " + scenario.name() + ": " + e.getMessage());
        err.print(scenario.help());
        exit = 2;
      } catch (Exception | Error e) {
        err.println("bench " + scenario.name() + ": failed: " + e);
        e.printStackTrace(err);
        run.report("\n**Failed:** " + e + "\n");
        exit = 1;
      } finally {
        run.close();
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
          // the hook is running or has run: nothing to remove
        }
      }
      String report = run.reportText();
      if (report.isEmpty()) {
        return exit;
      }
      String text = header + report;
      out.print(text);
      out.flush();
      if (outFile != null) {
        try {
          if (outFile.toAbsolutePath().getParent() != null) {
            Files.createDirectories(outFile.toAbsolutePath().getParent());
          }
          Files.writeString(outFile, text, StandardCharsets.UTF_8);
          err.println("bench: report written to " + outFile);
        } catch (IOException e) {
          err.println("bench: could not write " + outFile + ": " + e);
          exit = Math.max(exit, 1);
        }
      }
    }
    return exit;
  }
}
