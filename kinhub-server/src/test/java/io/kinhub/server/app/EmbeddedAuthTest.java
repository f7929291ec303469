package io.kinhub.server.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kinhub.server.backing.EmbeddedDatabase;
import io.kinhub.server.backing.EmbeddedRedis;
import io.kinhub.server.config.Config;
import io.kinhub.server.system.Api;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded Redis and PostgreSQL listen on loopback, where any local user can reach them: each
 * gets a random password at first start, kept owner-only in the data directory, and refuses clients
 * without it.
 */
class EmbeddedAuthTest {

  private static String send(int port, String command) throws Exception {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(5_000);
      socket.getOutputStream().write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
      return new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
          .readLine();
    }
  }

  private static int port(String jdbcUrl) {
    return URI.create(jdbcUrl.substring("jdbc:".length())).getPort();
  }

  private static String permissions(Path file) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
  }

  @Test
  void embeddedRedis_refusesClientsWithoutPassword(@TempDir Path dataDir) throws Exception {
    try (EmbeddedRedis redis = EmbeddedRedis.start(dataDir.resolve("redis"))) {
      assertThat(send(redis.port(), "PING")).startsWith("-NOAUTH");
      assertThat(send(redis.port(), "SET kinhub:session:forged x")).startsWith("-NOAUTH");
      assertThat(send(redis.port(), "AUTH wrong-password")).startsWith("-WRONGPASS");

      RedisClient client = RedisClient.create(redis.url());
      try (StatefulRedisConnection<String, String> c = client.connect()) {
        assertThat(c.sync().ping()).isEqualTo("PONG");
      } finally {
        client.shutdown();
      }
      assertThat(permissions(dataDir.resolve("redis.password"))).isEqualTo("rw-------");
    }
  }

  @Test
  void embeddedPostgres_refusesClientsWithoutPassword(@TempDir Path dataDir) throws Exception {
    try (EmbeddedDatabase database = EmbeddedDatabase.start(dataDir.resolve("postgres"))) {
      int port = port(database.jdbcUrl());
      for (String host : new String[] {"127.0.0.1", "localhost"}) {
        assertThatThrownBy(
                () ->
                    DriverManager.getConnection(
                        "jdbc:postgresql://" + host + ":" + port + "/kinhub?user=postgres"))
            .isInstanceOf(SQLException.class);
        assertThatThrownBy(
                () ->
                    DriverManager.getConnection(
                        "jdbc:postgresql://"
                            + host
                            + ":"
                            + port
                            + "/kinhub?user=postgres&password=wrong"))
            .isInstanceOf(SQLException.class)
            .hasMessageContaining("password authentication failed");
      }
      try (Connection c = DriverManager.getConnection(database.jdbcUrl())) {
        assertThat(c.isValid(5)).isTrue();
      }
      assertThat(permissions(dataDir.resolve("postgres.password"))).isEqualTo("rw-------");
    }
  }

  @Test
  void embeddedPostgres_createdWithoutPassword_isSecuredOnItsNextStart(@TempDir Path dataDir)
      throws Exception {
    Path dir = dataDir.resolve("postgres");
    // a data directory as earlier Kinhub versions left it: initdb with trust authentication, no
    // password
    EmbeddedPostgres.builder()
        .setDataDirectory(dir)
        .setCleanDataDirectory(false)
        .setRegisterShutdownHook(false)
        .start()
        .close();

    try (EmbeddedDatabase database = EmbeddedDatabase.start(dir)) {
      int port = port(database.jdbcUrl());
      assertThatThrownBy(
              () ->
                  DriverManager.getConnection(
                      "jdbc:postgresql://127.0.0.1:" + port + "/kinhub?user=postgres"))
          .isInstanceOf(SQLException.class);
      try (Connection c = DriverManager.getConnection(database.jdbcUrl())) {
        assertThat(c.isValid(5)).isTrue();
      }
    }
  }

  @Test
  void embeddedNode_keepsItsPasswordsOwnerOnly_outOfHealth_andAcrossRestarts(@TempDir Path dataDir)
      throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("KINHUB_HTTP_PORT", "0");
    env.put("KINHUB_DATA_DIR", dataDir.toString());
    env.put("KINHUB_NODE_ID", "auth-test");
    String token;
    String redisPassword;
    String databasePassword;
    try (Kinhub node = Kinhub.start(Config.from(env))) {
      redisPassword = Files.readString(dataDir.resolve("redis.password")).strip();
      databasePassword = Files.readString(dataDir.resolve("postgres.password")).strip();
      assertThat(redisPassword).hasSizeGreaterThanOrEqualTo(32).isNotEqualTo(databasePassword);
      for (String file : new String[] {"redis.password", "postgres.password", Backends.ENDPOINTS}) {
        assertThat(permissions(dataDir.resolve(file))).as(file).isEqualTo("rw-------");
      }
      Api api = Api.of(node);
      assertThat(api.get("/health", null).text())
          .doesNotContain(redisPassword)
          .doesNotContain(databasePassword);
      token = api.login(api.register(Api.newLogin(), "auth test password"), "auth test password");
    }
    try (Kinhub node = Kinhub.start(Config.from(env))) {
      assertThat(Files.readString(dataDir.resolve("redis.password")).strip())
          .isEqualTo(redisPassword);
      assertThat(Files.readString(dataDir.resolve("postgres.password")).strip())
          .isEqualTo(databasePassword);
      assertThat(Api.of(node).get("/api/v1/me", token).status()).isEqualTo(200);
    }
  }
}
