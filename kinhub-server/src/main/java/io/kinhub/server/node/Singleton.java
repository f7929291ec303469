package io.kinhub.server.node;

import io.kinhub.redis.RedisUnavailableException;
import io.kinhub.redis.lock.FencedLease;
import io.kinhub.redis.lock.LockOptions;
import io.kinhub.redis.lock.RedisLocks;
import io.kinhub.server.backing.Database;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.HandleCallback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Work that one node of the deployment at a time does (pruning, periodic flushes): a Redis lock per
 * task, renewed by its watchdog while the work runs, and a fencing token that every PostgreSQL
 * write of the work carries. The lock keeps the nodes from doing the work twice; the fence keeps a
 * holder that was paused past its lock's expiry from writing over the node that took over ({@link
 * Fenced#inTransaction}).
 *
 * <p>Usage: {@code singleton.runIfFree("task", ttl, fenced -> fenced.inTransaction(h -> ...))}, or
 * {@link #every} for periodic work.
 */
public final class Singleton implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Singleton.class);

  /**
   * The work; it writes through {@code fenced} and should stop when {@link Fenced#isHeld()} turns
   * false.
   */
  @FunctionalInterface
  public interface Work<R> {
    R run(Fenced fenced);
  }

  private final RedisLocks locks;
  private final Database db;
  private final String node;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().daemon().name("kinhub-singleton").factory());

  public Singleton(RedisLocks locks, Database db, String node) {
    this.locks = locks;
    this.db = db;
    this.node = node;
  }

  /**
   * Runs {@code work} if no other node is running {@code task}; empty when one is. The lock lasts
   * {@code ttl} beyond this node's last renewal, so a node that dies mid-task blocks the task for
   * at most that long.
   *
   * @throws StaleFenceException when a write of the work was refused (this node lost the task
   *     meanwhile)
   * @throws RedisUnavailableException when Redis cannot say who runs the task; nothing ran
   */
  public <R> Optional<R> runIfFree(String task, Duration ttl, Work<R> work) {
    Optional<FencedLease> got =
        locks.tryAcquire(
            "singleton:" + task,
            LockOptions.ttl(ttl)
                .watched(
                    lease ->
                        log.warn(
                            "task '{}' lost its lock while running (fence {}); its further writes are refused",
                            task,
                            ((FencedLease) lease).fence())));
    if (got.isEmpty()) {
      return Optional.empty();
    }
    FencedLease lease = got.get();
    try {
      return Optional.ofNullable(work.run(new Fenced(task, lease)));
    } finally {
      try {
        lease.release(); // waits for Redis, unlike close(): the next holder is usually on another
        // node
      } catch (RuntimeException e) {
        log.debug("releasing task '{}' failed; its lock expires by itself: {}", task, e.toString());
      }
    }
  }

  /**
   * Runs {@code work} about every {@code period} on whichever node gets the lock first; the first
   * run comes after a random part of a period, so nodes started together do not all try at once.
   * Failures are logged.
   */
  public void every(String task, Duration period, Duration ttl, Work<?> work) {
    long periodMs = period.toMillis();
    long firstMs = ThreadLocalRandom.current().nextLong(periodMs / 2, periodMs + 1);
    // the task catches its own failures, so the schedule never ends early; close() ends it
    var unused =
        timer.scheduleWithFixedDelay(
            () -> {
              try {
                runIfFree(task, ttl, work);
              } catch (StaleFenceException e) {
                log.warn("{}", e.getMessage());
              } catch (RuntimeException e) {
                log.warn("task '{}' failed: {}", task, e.toString());
              }
            },
            firstMs,
            periodMs,
            TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }

  /**
   * The holder's view of one run: its fence, whether it still holds the lock, and fenced
   * transactions.
   */
  public final class Fenced {
    private final String task;
    private final FencedLease lease;

    private Fenced(String task, FencedLease lease) {
      this.task = task;
      this.lease = lease;
    }

    /** The run's fencing token: larger than that of every earlier run of the task on any node. */
    public long fence() {
      return lease.fence();
    }

    /**
     * Whether this node may still believe it runs the task (see {@link FencedLease#isHeld()});
     * check it between steps.
     */
    public boolean isHeld() {
      return lease.isHeld();
    }

    /**
     * Runs {@code callback} in one transaction that first records this run's fence for the task,
     * and only if no larger fence has been recorded ({@code ... WHERE singleton_fence.fence <=
     * :fence}). The fence row stays locked until commit, so a stale holder's transaction either
     * commits before the new holder's first write or is refused after it; a holder's own later
     * transactions (same fence) pass.
     *
     * @throws StaleFenceException when a later holder has already written; nothing of the callback
     *     is kept
     */
    public <R> R inTransaction(HandleCallback<R, RuntimeException> callback) {
      return db.inTransaction(
          h -> {
            int recorded =
                h.createUpdate(
                        "INSERT INTO singleton_fence (task, fence, node) VALUES (:task, :fence, :node)"
                            + " ON CONFLICT (task) DO UPDATE SET fence = EXCLUDED.fence, node = EXCLUDED.node, written_at = now()"
                            + " WHERE singleton_fence.fence <= EXCLUDED.fence")
                    .bind("task", task)
                    .bind("fence", lease.fence())
                    .bind("node", node)
                    .execute();
            if (recorded == 0) {
              throw new StaleFenceException(task, lease.fence());
            }
            return callback.withHandle(h);
          });
    }
  }
}
