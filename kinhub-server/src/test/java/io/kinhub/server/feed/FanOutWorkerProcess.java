package io.kinhub.server.feed;

import io.kinhub.redis.connection.RedisConnections;
import io.kinhub.redis.connection.RedisSettings;
import io.kinhub.redis.jobs.JobQueue;
import io.kinhub.redis.jobs.QueueSettings;
import io.lettuce.core.resource.DefaultClientResources;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * A fan-out worker in a JVM of its own, for the crash test: handles the {@code feed-fanout} queue's
 * batch jobs with the real {@link FanOut}. Arguments: redis URL, key prefix, visibility timeout ms,
 * "stall" or "work". In "stall" mode each job, after its timelines were written, waits forever
 * before it could be acknowledged — the worst moment to be killed.
 */
public final class FanOutWorkerProcess {
  public static void main(String[] args) throws Exception {
    RedisConnections redis =
        RedisConnections.connect(
            new RedisSettings(args[0], args[1], Duration.ofSeconds(2)),
            DefaultClientResources.create());
    boolean stall = args[3].equals("stall");
    FanOut fanOut = new FanOut(redis, 800);
    JobQueue queue =
        new JobQueue(
            "feed-fanout",
            redis,
            QueueSettings.defaults()
                .withConcurrency(4)
                .withVisibilityTimeout(Duration.ofMillis(Long.parseLong(args[2]))),
            new SimpleMeterRegistry());
    queue.startWorker(
        "fanout-" + ProcessHandle.current().pid(),
        job -> {
          String[] p = job.payload().split("\\|");
          fanOut.add(Long.parseLong(p[1]), List.of(p[2].split(",")));
          if (stall) {
            new CountDownLatch(1).await();
          }
        });
    System.out.println("worker ready");
    new CountDownLatch(1).await();
  }
}
