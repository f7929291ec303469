package io.kinhub.redis.jobs;

/**
 * One delivery of a job to a handler.
 *
 * @param queue the queue's name
 * @param id the job's id, the same on every attempt (use it to make handlers idempotent)
 * @param payload what the producer enqueued
 * @param attempt 1 on the first delivery, then 2, 3 …
 * @param enqueuedAt when it was first enqueued (Redis time, epoch ms)
 */
public record Job(String queue, String id, String payload, int attempt, long enqueuedAt) {}
