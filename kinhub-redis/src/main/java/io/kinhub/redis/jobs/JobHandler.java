package io.kinhub.redis.jobs;

/**
 * Does a job. Returning normally acknowledges it; throwing schedules a retry (or dead-letters it).
 */
@FunctionalInterface
public interface JobHandler {
  void handle(Job job) throws Exception;
}
