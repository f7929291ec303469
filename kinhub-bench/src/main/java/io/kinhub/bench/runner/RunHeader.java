package io.kinhub.bench.runner;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The run header every report starts with: when, the exact command line, the machine and {@code
 * java -version}.
 */
public final class RunHeader {
  private RunHeader() {}

  /**
   * The header as Markdown, under a first-level {@code title}; {@code quick} marks a smoke-test
   * run.
   */
  public static String markdown(String title, String[] args, boolean quick) {
    StringBuilder md = new StringBuilder();
    md.append("# ").append(title).append("\n\n");
    md.append("Run ")
        .append(Instant.now().truncatedTo(ChronoUnit.SECONDS))
        .append(
            quick
                ? " in **--quick** mode (tiny counts and durations: a smoke test, not a measurement)."
                : ".")
        .append("\n\n");
    md.append("Command line:\n\n```sh\n").append(Machine.commandLine(args)).append("\n```\n\n");
    md.append("- cores (availableProcessors): ").append(Machine.cores()).append('\n');
    md.append("- CPU: ").append(Machine.cpuModel()).append('\n');
    md.append("- memory: ")
        .append(Machine.memory())
        .append("; JVM max heap ")
        .append(Runtime.getRuntime().maxMemory() / (1024 * 1024))
        .append(" MiB\n");
    md.append("- OS: ")
        .append(System.getProperty("os.name"))
        .append(' ')
        .append(System.getProperty("os.version"))
        .append(' ')
        .append(System.getProperty("os.arch"))
        .append('\n');
    md.append("- load average at start (1, 5, 15 min): ")
        .append(Machine.loadAverage())
        .append("\n\n");
    md.append("`java -version`:\n\n```\n")
        .append(Machine.javaVersion().stripTrailing())
        .append("\n```\n\n");
    return md.toString();
  }
}
