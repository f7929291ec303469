package io.kinhub.server.backing;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.kinhub.server.http.UnavailableException;
import java.sql.SQLException;
import java.time.Duration;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.ConnectionException;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;

/**
 * PostgreSQL through HikariCP and JDBI, with the schema brought up to date by Flyway on start.
 * Calls go through {@link #withHandle}/{@link #inTransaction}, which turn a lost database into
 * {@link UnavailableException} so routes never see JDBC or JDBI exceptions for outages.
 */
public final class Database implements AutoCloseable {
  private final HikariDataSource dataSource;
  private final Jdbi jdbi;

  private Database(HikariDataSource dataSource) {
    this.dataSource = dataSource;
    this.jdbi = Jdbi.create(dataSource);
  }

  public static Database connect(String jdbcUrl, int poolSize, String nodeId) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(jdbcUrl);
    config.setMaximumPoolSize(poolSize);
    config.setMinimumIdle(Math.min(2, poolSize));
    config.setConnectionTimeout(2_000);
    config.setValidationTimeout(1_000);
    config.setPoolName("kinhub-" + nodeId);
    config.addDataSourceProperty("ApplicationName", "kinhub " + nodeId);
    config.addDataSourceProperty("tcpKeepAlive", "true");
    config.addDataSourceProperty("reWriteBatchedInserts", "true");
    config.addDataSourceProperty("socketTimeout", "30");
    config.setInitializationFailTimeout(15_000);
    HikariDataSource dataSource = new HikariDataSource(config);
    try {
      Flyway.configure()
          .dataSource(dataSource)
          .locations("classpath:db/migration")
          .load()
          .migrate();
    } catch (RuntimeException e) {
      dataSource.close();
      throw e;
    }
    return new Database(dataSource);
  }

  /** Runs {@code callback} on a pooled connection. */
  public <R> R withHandle(HandleCallback<R, RuntimeException> callback) {
    try {
      return jdbi.withHandle(callback);
    } catch (ConnectionException e) {
      throw new UnavailableException("database", "PostgreSQL is unreachable", e);
    } catch (UnableToExecuteStatementException e) {
      if (isConnectionFailure(e)) {
        throw new UnavailableException("database", "PostgreSQL is unreachable", e);
      }
      throw e;
    }
  }

  /** Runs {@code callback} in one transaction. */
  public <R> R inTransaction(HandleCallback<R, RuntimeException> callback) {
    return withHandle(handle -> handle.inTransaction(callback));
  }

  /** Runs {@code callback} in one transaction at the given isolation level. */
  public <R> R inTransaction(
      TransactionIsolationLevel level, HandleCallback<R, RuntimeException> callback) {
    return withHandle(handle -> handle.inTransaction(level, callback));
  }

  private static boolean isConnectionFailure(JdbiException e) {
    Throwable cause = e.getCause();
    return cause instanceof SQLException sql
        && sql.getSQLState() != null
        && sql.getSQLState().startsWith("08");
  }

  /**
   * True when a trivial query answers within {@code timeout}. The socket timeout bounds the wait
   * even when the server accepts nothing at all (a hung or stopped PostgreSQL never answers a
   * query-timeout cancel); the pool discards a connection that hit it.
   */
  public boolean probe(Duration timeout) {
    try (Handle handle = jdbi.open()) {
      handle.getConnection().setNetworkTimeout(Runnable::run, (int) timeout.toMillis());
      return handle
              .createQuery("SELECT 1")
              .setQueryTimeout((int) Math.max(1, timeout.toSeconds()))
              .mapTo(Integer.class)
              .one()
          == 1;
    } catch (RuntimeException | SQLException e) {
      return false;
    }
  }

  @Override
  public void close() {
    dataSource.close();
  }
}
