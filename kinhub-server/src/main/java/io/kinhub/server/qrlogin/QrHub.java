package io.kinhub.server.qrlogin;

import io.kinhub.redis.events.EventBus;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's waiters for QR tickets (WebSockets and long polls). A waiter is a non-blocking
 * callback that has its ticket re-read from Redis (coalesced: at most one read per waiter in
 * flight) and acted on; being woken without a change is harmless. So the hub may wake too often,
 * never too rarely, and waking often costs no more than one read per waiter at a time.
 *
 * <h2>Why no change is missed</h2>
 *
 * <ul>
 *   <li>A change made on this node wakes its waiters at once; a change made on another node reaches
 *       this one as an event-bus message, which wakes the waiters of that ticket.
 *   <li>Every waiter registers before its last read (see {@link QrLogins#await} and {@link
 *       QrSocket}), so a change between a read and the registration is seen by that read.
 *   <li>A bus message can be lost only while the bus does not trust its hearing (link dropped,
 *       heartbeat echo late, sequence gap: the bus' own argument). The bus tells the hub when it
 *       starts distrusting ({@code onDeafness}): every waiter is woken then; and while the bus is
 *       not trusted, and once more on the tick after it trusts again (its new subscription provably
 *       delivers every later message), every waiter is woken every {@link #RECHECK_MS} ms. A change
 *       published during the gap is therefore seen at most one tick after it happened or after
 *       trust returned, never at the ticket's deadline.
 *   <li>Deadlines wake waiters too, so expiry is seen without anyone polling Redis.
 * </ul>
 */
final class QrHub implements AutoCloseable {
  static final String TOPIC = "qr";
  static final long RECHECK_MS = 250;
  private static final Logger log = LoggerFactory.getLogger(QrHub.class);

  private final EventBus bus;
  private final Map<String, Set<Runnable>> waiters = new ConcurrentHashMap<>();
  private final ExecutorService wakeups =
      Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("qr-wake-", 0).factory());
  private final ScheduledThreadPoolExecutor timers = timers();
  private boolean trustedAtLastTick = true; // only the timer thread touches these two
  private long epochAtLastTick;

  private static ScheduledThreadPoolExecutor timers() {
    var executor =
        new ScheduledThreadPoolExecutor(
            1, Thread.ofPlatform().daemon().name("qr-deadlines").factory());
    executor.setRemoveOnCancelPolicy(true); // rescheduled deadlines do not pile up
    return executor;
  }

  QrHub(EventBus bus) {
    this.bus = bus;
    this.epochAtLastTick = bus.epoch();
    bus.subscribe(TOPIC, this::onEvent);
    bus.onDeafness(
        reason -> {
          if (!waiters.isEmpty()) {
            log.info(
                "event bus may have lost messages ({}): re-reading the {} watched QR tickets",
                reason,
                waiters.size());
          }
          wakeAll();
        });
    // tick() catches everything, so the schedule never ends by an exception
    var unused =
        timers.scheduleWithFixedDelay(this::tick, RECHECK_MS, RECHECK_MS, TimeUnit.MILLISECONDS);
  }

  /** Tells every node (this one included) that a ticket changed. */
  void changed(String ticketId, QrState state) {
    try {
      bus.publish(TOPIC, ticketId + ":" + state.wire() + ":" + bus.instanceId());
    } catch (RuntimeException e) {
      // other nodes' waiters then learn of it from their own recheck ticks (the bus is not trusted
      // without Redis)
      log.warn("could not publish QR ticket change: {}", e.toString());
    }
    wake(ticketId); // local waiters need not wait for the bus round trip
  }

  private void onEvent(String payload) {
    String[] parts = payload.split(":", 3);
    // this node's own changes woke its waiters already, without the bus round trip
    if (parts.length == 3 && !parts[2].equals(bus.instanceId())) {
      wake(parts[0]);
    }
  }

  // an exception leaving a scheduleWithFixedDelay task cancels every later tick: never let one out
  private void tick() {
    try {
      boolean trusted = bus.trusted();
      long epoch = bus.epoch();
      if (!trusted || !trustedAtLastTick || epoch != epochAtLastTick) {
        wakeAll();
      }
      trustedAtLastTick = trusted;
      epochAtLastTick = epoch;
    } catch (RuntimeException e) {
      log.warn("QR recheck tick failed, the next one runs as planned: {}", e.toString());
    }
  }

  private void wakeAll() {
    for (String ticketId : waiters.keySet()) {
      wake(ticketId);
    }
  }

  private void wake(String ticketId) {
    Set<Runnable> set = waiters.get(ticketId);
    if (set != null) {
      for (Runnable waiter : set) {
        try {
          waiter.run();
        } catch (RuntimeException e) {
          log.warn(
              "QR waiter of {} failed: {}", ticketId, e.toString()); // the others are still woken
        }
      }
    }
  }

  /**
   * Registers a waiter; the returned handle removes it. A waiter runs on the thread that wakes it
   * (the bus' listener, a timer): it must not block, only hand its work on (see {@link
   * QrSocket#wake}).
   */
  AutoCloseable watch(String ticketId, Runnable onChange) {
    waiters.computeIfAbsent(ticketId, k -> ConcurrentHashMap.newKeySet()).add(onChange);
    return () ->
        waiters.computeIfPresent(
            ticketId,
            (k, set) -> {
              set.remove(onChange);
              return set.isEmpty() ? null : set;
            });
  }

  /** Runs {@code task} on a virtual thread. */
  void submit(Runnable task) {
    wakeups.execute(task);
  }

  /** Runs {@code task} on a virtual thread after {@code delayMillis}. */
  ScheduledFuture<?> after(long delayMillis, Runnable task) {
    return timers.schedule(() -> wakeups.execute(task), delayMillis, TimeUnit.MILLISECONDS);
  }

  /**
   * Wakes {@code waiter} once at {@code epochMillis} (a ticket's deadline, on this node's clock).
   */
  ScheduledFuture<?> at(long epochMillis, Runnable waiter) {
    return after(Math.max(0, epochMillis - System.currentTimeMillis()) + 50, waiter);
  }

  @Override
  public void close() {
    timers.shutdownNow();
    wakeups.shutdownNow();
  }
}
