package io.kinhub.redis.jobs;

import io.kinhub.redis.connection.RedisConnections;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAutoClaimArgs;
import io.lettuce.core.XClaimArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.models.stream.ClaimedMessages;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Handles one queue's jobs on this node: reads new jobs with a bounded {@code XREADGROUP BLOCK} on
 * a connection of its own (reconnecting by itself after a drop), runs at most {@code concurrency}
 * handlers at once on virtual threads, renews the jobs it holds so they are not reclaimed while
 * running, reclaims jobs of dead consumers ({@code XAUTOCLAIM}) after the visibility timeout, and
 * moves due delayed jobs.
 */
public final class JobWorker implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(JobWorker.class);

  private final JobQueue queue;
  private final String consumer;
  private final JobHandler handler;
  private final RedisConnections.Dedicated blocking;
  private final Semaphore slots;
  private final ExecutorService handlers;
  private final ScheduledExecutorService housekeeping;
  private final Thread reader;
  private final Map<String, Running> inFlight = new ConcurrentHashMap<>();

  /**
   * Entries read ahead (delivered to this consumer) and not yet started: renewed like running ones.
   */
  private final Set<String> held = ConcurrentHashMap.newKeySet();

  private final Counter succeeded;
  private final Counter failed;
  private final Counter retried;
  private final Counter deadLettered;
  private final AtomicLong pending = new AtomicLong();
  private final AtomicLong lag = new AtomicLong();
  private final LinkedBlockingQueue<String> toAck = new LinkedBlockingQueue<>();
  private final Thread acker;
  private volatile boolean running = true;
  private volatile boolean handlersDone;
  private final AtomicBoolean closing = new AtomicBoolean();

  private record Running(StreamMessage<String, String> message, Job job, Thread thread) {}

  private JobWorker(JobQueue queue, String consumer, JobHandler handler) {
    this.queue = queue;
    this.consumer = consumer;
    this.handler = handler;
    QueueSettings s = queue.settings;
    this.blocking =
        queue.redis.connectDedicated(
            s.block().plus(queue.redis.settings().commandTimeout()).plusSeconds(1));
    this.slots = new Semaphore(s.concurrency());
    this.handlers =
        Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("job-" + queue.name + "-", 0).factory());
    this.housekeeping =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("jobs-" + queue.name + "-housekeeping").factory());
    this.succeeded = queue.counter("succeeded");
    this.failed = queue.counter("failed");
    this.retried = queue.counter("retried");
    this.deadLettered = queue.counter("dead");
    Gauge.builder("kinhub_jobs_pending", pending, AtomicLong::get)
        .description("delivered, not yet settled")
        .tag("queue", queue.name)
        .register(queue.meters);
    Gauge.builder("kinhub_jobs_lag", lag, AtomicLong::get)
        .description("in the stream, not yet delivered")
        .tag("queue", queue.name)
        .register(queue.meters);
    this.reader =
        Thread.ofPlatform()
            .daemon()
            .name("jobs-" + queue.name + "-reader")
            .unstarted(this::readLoop);
    this.acker =
        Thread.ofPlatform().daemon().name("jobs-" + queue.name + "-acker").unstarted(this::ackLoop);
  }

  static JobWorker start(JobQueue queue, String consumer, JobHandler handler) {
    JobWorker worker = new JobWorker(queue, consumer, handler);
    Duration visibility = queue.settings.visibilityTimeout();
    long renewEvery = Math.max(50, visibility.toMillis() / 3);
    long reclaimEvery = Math.max(50, visibility.toMillis() / 4);
    // each task catches its own failures (a thrown one would end its schedule); close() stops them
    ScheduledExecutorService h = worker.housekeeping;
    var unused = h.scheduleWithFixedDelay(worker::promote, 0, 200, TimeUnit.MILLISECONDS);
    unused = h.scheduleWithFixedDelay(worker::renew, renewEvery, renewEvery, TimeUnit.MILLISECONDS);
    unused =
        h.scheduleWithFixedDelay(
            worker::reclaim, reclaimEvery, reclaimEvery, TimeUnit.MILLISECONDS);
    unused = h.scheduleWithFixedDelay(worker::measure, 0, 5, TimeUnit.SECONDS);
    worker.reader.start();
    worker.acker.start();
    return worker;
  }

  /** Most entries one read asks for. */
  private static final int MAX_READ = 512;

  /**
   * Reads the free handler slots' worth of jobs plus as many again (read-ahead): one read per batch
   * is the reader's fixed cost, so a read-ahead batch keeps the handlers busy while the next read
   * is under way. A job read ahead waits for a slot here (at most one handler's run); it is renewed
   * like a running one, and released back to the stream if the worker closes first.
   */
  private void readLoop() {
    long backoffMs = 50;
    int readAhead = queue.settings.concurrency();
    while (running) {
      try {
        int count = Math.min(MAX_READ, slots.availablePermits() + readAhead);
        List<StreamMessage<String, String>> messages =
            blocking
                .sync()
                .xreadgroup(
                    JobQueue.consumer(consumer),
                    XReadArgs.Builder.count(count).block(queue.settings.block()),
                    XReadArgs.StreamOffset.lastConsumed(queue.stream));
        backoffMs = 50;
        if (messages == null) {
          continue;
        }
        messages.forEach(m -> held.add(m.getId()));
        for (int i = 0; i < messages.size(); i++) {
          if (!acquireWhileRunning()) {
            messages.subList(i, messages.size()).forEach(this::releaseHeld);
            return;
          }
          StreamMessage<String, String> m = messages.get(i);
          start(m);
          held.remove(m.getId());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        if (!running) {
          return;
        }
        // connection dropped or Redis busy: Lettuce reconnects; wait a little and read again
        log.warn(
            "queue {}: read failed ({}); retrying in {} ms", queue.name, e.getMessage(), backoffMs);
        sleep(backoffMs);
        backoffMs = Math.min(2000, backoffMs * 2);
      }
    }
  }

  /** Waits for a handler slot; false when the worker is closing meanwhile. */
  private boolean acquireWhileRunning() throws InterruptedException {
    while (running) {
      if (slots.tryAcquire(100, TimeUnit.MILLISECONDS)) {
        return true;
      }
    }
    return false;
  }

  /** A job read ahead that will not start here: back to the stream for another worker, at once. */
  private void releaseHeld(StreamMessage<String, String> message) {
    Job job = message.getBody().get("id") == null ? null : toJob(message);
    settle(message, job, job == null ? "ok" : "release", 0, null);
    held.remove(message.getId());
  }

  private void dispatch(StreamMessage<String, String> message) throws InterruptedException {
    slots.acquire();
    start(message);
  }

  /** Runs a delivered job on a slot already taken. */
  private void start(StreamMessage<String, String> message) {
    if (message.getBody().get("id") == null) {
      // an entry deleted between delivery and read: nothing to do but settle it
      settle(message, null, "ok", 0, null);
      slots.release();
      return;
    }
    Job job = toJob(message);
    // execute, not submit: run() settles every Exception itself, and an Error reaches the thread's
    // uncaught-exception handler instead of vanishing in an unread Future
    handlers.execute(() -> run(message, job));
  }

  private Job toJob(StreamMessage<String, String> message) {
    Map<String, String> f = message.getBody();
    String enqueuedAt = f.get("enqueuedAt");
    return new Job(
        queue.name,
        f.get("id"),
        f.getOrDefault("payload", ""),
        Integer.parseInt(f.getOrDefault("attempt", "1")),
        // jobs enqueued by plain XADD carry the time in their entry id ("<ms>-<seq>")
        enqueuedAt != null
            ? Long.parseLong(enqueuedAt)
            : Long.parseLong(message.getId().substring(0, message.getId().indexOf('-'))));
  }

  private void run(StreamMessage<String, String> message, Job job) {
    inFlight.put(message.getId(), new Running(message, job, Thread.currentThread()));
    try {
      handler.handle(job);
      if (running || !Thread.currentThread().isInterrupted()) {
        // acknowledged in batches by the acker: one round trip for every job finished meanwhile
        toAck.add(message.getId());
        succeeded.increment();
      }
    } catch (Exception e) {
      if (!running && Thread.currentThread().isInterrupted()) {
        return; // released by close()
      }
      failed.increment();
      String error =
          e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
      if (job.attempt() < queue.settings.maxAttempts()) {
        Duration delay =
            queue.settings.backoff(job.attempt() + 1, ThreadLocalRandom.current().nextDouble());
        settle(message, job, "retry", delay.toMillis(), error);
        retried.increment();
        log.info(
            "queue {}: job {} attempt {} failed ({}); retry in {} ms",
            queue.name,
            job.id(),
            job.attempt(),
            error,
            delay.toMillis());
      } else {
        settle(message, job, "dead", 0, error);
        deadLettered.increment();
        log.warn(
            "queue {}: job {} failed {} times; moved to the dead-letter stream: {}",
            queue.name,
            job.id(),
            job.attempt(),
            error);
      }
    } finally {
      inFlight.remove(message.getId());
      slots.release();
    }
  }

  private void settle(
      StreamMessage<String, String> message, Job job, String mode, long delayMs, String error) {
    long attempts = 0;
    while (true) {
      try {
        queue.scripts.run(
            JobQueue.FINISH,
            ScriptOutputType.INTEGER,
            List.of(queue.stream, queue.delayed, queue.dead),
            JobQueue.GROUP,
            message.getId(),
            mode,
            job == null ? "" : job.id(),
            job == null ? "" : job.payload(),
            Integer.toString(
                job == null ? 1 : mode.equals("release") ? job.attempt() : job.attempt() + 1),
            Long.toString(job == null ? 0 : job.enqueuedAt()),
            Long.toString(delayMs),
            error == null ? "" : error,
            Long.toString(queue.settings.streamCap()));
        return;
      } catch (RuntimeException e) {
        // not settled: left pending, the job would be reclaimed and run again; retry a few times
        // first
        if (++attempts >= 5) {
          log.warn(
              "queue {}: could not settle entry {} ({}); it will be redelivered",
              queue.name,
              message.getId(),
              e.getMessage());
          return;
        }
        sleep(100L * attempts);
      }
    }
  }

  /**
   * Acknowledges finished jobs: waits for the first, takes every other one finished meanwhile, and
   * settles them in one script call. No batching delay at low load; few round trips at high load.
   */
  private void ackLoop() {
    List<String> batch = new ArrayList<>();
    while (!handlersDone || !toAck.isEmpty()) {
      try {
        String first = toAck.poll(200, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        toAck.drainTo(batch, 511);
        ackBatch(batch);
        batch.clear();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private void ackBatch(List<String> ids) {
    String[] args = new String[ids.size() + 3];
    args[0] = JobQueue.GROUP;
    args[1] = Long.toString(queue.settings.acknowledgedCap());
    String newest = ids.getFirst();
    for (int i = 0; i < ids.size(); i++) {
      String id = ids.get(i);
      args[i + 3] = id;
      if (compareEntryIds(id, newest) > 0) {
        newest = id;
      }
    }
    args[2] = newest;
    for (int attempt = 1; ; attempt++) {
      try {
        queue.scripts.run(
            JobQueue.ACK,
            ScriptOutputType.INTEGER,
            List.of(queue.stream, queue.acknowledged),
            args);
        return;
      } catch (RuntimeException e) {
        if (attempt >= 5) {
          log.warn(
              "queue {}: could not acknowledge {} finished jobs ({}); they will be redelivered",
              queue.name,
              ids.size(),
              e.getMessage());
          return;
        }
        sleep(100L * attempt);
      }
    }
  }

  /** Orders stream entry ids ({@code <ms>-<seq>}) as Redis does. */
  static int compareEntryIds(String a, String b) {
    int da = a.indexOf('-');
    int db = b.indexOf('-');
    int byTime = Long.compare(Long.parseLong(a, 0, da, 10), Long.parseLong(b, 0, db, 10));
    return byTime != 0
        ? byTime
        : Long.compare(
            Long.parseLong(a, da + 1, a.length(), 10), Long.parseLong(b, db + 1, b.length(), 10));
  }

  private void promote() {
    try {
      queue.promoteDue();
    } catch (RuntimeException e) {
      log.debug("queue {}: promote failed: {}", queue.name, e.toString());
    }
  }

  /**
   * Resets the idle time of the jobs this worker runs, so slow handlers are not mistaken for dead
   * consumers.
   */
  private void renew() {
    if (inFlight.isEmpty() && held.isEmpty()) {
      return;
    }
    try {
      List<String> renewing = new ArrayList<>(inFlight.keySet());
      renewing.addAll(held);
      if (renewing.isEmpty()) {
        return;
      }
      String[] ids = renewing.toArray(String[]::new);
      queue
          .redis
          .sync()
          .xclaim(
              queue.stream,
              JobQueue.consumer(consumer),
              XClaimArgs.Builder.justid().minIdleTime(0),
              ids);
    } catch (RuntimeException e) {
      log.debug("queue {}: renew failed: {}", queue.name, e.toString());
    }
  }

  /**
   * Takes over jobs that another consumer has held longer than the visibility timeout without
   * renewing.
   */
  private void reclaim() {
    if (!running) {
      return;
    }
    int free = slots.availablePermits();
    if (free == 0) {
      return;
    }
    try {
      ClaimedMessages<String, String> claimed =
          queue
              .redis
              .sync()
              .xautoclaim(
                  queue.stream,
                  XAutoClaimArgs.Builder.xautoclaim(
                          JobQueue.consumer(consumer), queue.settings.visibilityTimeout(), "0-0")
                      .count(free));
      for (StreamMessage<String, String> m : claimed.getMessages()) {
        if (inFlight.containsKey(m.getId()) || held.contains(m.getId())) {
          continue;
        }
        log.info(
            "queue {}: reclaimed job entry {} from a consumer that stopped", queue.name, m.getId());
        dispatch(m);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      log.debug("queue {}: reclaim failed: {}", queue.name, e.toString());
    }
  }

  private void measure() {
    try {
      pending.set(queue.pending());
      lag.set(queue.lag().orElse(0L));
    } catch (RuntimeException e) {
      log.debug("queue {}: metrics poll failed: {}", queue.name, e.toString());
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Jobs running on this worker now. */
  public int inFlight() {
    return inFlight.size();
  }

  /**
   * Stops taking jobs, lets running ones finish for up to 10 s, then releases the rest to other
   * workers.
   */
  @Override
  public void close() {
    close(Duration.ofSeconds(10));
  }

  /**
   * Stops taking jobs, lets running ones finish within {@code deadline}, then releases the rest.
   */
  public void close(Duration deadline) {
    if (!closing.compareAndSet(false, true)) {
      return; // a node drains its worker first, then closes everything
    }
    running = false;
    housekeeping.shutdownNow();
    try {
      reader.join(queue.settings.block().plusSeconds(2).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    handlers.shutdown();
    try {
      boolean finished = handlers.awaitTermination(deadline.toMillis(), TimeUnit.MILLISECONDS);
      handlersDone = true;
      acker.join(5_000); // flushes the acknowledgements of every job that finished
      if (!finished) {
        for (Running r : inFlight.values()) {
          r.thread().interrupt();
          settle(r.message(), r.job(), "release", 0, null);
          log.info("queue {}: released unfinished job {} at shutdown", queue.name, r.job().id());
        }
        handlers.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    blocking.close();
  }
}
