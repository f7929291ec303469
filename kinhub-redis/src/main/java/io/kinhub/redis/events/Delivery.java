package io.kinhub.redis.events;

import java.time.Duration;
import java.util.Set;

/**
 * What happened to a message that needed acknowledgements.
 *
 * @param expected the live nodes (other than the sender) that had to acknowledge
 * @param missing those that did not acknowledge in time; each of them had stopped trusting its own
 *     cache by the time the publisher returned
 * @param waited how long the publisher waited
 */
public record Delivery(Set<String> expected, Set<String> missing, Duration waited) {
  public boolean allAcknowledged() {
    return missing.isEmpty();
  }
}
