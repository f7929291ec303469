package io.kinhub.bench;

import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * CPU time consumed so far by this JVM (both nodes and the benchmark's clients) and, separately, by
 * the backend processes (Redis and PostgreSQL with its per-connection children), read from {@code
 * /proc}. A reading is cheap enough to take around every measured phase; the difference of two
 * readings is the CPU spent in between.
 */
final class CpuTime {
  /** Linux's USER_HZ: {@code /proc/<pid>/stat} counts CPU time in these ticks. */
  private static final long TICK_NANOS = 10_000_000L;

  private CpuTime() {}

  /** One reading: this JVM's CPU time and every backend process's, in nanoseconds. */
  record Reading(long jvm, Map<Long, Long> backends) {
    /**
     * Backend CPU between {@code before} and this reading; a process that appeared meanwhile counts
     * from 0.
     */
    long backendsSince(Reading before) {
      long sum = 0;
      for (Map.Entry<Long, Long> e : backends.entrySet()) {
        sum += Math.max(0, e.getValue() - before.backends().getOrDefault(e.getKey(), 0L));
      }
      return sum;
    }

    long jvmSince(Reading before) {
      return jvm - before.jvm();
    }
  }

  /** This JVM's CPU time (user + system, all threads), or -1 if the platform does not say. */
  static long jvmNanos() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return -1;
  }

  /**
   * The backend processes to read: the given roots and their descendants at this moment (finding
   * descendants walks all of {@code /proc}, so it is done once per probe, not per reading).
   */
  static List<Long> pids(List<ProcessHandle> roots) {
    List<Long> pids = new ArrayList<>();
    for (ProcessHandle root : roots) {
      if (root.isAlive()) {
        Stream.concat(Stream.of(root), root.descendants()).forEach(p -> pids.add(p.pid()));
      }
    }
    return List.copyOf(pids);
  }

  /**
   * A reading at the start of a measured interval: the backends first, this JVM last, so the
   * reading's own work is outside.
   */
  static Reading start(List<Long> pids) {
    Map<Long, Long> cpu = backends(pids);
    return new Reading(jvmNanos(), cpu);
  }

  /** A reading at the end of a measured interval: this JVM first, then the backends. */
  static Reading end(List<Long> pids) {
    long jvm = jvmNanos();
    return new Reading(jvm, backends(pids));
  }

  private static Map<Long, Long> backends(List<Long> pids) {
    Map<Long, Long> cpu = new HashMap<>();
    for (long pid : pids) {
      long ticks = ticks(pid);
      if (ticks >= 0) {
        cpu.put(pid, ticks * TICK_NANOS);
      }
    }
    return cpu;
  }

  /** utime + stime of a process in ticks, or -1 when it is gone or this is not Linux. */
  static long ticks(long pid) {
    try {
      String stat =
          Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
      // the command name (field 2) is in parentheses and may contain spaces: count fields after the
      // last ')'
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 (utime) and 15 (stime)
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** The process whose command line contains {@code fragment} (e.g. a data directory), if any. */
  static Optional<ProcessHandle> findByCommandLine(String fragment) {
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      return procs
          .filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
          .filter(
              p -> {
                try {
                  String cmd =
                      new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8)
                          .replace('\0', ' ');
                  return cmd.contains(fragment) && !cmd.contains("pg_ctl");
                } catch (IOException | RuntimeException e) {
                  return false;
                }
              })
          .map(p -> ProcessHandle.of(Long.parseLong(p.getFileName().toString())))
          .flatMap(Optional::stream)
          .filter(h -> h.pid() != ProcessHandle.current().pid())
          .min(Comparator.comparingLong(ProcessHandle::pid));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
