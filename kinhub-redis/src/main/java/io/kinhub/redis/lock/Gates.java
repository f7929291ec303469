package io.kinhub.redis.lock;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * One fair local gate per lock name, so callers of one process that want the same lock queue here
 * and only the head of the queue asks Redis: a release hands the lock to the next local caller
 * without a polling delay, and Redis sees one contender per process instead of many. Gates exist
 * only while someone uses them.
 */
final class Gates {
  private static final class Gate {
    final Semaphore permit = new Semaphore(1, true);
    int users;
  }

  private final ConcurrentHashMap<String, Gate> gates = new ConcurrentHashMap<>();

  /**
   * Passes the gate of {@code name} within {@code timeoutNanos}; returns the action that reopens it
   * (run it exactly once), or null when the time ran out.
   */
  Runnable pass(String name, long timeoutNanos) throws InterruptedException {
    Gate gate =
        gates.compute(
            name,
            (k, g) -> {
              Gate v = g == null ? new Gate() : g;
              v.users++;
              return v;
            });
    boolean passed = false;
    try {
      passed = gate.permit.tryAcquire(Math.max(0, timeoutNanos), TimeUnit.NANOSECONDS);
    } finally {
      if (!passed) {
        leave(name);
      }
    }
    if (!passed) {
      return null;
    }
    return () -> {
      gate.permit.release();
      leave(name);
    };
  }

  /** Gates currently in use (for tests: they must not pile up). */
  int size() {
    return gates.size();
  }

  private void leave(String name) {
    gates.computeIfPresent(name, (k, g) -> --g.users == 0 ? null : g);
  }
}
