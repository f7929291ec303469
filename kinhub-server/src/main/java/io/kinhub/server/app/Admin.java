package io.kinhub.server.app;

import io.kinhub.server.account.Logins;
import io.kinhub.server.backing.Database;
import io.kinhub.server.config.Config;
import io.kinhub.server.node.NodeRegistry;
import io.kinhub.server.permission.Permissions;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * Operator actions run from the command line against the same Redis and PostgreSQL as the nodes:
 * with {@code KINHUB_REDIS_URL}/{@code KINHUB_DATABASE_URL} set, those; otherwise the embedded ones
 * of {@code KINHUB_DATA_DIR} — the running node's (found through the endpoints file it writes), or
 * started here for the moment when no node runs. A change of permissions is announced on the event
 * bus, so every node enforces it when the command returns. The backends are opened by the same
 * {@link Backends} as a serving node's.
 */
public final class Admin implements AutoCloseable {
  private final Deque<AutoCloseable> closeInOrder = new ArrayDeque<>();
  private final Database database;
  private final Permissions permissions;
  private final Config config;

  private Admin(Config config) {
    this.config = config;
    try {
      SimpleMeterRegistry meters = new SimpleMeterRegistry();
      Backends backends = Backends.open(config, Backends.Role.ADMIN, meters, closeInOrder);
      database = backends.database;
      permissions = new Permissions(database, backends.bus, 1, Duration.ofSeconds(1), meters);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /** Connects to the backends the nodes of {@code config} use. */
  public static Admin connect(Config config) {
    return new Admin(config);
  }

  /**
   * Grants or revokes the platform superadmin role; false when there is no account with this login.
   * Every node's permission cache is cleared before this returns.
   */
  public boolean setSuperadmin(String login, boolean superadmin) {
    String canonical = Logins.normalize("login", login);
    int changed =
        database.withHandle(
            h ->
                h.createUpdate("UPDATE account SET superadmin = :s WHERE login = :login")
                    .bind("s", superadmin)
                    .bind("login", canonical)
                    .execute());
    if (changed == 0) {
      return false;
    }
    permissions.everythingChanged();
    return true;
  }

  /**
   * The node registry's rows of this deployment (key prefix), live or not yet pruned, and the
   * database's clock.
   */
  public Map.Entry<Instant, List<NodeRegistry.Node>> nodes() {
    return NodeRegistry.listing(database, config.redis().prefix());
  }

  @Override
  public void close() {
    while (!closeInOrder.isEmpty()) {
      try {
        closeInOrder.pop().close();
      } catch (Exception ignored) {
        // best effort, like Kinhub.close
      }
    }
  }
}
