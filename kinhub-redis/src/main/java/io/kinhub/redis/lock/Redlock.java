package io.kinhub.redis.lock;

import io.kinhub.redis.RedisUnavailableException;
import io.kinhub.redis.connection.RedisConnections;
import io.kinhub.redis.script.LuaScript;
import io.kinhub.redis.script.Scripts;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Redlock algorithm over N independent Redis masters (no replication between them): a lock is
 * held when a majority ({@code N/2 + 1}) accepted {@code SET NX PX} of the same random token, and
 * it is valid for the time to live less the time the acquisition took and an allowance for clock
 * drift. A failed attempt, or a release, deletes the token from every instance
 * (compare-and-delete).
 *
 * <p>Redlock survives the loss of a minority of instances without a failover. It gives <em>no
 * fencing token</em>: the instances share no counter, so its leases are plain {@link Lease}s. Its
 * safety rests on bounded process pauses, network delays and clock drift; see docs/locks.md before
 * using it for anything whose correctness (rather than efficiency) depends on mutual exclusion.
 */
public final class Redlock implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Redlock.class);

  private static final Duration RELEASE_WAIT = Duration.ofSeconds(1);
  private final List<RedisConnections> instances;
  private final List<Scripts> scripts;
  private final int quorum;
  private final Gates gates = new Gates();
  private final ScheduledExecutorService watchdog =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().daemon().name("kinhub-redlock-watchdog").factory());
  private final ExecutorService renewals = Executors.newVirtualThreadPerTaskExecutor();
  private final AtomicInteger watched = new AtomicInteger();

  /**
   * @param instances connections to independent Redis masters; 3 or 5 is usual
   */
  public Redlock(List<RedisConnections> instances) {
    if (instances.isEmpty()) {
      throw new IllegalArgumentException("Redlock needs at least one Redis instance");
    }
    this.instances = List.copyOf(instances);
    this.scripts = this.instances.stream().map(Scripts::new).toList();
    this.quorum = instances.size() / 2 + 1;
  }

  /** How many instances must agree. */
  public int quorum() {
    return quorum;
  }

  /**
   * Takes the lock {@code name} on a majority of the instances, trying for up to {@code
   * options.maxWait()}. Empty when no majority could be had in time (taken elsewhere, or too many
   * instances down).
   */
  public Optional<Lease> tryAcquire(String name, LockOptions options) {
    return Acquiring.acquire(
        gates,
        name,
        options,
        (onEnd, hint) -> {
          String token = RedisLocks.newToken();
          long start = System.nanoTime();
          int granted = 0;
          List<CompletableFuture<String>> replies = new ArrayList<>(instances.size());
          SetArgs args = SetArgs.Builder.nx().px(options.ttl().toMillis());
          for (RedisConnections redis : instances) {
            replies.add(
                attempt(
                    () -> redis.async().set(key(redis, name), token, args).toCompletableFuture()));
          }
          long deadline = start + perInstanceTimeout(options.ttl()).toNanos();
          for (CompletableFuture<String> reply : replies) {
            if ("OK".equals(await(reply, deadline))) {
              granted++;
            }
          }
          long elapsed = System.nanoTime() - start;
          if (granted >= quorum && AbstractLease.validityNanos(options.ttl()) - elapsed > 0) {
            Lease lease = new Held(name, token, options, start, onEnd);
            if (options.watchdog()) {
              watched.incrementAndGet();
              ((Held) lease).watch(watchdog, watched::decrementAndGet);
            }
            return lease;
          }
          releaseInBackground(name, token);
          return null;
        });
  }

  /** Leases this instance is renewing right now. */
  public int watchedLeases() {
    return watched.get();
  }

  @Override
  public void close() {
    watchdog.shutdownNow();
    renewals.shutdownNow();
  }

  /**
   * How long one attempt waits for the instances: small against the time to live (so a dead
   * instance costs little of the validity), never more than a tenth of it.
   */
  private static Duration perInstanceTimeout(Duration ttl) {
    return Duration.ofMillis(Math.max(5, Math.min(ttl.toMillis() / 10, 500)));
  }

  private static String key(RedisConnections redis, String name) {
    return redis.key("redlock:{" + name + "}");
  }

  private static <T> CompletableFuture<T> attempt(Supplier<CompletableFuture<T>> call) {
    try {
      return call.get();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private static <T> T await(CompletableFuture<T> reply, long deadline) {
    try {
      return reply.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } catch (Exception e) {
      return null;
    }
  }

  /**
   * Runs the compare-and-act script on every instance: {@code [answered 1, answered 0]}; instances
   * that failed or did not answer in time count in neither.
   */
  private int[] everywhere(
      LuaScript script, String name, String token, long deadline, String... extra) {
    List<CompletableFuture<Long>> replies = new ArrayList<>(instances.size());
    for (int i = 0; i < instances.size(); i++) {
      RedisConnections redis = instances.get(i);
      Scripts s = scripts.get(i);
      String[] args = new String[1 + extra.length];
      args[0] = token;
      System.arraycopy(extra, 0, args, 1, extra.length);
      replies.add(
          attempt(
              () ->
                  s.<Long>runAsync(
                          script, ScriptOutputType.INTEGER, List.of(key(redis, name)), args)
                      .toCompletableFuture()));
    }
    int[] answers = new int[2];
    for (CompletableFuture<Long> reply : replies) {
      Long r = await(reply, deadline);
      if (r != null) {
        answers[r == 1L ? 0 : 1]++;
      }
    }
    return answers;
  }

  /**
   * Waits for the instances' answers up to a second: a release is not urgent, but its answer is
   * wanted.
   */
  private int[] releaseEverywhere(String name, String token) {
    return everywhere(RedisLocks.RELEASE, name, token, System.nanoTime() + RELEASE_WAIT.toNanos());
  }

  private void releaseInBackground(String name, String token) {
    for (int i = 0; i < instances.size(); i++) {
      RedisConnections redis = instances.get(i);
      Scripts s = scripts.get(i);
      // nobody waits for a background release: its failure is logged here
      var unused =
          attempt(
                  () ->
                      s.<Long>runAsync(
                              RedisLocks.RELEASE,
                              ScriptOutputType.INTEGER,
                              List.of(key(redis, name)),
                              token)
                          .toCompletableFuture())
              .whenComplete(
                  (released, failure) -> {
                    // a release that fails leaves the lock to expire at its TTL
                    if (failure != null) {
                      log.debug("lock {} not released in background: {}", name, failure.toString());
                    }
                  });
    }
  }

  private final class Held extends AbstractLease {
    Held(String name, String token, LockOptions options, long start, Runnable onEnd) {
      super(name, token, options, start, onEnd);
    }

    @Override
    boolean extendNow() {
      long start = System.nanoTime();
      // unlike acquiring, a renewal may take its time: up to a watchdog period, as long as the
      // lease lasts
      long deadline =
          start
              + Math.max(
                  perInstanceTimeout(options().ttl()).toNanos(),
                  Math.min(options().ttl().toNanos() / 3, remaining().toNanos()));
      int[] answers =
          everywhere(
              RedisLocks.EXTEND,
              name(),
              token(),
              deadline,
              Long.toString(options().ttl().toMillis()));
      if (answers[0] >= quorum
          && AbstractLease.validityNanos(options().ttl()) - (System.nanoTime() - start) > 0) {
        return true;
      }
      if (answers[1] > instances.size() - quorum) {
        return false; // a majority says the lock is no longer ours
      }
      // too few answers to tell: the watchdog tries again until the lease runs out
      throw new RedisUnavailableException(
          "Redlock '" + name() + "': no majority answered the renewal", null);
    }

    @Override
    CompletionStage<Boolean> extendAsync() {
      return CompletableFuture.supplyAsync(this::extendNow, renewals);
    }

    @Override
    boolean releaseNow() {
      return releaseEverywhere(name(), token())[0] >= quorum;
    }

    @Override
    void releaseInBackground() {
      Redlock.this.releaseInBackground(name(), token());
    }

    @Override
    public String toString() {
      return "redlock lease of '" + name() + "'";
    }
  }
}
