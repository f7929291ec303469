package io.kinhub.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.List;

/**
 * Heap use of this JVM around one operation: {@link #start} collects garbage and resets the peak of
 * every heap pool; {@link #stop} sums the pools' peaks. The pools peak at different moments, so the
 * sum is an upper bound of the heap ever in use at once; and young-generation pools fill with
 * garbage until the collector runs, so the peak shows how far the collector let the heap grow
 * rather than how much was live.
 */
final class HeapPeak {
  /**
   * Heap in use after a full collection before the operation, and the peaks during it, in bytes.
   */
  record Reading(long baseline, long peak, long oldPeak) {}

  private final List<MemoryPoolMXBean> pools =
      ManagementFactory.getMemoryPoolMXBeans().stream()
          .filter(p -> p.getType() == MemoryType.HEAP && p.isValid())
          .toList();
  private long baseline;

  /**
   * Collects garbage (twice, so that what finalization freed goes too) and resets the pools' peaks.
   */
  void start() {
    System.gc();
    System.gc();
    baseline = pools.stream().mapToLong(p -> p.getUsage().getUsed()).sum();
    pools.forEach(MemoryPoolMXBean::resetPeakUsage);
  }

  /** The peaks since {@link #start}; {@code oldPeak} is that of the old-generation pools alone. */
  Reading stop() {
    long peak = pools.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
    long old =
        pools.stream()
            .filter(p -> isOld(p.getName()))
            .mapToLong(p -> p.getPeakUsage().getUsed())
            .sum();
    return new Reading(baseline, peak, old);
  }

  private static boolean isOld(String pool) {
    return pool.contains("Old Gen") || pool.contains("Tenured");
  }

  /** The heap pools and the collector, for the report. */
  String describe() {
    return "heap pools "
        + String.join(", ", pools.stream().map(MemoryPoolMXBean::getName).toList())
        + "; collectors "
        + String.join(
            ", ",
            ManagementFactory.getGarbageCollectorMXBeans().stream().map(b -> b.getName()).toList())
        + "; max heap "
        + Runtime.getRuntime().maxMemory() / (1024 * 1024)
        + " MiB";
  }

  static double mib(long bytes) {
    return bytes / (1024.0 * 1024.0);
  }
}
