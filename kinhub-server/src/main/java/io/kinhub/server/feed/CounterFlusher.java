package io.kinhub.server.feed;

import io.kinhub.redis.script.LuaScript;
import io.kinhub.server.node.Singleton;
import io.lettuce.core.ScriptOutputType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies changed counters (likes, comments, views) from Redis to PostgreSQL in batches, one node at
 * a time: the flush is a {@link Singleton} task, and every batch is written in a transaction fenced
 * by the task's lock, so a flusher paused past its lock's expiry cannot write older values over the
 * ones its successor wrote. Absolute values are written, and a dirty mark is cleared only if the
 * counter still has the flushed value, so a crash or a change during the flush never loses an
 * update.
 */
final class CounterFlusher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CounterFlusher.class);
  private static final LuaScript TAKE =
      LuaScript.fromResource(CounterFlusher.class, "feed_flush_take.lua");
  private static final LuaScript DONE =
      LuaScript.fromResource(CounterFlusher.class, "feed_flush_done.lua");
  private static final int BATCH = 500;
  private static final int MAX_BATCHES = 100;

  private final Feed feed;
  static final String TASK = "feed-counter-flush";
  private final Singleton singleton;
  private final Duration ttl;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().daemon().name("feed-counter-flush").factory());

  CounterFlusher(Feed feed, Singleton singleton) {
    this.feed = feed;
    this.singleton = singleton;
    long every = feed.settings().flushEvery().toMillis();
    this.ttl = feed.settings().flushEvery().multipliedBy(3).plusSeconds(10);
    // tick() catches its own failures, so the schedule never ends early; close() ends it
    var unused = timer.scheduleWithFixedDelay(this::tick, every, every, TimeUnit.MILLISECONDS);
  }

  private void tick() {
    try {
      flushOnce();
    } catch (RuntimeException e) {
      log.debug("counter flush failed, retrying later: {}", e.toString());
    }
  }

  /**
   * Flushes every dirty counter unless another node is flushing; returns how many posts were
   * written.
   */
  synchronized int flushOnce() {
    return singleton.runIfFree(TASK, ttl, this::flush).orElse(0);
  }

  private int flush(Singleton.Fenced fenced) {
    int written = 0;
    for (int round = 0; round < MAX_BATCHES; round++) {
      List<Object> taken =
          feed.scripts()
              .run(
                  TAKE,
                  ScriptOutputType.MULTI,
                  List.of(feed.keys().dirty()),
                  feed.keys().prefix,
                  Integer.toString(BATCH));
      if (taken.isEmpty()) {
        break;
      }
      List<long[]> rows = new ArrayList<>();
      List<String> args = new ArrayList<>(List.of(feed.keys().prefix));
      for (int i = 0; i + 3 < taken.size(); i += 4) {
        rows.add(
            new long[] {
              Long.parseLong((String) taken.get(i)),
              Long.parseLong((String) taken.get(i + 1)),
              Long.parseLong((String) taken.get(i + 2)),
              Long.parseLong((String) taken.get(i + 3))
            });
        for (int j = 0; j < 4; j++) {
          args.add((String) taken.get(i + j));
        }
      }
      if (!fenced.isHeld()) {
        break; // lost the task: the next holder flushes what is left
      }
      fenced.inTransaction(
          h -> {
            FeedStore.flushCounters(h, rows);
            return null;
          });
      feed.scripts()
          .run(
              DONE,
              ScriptOutputType.INTEGER,
              List.of(feed.keys().dirty()),
              args.toArray(String[]::new));
      written += rows.size();
      if (taken.size() / 4 < BATCH) {
        break;
      }
    }
    return written;
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
