package io.kinhub.redis.jobs;

import io.kinhub.redis.RedisUnavailableException;
import io.kinhub.redis.connection.RedisConnections;
import io.kinhub.redis.script.LuaScript;
import io.kinhub.redis.script.Scripts;
import io.lettuce.core.Consumer;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisBusyException;
import io.lettuce.core.RedisException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * A reliable job queue on a Redis Stream with one consumer group. Producers call {@link #enqueue};
 * a node that handles jobs calls {@link #startWorker}. Jobs are acknowledged only after their
 * handler returned, retried with exponential backoff and jitter, dead-lettered after {@code
 * maxAttempts}, and reclaimed from consumers that died after the visibility timeout. Keys share the
 * hash tag {@code {q:<name>}}:
 *
 * <pre>
 *   &lt;prefix&gt;{q:sms}:stream    the jobs ready to run (consumer group "workers")
 *   &lt;prefix&gt;{q:sms}:delayed   sorted set: due time -&gt; job, for delays and retries
 *   &lt;prefix&gt;{q:sms}:dead      stream of jobs that failed every attempt, with the last error
 *   &lt;prefix&gt;{q:sms}:acked     how many acknowledged entries wait in the stream for a trim
 *   &lt;prefix&gt;{q:sms}:idem:&lt;k&gt;  idempotency keys of recent enqueues
 * </pre>
 */
public final class JobQueue {
  static final String GROUP = "workers";
  private static final LuaScript ENQUEUE =
      LuaScript.fromResource(JobQueue.class, "/io/kinhub/redis/lua/jobs_enqueue.lua");
  static final LuaScript PROMOTE =
      LuaScript.fromResource(JobQueue.class, "/io/kinhub/redis/lua/jobs_promote.lua");
  static final LuaScript FINISH =
      LuaScript.fromResource(JobQueue.class, "/io/kinhub/redis/lua/jobs_finish.lua");
  static final LuaScript ACK =
      LuaScript.fromResource(JobQueue.class, "/io/kinhub/redis/lua/jobs_ack.lua");
  private static final LuaScript REQUEUE =
      LuaScript.fromResource(JobQueue.class, "/io/kinhub/redis/lua/jobs_requeue_dead.lua");
  private static final SecureRandom RANDOM = new SecureRandom();

  final String name;
  final RedisConnections redis;
  final Scripts scripts;
  final QueueSettings settings;
  final MeterRegistry meters;
  final String stream;
  final String delayed;
  final String dead;
  final String acknowledged;
  private final String idemPrefix;
  private final Counter enqueued;

  /** Creates the queue (and its consumer group) if needed. */
  public JobQueue(
      String name, RedisConnections redis, QueueSettings settings, MeterRegistry meters) {
    if (!name.matches("[a-z0-9-]{1,40}")) {
      throw new IllegalArgumentException(
          "queue name must be 1-40 of a-z 0-9 - but was '" + name + "'");
    }
    this.name = name;
    this.redis = redis;
    this.scripts = new Scripts(redis);
    this.settings = settings;
    this.meters = meters;
    String tag = "{q:" + name + "}";
    this.stream = redis.key(tag + ":stream");
    this.delayed = redis.key(tag + ":delayed");
    this.dead = redis.key(tag + ":dead");
    this.acknowledged = redis.key(tag + ":acked");
    this.idemPrefix = redis.key(tag + ":idem:");
    this.enqueued = counter("enqueued");
    createGroup();
  }

  private void createGroup() {
    try {
      redis
          .sync()
          .xgroupCreate(
              XReadArgs.StreamOffset.from(stream, "0"), GROUP, XGroupCreateArgs.Builder.mkstream());
    } catch (RedisBusyException e) {
      // BUSYGROUP: exists already
    } catch (RedisException e) {
      if (e.getMessage() == null || !e.getMessage().contains("BUSYGROUP")) {
        throw new RedisUnavailableException(
            "cannot create consumer group for queue " + name + ": " + e.getMessage(), e);
      }
    }
  }

  Counter counter(String what) {
    return Counter.builder("kinhub_jobs_" + what + "_total").tag("queue", name).register(meters);
  }

  public String name() {
    return name;
  }

  public QueueSettings settings() {
    return settings;
  }

  /** Enqueues a job to run now. */
  public String enqueue(String payload) {
    return enqueue(payload, Duration.ZERO, null, Duration.ZERO);
  }

  /**
   * Enqueues a job to run now without waiting for Redis' answer, so a producer can pipeline many
   * enqueues on the shared connection. The stage completes with the job's id, or fails with the
   * driver's exception.
   */
  public CompletionStage<String> enqueueAsync(String payload) {
    String id = newId();
    return redis
        .async()
        .xadd(
            stream,
            XAddArgs.Builder.maxlen(settings.streamCap()).approximateTrimming(),
            Map.of("id", id, "payload", payload, "attempt", "1"))
        .thenApply(
            entry -> {
              enqueued.increment();
              return id;
            });
  }

  /**
   * Enqueues a job.
   *
   * @param delay run no earlier than this from now (zero: now)
   * @param idempotencyKey when not null, a second enqueue with the same key within {@code keyTtl}
   *     is a no-op that returns the first job's id
   * @return the job's id
   */
  public String enqueue(String payload, Duration delay, String idempotencyKey, Duration keyTtl) {
    String id = newId();
    boolean keyed = idempotencyKey != null;
    if (!keyed && (delay.isZero() || delay.isNegative())) {
      // the common case needs no script: one XADD, whose entry id carries Redis' time of enqueue
      redis.call(
          "XADD",
          () ->
              redis
                  .sync()
                  .xadd(
                      stream,
                      XAddArgs.Builder.maxlen(settings.streamCap()).approximateTrimming(),
                      Map.of("id", id, "payload", payload, "attempt", "1")));
      enqueued.increment();
      return id;
    }
    if (keyed && (keyTtl.isZero() || keyTtl.isNegative())) {
      throw new IllegalArgumentException("an idempotency key needs a positive TTL");
    }
    List<Object> r =
        scripts.run(
            ENQUEUE,
            ScriptOutputType.MULTI,
            List.of(stream, delayed, idemPrefix + (keyed ? idempotencyKey : "")),
            id,
            payload,
            Long.toString(Math.max(0, delay.toMillis())),
            Long.toString(keyed ? keyTtl.toMillis() : 0),
            Long.toString(settings.streamCap()));
    if (((Long) r.get(1)) == 1L) {
      enqueued.increment();
    }
    return (String) r.get(0);
  }

  /**
   * Moves due delayed jobs into the stream; safe to call from every node at once. Returns how many
   * moved.
   */
  public long promoteDue() {
    Long moved =
        scripts.run(
            PROMOTE,
            ScriptOutputType.INTEGER,
            List.of(stream, delayed),
            "1000",
            Long.toString(settings.streamCap()));
    return moved;
  }

  /** The oldest dead jobs, at most {@code limit}. */
  public List<DeadJob> dead(int limit) {
    List<StreamMessage<String, String>> entries =
        redis.call(
            "XRANGE dead",
            () -> redis.sync().xrange(dead, Range.create("-", "+"), Limit.from(limit)));
    List<DeadJob> out = new ArrayList<>();
    for (StreamMessage<String, String> m : entries) {
      Map<String, String> f = m.getBody();
      out.add(
          new DeadJob(
              m.getId(),
              f.get("id"),
              f.get("payload"),
              Integer.parseInt(f.getOrDefault("attempts", "0")),
              Long.parseLong(f.getOrDefault("enqueuedAt", "0")),
              Long.parseLong(f.getOrDefault("failedAt", "0")),
              f.get("error")));
    }
    return out;
  }

  /**
   * Puts a dead job back into the queue with a fresh attempt count; false when there is no such
   * dead job.
   */
  public boolean requeueDead(String entryId) {
    Long r =
        scripts.run(
            REQUEUE,
            ScriptOutputType.INTEGER,
            List.of(stream, dead),
            entryId,
            Long.toString(settings.streamCap()));
    return r == 1L;
  }

  /** Jobs delivered to some worker and not yet settled. */
  public long pending() {
    return redis.call(
        "XPENDING",
        () -> {
          var summary = redis.sync().xpending(stream, GROUP);
          return summary == null ? 0L : summary.getCount();
        });
  }

  /**
   * Entries in the stream not yet delivered to any worker (Redis 7 consumer-group lag); empty when
   * unknown.
   */
  public Optional<Long> lag() {
    return redis.call(
        "XINFO GROUPS",
        () -> {
          for (Object group : redis.sync().xinfoGroups(stream)) {
            if (group instanceof List<?> fields) {
              boolean ours = false;
              Long lag = null;
              for (int i = 0; i + 1 < fields.size(); i += 2) {
                String key = String.valueOf(fields.get(i));
                if (key.equals("name") && GROUP.equals(String.valueOf(fields.get(i + 1)))) {
                  ours = true;
                } else if (key.equals("lag") && fields.get(i + 1) instanceof Long l) {
                  lag = l;
                }
              }
              if (ours) {
                return Optional.ofNullable(lag);
              }
            }
          }
          return Optional.<Long>empty();
        });
  }

  /** Starts handling this queue's jobs on this node. Close the worker to stop gracefully. */
  public JobWorker startWorker(String consumerName, JobHandler handler) {
    return JobWorker.start(this, consumerName, handler);
  }

  static String newId() {
    byte[] b = new byte[16];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  static Consumer<String> consumer(String consumerName) {
    return Consumer.from(GROUP, consumerName);
  }
}
