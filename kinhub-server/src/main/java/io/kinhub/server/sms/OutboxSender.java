package io.kinhub.server.sms;

import io.kinhub.server.backing.Database;
import io.kinhub.server.http.Json;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The built-in provider for development: messages are stored in PostgreSQL, shown by {@code GET
 * /api/v1/dev/sms-outbox} only when the development endpoints are on, and written to the server log
 * at INFO, which is how a developer reads a login code without them.
 */
final class OutboxSender implements SmsSender {
  private static final Logger log = LoggerFactory.getLogger(OutboxSender.class);

  private final Database db;

  OutboxSender(Database db) {
    this.db = db;
  }

  @Override
  public void send(String messageId, String phone, String text) {
    db.withHandle(
        h ->
            h.createUpdate(
                    "INSERT INTO sms_outbox (job_id, phone, text) VALUES (:id, :phone, :text)"
                        + " ON CONFLICT (job_id) DO NOTHING")
                .bind("id", messageId)
                .bind("phone", phone)
                .bind("text", text)
                .execute());
    log.info("SMS (outbox provider, not sent) to {}: {}", phone, text);
  }

  /** One message in the development outbox. */
  record Message(String phone, String text, String sentAt) {}

  /** {@code GET /api/v1/dev/sms-outbox}. */
  record Messages(List<Message> messages) {}

  /** The newest messages to a phone, newest first. */
  List<Message> messages(String phone, int limit) {
    return db.withHandle(
        h ->
            h.createQuery(
                    "SELECT phone, text, sent_at FROM sms_outbox WHERE phone = :phone"
                        + " ORDER BY sent_at DESC, id DESC LIMIT :limit")
                .bind("phone", phone)
                .bind("limit", limit)
                .map(
                    (rs, ctx) ->
                        new Message(
                            rs.getString("phone"),
                            rs.getString("text"),
                            Json.time(rs.getTimestamp("sent_at").toInstant())))
                .list());
  }
}
