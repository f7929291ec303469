package io.kinhub.bench.runner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.stream.Stream;

/**
 * What one run of a {@link Scenario} shares with the runner: its arguments, the report, and the one
 * shutdown path — everything registered with {@link #closeAtEnd} is closed once, most recent first,
 * at the end, on failure or by the shutdown hook on Ctrl-C; temporary directories are deleted after
 * it.
 */
public final class BenchRun implements AutoCloseable {
  /**
   * Environment variable naming the fixtures directory (the folder holding e.g. {@code
   * royal92.ged}).
   */
  public static final String FIXTURES_ENV = "KINHUB_BENCH_FIXTURES";

  /**
   * Default fixtures directory, relative to the repository root (the launcher's working directory).
   */
  public static final Path DEFAULT_FIXTURES = Path.of("kinhub-bench", "fixtures");

  private final List<String> args;
  private final StringBuilder report = new StringBuilder();
  private final Deque<AutoCloseable> resources = new ArrayDeque<>();
  private boolean closed;

  public BenchRun(List<String> args) {
    this.args = List.copyOf(args);
  }

  /** The scenario's own arguments (the runner has taken out the name and {@code --out FILE}). */
  public String[] args() {
    return args.toArray(String[]::new);
  }

  /** Registers something to stop at the end of the run (also on Ctrl-C); returns it. */
  public synchronized <T extends AutoCloseable> T closeAtEnd(T resource) {
    if (closed) {
      throw new IllegalStateException("the run has ended");
    }
    resources.push(resource);
    return resource;
  }

  /** A new temporary directory, deleted with everything in it at the end of the run. */
  public Path tempDir(String prefix) throws IOException {
    Path dir = Files.createTempDirectory(prefix);
    closeAtEnd(() -> deleteRecursively(dir));
    return dir;
  }

  /** Appends Markdown to the report. */
  public synchronized void report(CharSequence markdown) {
    report.append(markdown);
  }

  synchronized String reportText() {
    return report.toString();
  }

  /**
   * The fixtures directory: {@code option} when given (a scenario's {@code --fixtures DIR}), else
   * {@value #FIXTURES_ENV}, else {@link #DEFAULT_FIXTURES}.
   */
  public static Path fixtures(String option) {
    if (option != null && !option.isBlank()) {
      return Path.of(option);
    }
    String env = System.getenv(FIXTURES_ENV);
    return env != null && !env.isBlank() ? Path.of(env) : DEFAULT_FIXTURES;
  }

  /**
   * Stops what was registered, most recent first, once; failures are logged and do not stop the
   * others.
   */
  @Override
  public void close() {
    while (true) {
      AutoCloseable next;
      synchronized (this) {
        closed = true;
        next = resources.poll();
      }
      if (next == null) {
        return;
      }
      try {
        next.close();
      } catch (Exception e) {
        System.err.println("bench: while stopping: " + e);
      }
    }
  }

  /** Deletes a directory tree, best effort. */
  public static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (IOException ignored) {
                  // best effort: a stray file in a temporary directory is harmless
                }
              });
    } catch (IOException e) {
      System.err.println("bench: could not delete " + dir + ": " + e);
    }
  }
}
