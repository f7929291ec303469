package io.kinhub.server.sms;

import io.kinhub.server.node.Singleton;
import java.time.Duration;

/**
 * Deletes outbox messages (login codes among them) older than the retention. One node at a time
 * does it ({@link Singleton}); each batch is its own fenced transaction, so a node that lost the
 * task mid-way stops at its next batch instead of racing the node that took over.
 */
public final class OutboxPruning implements Singleton.Work<Long> {
  /** The task's name, for its lock and its fence row. */
  public static final String TASK = "sms-outbox-prune";

  /** Long enough to debug a login from yesterday; the codes themselves expired within minutes. */
  public static final Duration RETENTION = Duration.ofHours(24);

  private static final int BATCH = 1000;
  private static final int MAX_BATCHES = 100;

  private final Duration retention;

  public OutboxPruning(Duration retention) {
    this.retention = retention;
  }

  /**
   * Returns how many messages were deleted (at most {@code 100 000} per run; the next run
   * continues).
   */
  @Override
  public Long run(Singleton.Fenced fenced) {
    long deleted = 0;
    for (int i = 0; i < MAX_BATCHES && fenced.isHeld(); i++) {
      int batch =
          fenced.inTransaction(
              h ->
                  h.createUpdate(
                          "DELETE FROM sms_outbox WHERE id IN (SELECT id FROM sms_outbox"
                              + " WHERE sent_at < now() - make_interval(secs => :secs) ORDER BY sent_at LIMIT :batch)")
                      .bind("secs", (double) retention.toSeconds())
                      .bind("batch", BATCH)
                      .execute());
      deleted += batch;
      if (batch < BATCH) {
        break;
      }
    }
    return deleted;
  }
}
