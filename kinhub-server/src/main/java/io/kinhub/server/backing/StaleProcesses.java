package io.kinhub.server.backing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds and stops an embedded Redis or PostgreSQL left running by a previous Kinhub process that
 * died without stopping them (kill -9, power loss of the JVM only). A pid from a pid file is
 * trusted only when {@code /proc/<pid>} confirms it: the command line names the expected program
 * and its working directory is the data directory (Redis changes into its {@code dir}, PostgreSQL
 * into its data dir).
 */
public final class StaleProcesses {
  private static final Logger log = LoggerFactory.getLogger(StaleProcesses.class);

  private StaleProcesses() {}

  /**
   * Stops the process named in {@code pidFile} if it really is {@code program} running in {@code
   * dir}.
   */
  static void stopIfOrphan(Path pidFile, Path dir, String program, String signal) {
    Optional<Long> pid = readPid(pidFile);
    if (pid.isEmpty()) {
      return;
    }
    if (!isProgramIn(pid.get(), dir, program)) {
      log.info("ignoring stale {} (pid {} is not {} in {})", pidFile, pid.get(), program, dir);
      return;
    }
    log.warn(
        "found {} (pid {}) left running in {} by an earlier run that did not stop cleanly; stopping it",
        program,
        pid.get(),
        dir);
    signal(pid.get(), signal);
    if (!waitForExit(pid.get(), Duration.ofSeconds(30))) {
      log.warn("{} (pid {}) did not stop within 30 s; killing it", program, pid.get());
      signal(pid.get(), "KILL");
      waitForExit(pid.get(), Duration.ofSeconds(10));
    }
  }

  public static Optional<Long> readPid(Path pidFile) {
    try {
      if (!Files.isRegularFile(pidFile)) {
        return Optional.empty();
      }
      List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
      return lines.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(lines.get(0).trim()));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  static boolean isProgramIn(long pid, Path dir, String program) {
    Path proc = Path.of("/proc", Long.toString(pid));
    try {
      String cmdline =
          Files.readString(proc.resolve("cmdline"), StandardCharsets.UTF_8).replace('\0', ' ');
      Path cwd = Files.readSymbolicLink(proc.resolve("cwd"));
      return cmdline.contains(program) && cwd.toRealPath().equals(dir.toRealPath());
    } catch (IOException | SecurityException e) {
      return false;
    }
  }

  /** Whether any live process is {@code program} running in {@code dir}. */
  static boolean anyRunningIn(Path dir, String program) {
    try (var procs = Files.list(Path.of("/proc"))) {
      return procs
          .map(p -> p.getFileName().toString())
          .filter(n -> n.chars().allMatch(Character::isDigit))
          .anyMatch(n -> isProgramIn(Long.parseLong(n), dir, program));
    } catch (IOException e) {
      return false;
    }
  }

  private static void signal(long pid, String signal) {
    try {
      new ProcessBuilder("kill", "-" + signal, Long.toString(pid))
          .inheritIO()
          .start()
          .waitFor(5, TimeUnit.SECONDS);
    } catch (IOException e) {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Whether the process has exited (a zombie waiting for its parent to reap it counts as exited).
   */
  static boolean gone(long pid) {
    Optional<ProcessHandle> handle = ProcessHandle.of(pid);
    return handle.isEmpty() || !handle.get().isAlive() || isZombie(pid);
  }

  static boolean waitForExit(long pid, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (gone(pid)) {
        return true;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return false;
  }

  private static boolean isZombie(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      int close = stat.lastIndexOf(')');
      return close > 0 && stat.length() > close + 2 && stat.charAt(close + 2) == 'Z';
    } catch (IOException e) {
      return true;
    }
  }
}
