package io.kinhub.redis.events;

import java.time.Duration;

/**
 * Timing of the event bus.
 *
 * @param heartbeatInterval how often a node registers itself and publishes its heartbeat
 * @param trustWindow a node trusts what it heard only while its latest echoed heartbeat is younger
 *     than this; a publisher waiting for acknowledgements never waits longer than this plus {@code
 *     margin}
 * @param margin slack for clock rate differences and scheduling between nodes
 */
public record BusSettings(Duration heartbeatInterval, Duration trustWindow, Duration margin) {

  /** 100 ms heartbeats, 600 ms trust, 100 ms margin: a revocation waits at most about 0.7 s. */
  public static BusSettings defaults() {
    return new BusSettings(Duration.ofMillis(100), Duration.ofMillis(600), Duration.ofMillis(100));
  }

  public BusSettings {
    if (trustWindow.compareTo(heartbeatInterval.multipliedBy(3)) < 0) {
      throw new IllegalArgumentException(
          "trustWindow "
              + trustWindow
              + " must be at least three heartbeat intervals ("
              + heartbeatInterval
              + ")");
    }
  }

  /**
   * Nodes heard from within this window must acknowledge; it is longer than the trust window by the
   * margin.
   */
  Duration liveWindow() {
    return trustWindow.plus(margin).plus(margin);
  }
}
