package io.kinhub.server.qrlogin;

import io.kinhub.redis.events.EventBus;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's waiters for QR tickets (WebSockets and long polls). Ticket changes arrive on the event bus
 * from whichever node made them; each waiter of that ticket is woken on a virtual thread and re-reads the
 * ticket from Redis. Deadlines wake waiters too, so expiry is seen without anyone polling Redis.
 */
final class QrHub implements AutoCloseable {
  static final String TOPIC = "qr";
  private static final Logger log = LoggerFactory.getLogger(QrHub.class);

  private final EventBus bus;
  private final Map<String, Set<Runnable>> waiters = new ConcurrentHashMap<>();
  private final ExecutorService wakeups = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("qr-wake-", 0).factory());
  private final java.util.concurrent.ScheduledThreadPoolExecutor timers = timers();

  private static java.util.concurrent.ScheduledThreadPoolExecutor timers() {
    var executor = new java.util.concurrent.ScheduledThreadPoolExecutor(1, Thread.ofPlatform().daemon().name("qr-deadlines").factory());
    executor.setRemoveOnCancelPolicy(true); // rescheduled deadlines do not pile up
    return executor;
  }

  QrHub(EventBus bus) {
    this.bus = bus;
    bus.subscribe(TOPIC, this::onEvent);
  }

  /** Tells every node (this one included) that a ticket changed. */
  void changed(String ticketId, String state) {
    try {
      bus.publish(TOPIC, ticketId + ":" + state + ":" + bus.instanceId());
    } catch (RuntimeException e) {
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

  private void wake(String ticketId) {
    Set<Runnable> set = waiters.get(ticketId);
    if (set != null) {
      for (Runnable waiter : set) {
        wakeups.submit(waiter);
      }
    }
  }

  /** Registers a waiter; the returned handle removes it. */
  AutoCloseable watch(String ticketId, Runnable onChange) {
    waiters.computeIfAbsent(ticketId, k -> ConcurrentHashMap.newKeySet()).add(onChange);
    return () -> waiters.computeIfPresent(ticketId, (k, set) -> {
      set.remove(onChange);
      return set.isEmpty() ? null : set;
    });
  }

  /** Runs {@code task} on a virtual thread. */
  void submit(Runnable task) {
    wakeups.submit(task);
  }

  /** Wakes {@code waiter} once at {@code epochMillis} (a ticket's deadline). */
  ScheduledFuture<?> at(long epochMillis, Runnable waiter) {
    long delay = Math.max(0, epochMillis - System.currentTimeMillis()) + 50;
    return timers.schedule(() -> wakeups.submit(waiter), delay, TimeUnit.MILLISECONDS);
  }

  /** Tickets with at least one waiter on this node. */
  int watchedTickets() {
    return waiters.size();
  }

  @Override
  public void close() {
    timers.shutdownNow();
    wakeups.shutdownNow();
  }
}
