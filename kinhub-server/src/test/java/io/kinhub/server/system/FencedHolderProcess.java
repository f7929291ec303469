package io.kinhub.server.system;

import io.kinhub.redis.connection.RedisConnections;
import io.kinhub.redis.connection.RedisSettings;
import io.kinhub.redis.lock.RedisLocks;
import io.kinhub.server.backing.Database;
import io.kinhub.server.node.Singleton;
import io.kinhub.server.node.StaleFenceException;
import io.lettuce.core.resource.DefaultClientResources;
import java.time.Duration;

/**
 * A node in its own JVM (so a test can SIGSTOP it) that takes a singleton task and then keeps
 * writing under it without ever checking whether it still holds the lock: a pause can fall between
 * any check and the write, so only the fence stands between this holder and the node that took
 * over. Prints {@code WROTE <fence>} after its first write and {@code REFUSED} (exit 3) when a
 * write is refused.
 *
 * <p>Arguments: redisUrl prefix databaseUrl task table.
 */
public final class FencedHolderProcess {
  public static void main(String[] args) throws Exception {
    String task = args[3];
    String table = args[4];
    Database db = Database.connect(args[2], 2, "paused-holder");
    RedisConnections redis =
        RedisConnections.connect(
            new RedisSettings(args[0], args[1], Duration.ofSeconds(2)),
            DefaultClientResources.create());
    Singleton singleton = new Singleton(new RedisLocks(redis), db, "paused-holder");
    singleton.runIfFree(
        task,
        Duration.ofMillis(600),
        fenced -> {
          write(fenced, table, "A:0");
          System.out.println("WROTE " + fenced.fence());
          System.out.flush();
          for (int i = 1; i < 1200; i++) {
            try {
              Thread.sleep(50);
              write(fenced, table, "A:" + i);
            } catch (StaleFenceException e) {
              System.out.println("REFUSED " + e.getMessage());
              System.out.flush();
              Runtime.getRuntime().halt(3);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              return null;
            }
          }
          return null;
        });
    Runtime.getRuntime().halt(0);
  }

  private static void write(Singleton.Fenced fenced, String table, String value) {
    fenced.inTransaction(
        h ->
            h.createUpdate("UPDATE " + table + " SET holder = :v, fence = :f WHERE id = 1")
                .bind("v", value)
                .bind("f", fenced.fence())
                .execute());
  }
}
