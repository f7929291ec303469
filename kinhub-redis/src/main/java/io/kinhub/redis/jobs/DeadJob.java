package io.kinhub.redis.jobs;

/**
 * A job that failed every attempt.
 *
 * @param entryId its id in the dead-letter stream (pass it to {@link JobQueue#requeueDead})
 * @param attempts how often it was tried
 * @param error the last failure
 */
public record DeadJob(
    String entryId,
    String id,
    String payload,
    int attempts,
    long enqueuedAt,
    long failedAt,
    String error) {}
