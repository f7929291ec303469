package io.kinhub.server.backing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kinhub.server.app.Kinhub;
import io.kinhub.server.app.Main;
import io.kinhub.server.config.Config;
import io.kinhub.server.system.Api;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded defaults: real Redis and PostgreSQL child processes under the data directory, data
 * kept across restarts, nothing left running after a stop, and a crashed run's orphans cleaned up
 * on start.
 */
class EmbeddedLifecycleTest {
  private static final String PASSWORD = "lifecycle password";

  private static Config embeddedConfig(Path dataDir) {
    Map<String, String> env = new HashMap<>();
    env.put("KINHUB_HTTP_PORT", "0");
    env.put("KINHUB_DATA_DIR", dataDir.toString());
    env.put("KINHUB_NODE_ID", "embedded-test");
    return Config.from(env);
  }

  private static boolean embeddedRunning(Path dataDir) {
    return StaleProcesses.anyRunningIn(dataDir.resolve("redis"), "redis-server")
        || StaleProcesses.anyRunningIn(dataDir.resolve("postgres"), "postgres");
  }

  @Test
  void restartOnTheSameDataDir_keepsAccountsAndSessions_andStopLeavesNothingRunning(
      @TempDir Path dataDir) {
    String token;
    String login;
    try (Kinhub node = Kinhub.start(embeddedConfig(dataDir))) {
      Api api = Api.of(node);
      login = api.register(Api.newLogin(), PASSWORD);
      token = api.login(login, PASSWORD);
      assertThat(embeddedRunning(dataDir)).isTrue();
    }
    assertThat(embeddedRunning(dataDir))
        .as(() -> "still running after stop: " + processesIn(dataDir))
        .isFalse();

    try (Kinhub node = Kinhub.start(embeddedConfig(dataDir))) {
      Api api = Api.of(node);
      assertThat(api.get("/api/v1/me", token).status()).isEqualTo(200);
      assertThat(api.get("/api/v1/me", token).json().get("login").asText()).isEqualTo(login);
      assertThat(
              api.post("/api/v1/sessions", null, Map.of("login", login, "password", PASSWORD))
                  .status())
          .isEqualTo(201);
    }
    assertThat(embeddedRunning(dataDir)).isFalse();
  }

  @Test
  void secondProcessOnTheSameDataDir_isRefused(@TempDir Path dataDir) {
    try (Kinhub node = Kinhub.start(embeddedConfig(dataDir))) {
      assertThat(node.port()).isPositive();
      Assertions.assertThatThrownBy(() -> Kinhub.start(embeddedConfig(dataDir)))
          .hasMessageContaining("in use by another Kinhub process");
      assertThat(Api.of(node).get("/health", null).status()).isEqualTo(200);
    }
  }

  /** Starts {@code kinhub serve} in a JVM of its own on the data directory. */
  private static Process serveInChild(Path dataDir, int port) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    ProcessBuilder builder =
        new ProcessBuilder(
                java, "-cp", System.getProperty("java.class.path"), Main.class.getName(), "serve")
            .redirectErrorStream(true)
            .redirectOutput(dataDir.resolveSibling(dataDir.getFileName() + "-child.log").toFile());
    builder.environment().keySet().removeIf(k -> k.startsWith("KINHUB_"));
    builder.environment().put("KINHUB_DATA_DIR", dataDir.toString());
    builder.environment().put("KINHUB_HTTP_PORT", Integer.toString(port));
    return builder.start();
  }

  @Test
  void sigterm_stopsTheServerAndBothEmbeddedProcesses(@TempDir Path dataDir) throws Exception {
    int port = EmbeddedRedis.freePort();
    Process child = serveInChild(dataDir, port);
    try {
      Api api = new Api("http://127.0.0.1:" + port);
      await()
          .atMost(Duration.ofMinutes(2))
          .ignoreExceptions()
          .until(() -> api.get("/health", null).status() == 200);
      assertThat(embeddedRunning(dataDir)).isTrue();

      child.destroy(); // SIGTERM, as systemd or Ctrl-C would
      assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();

      assertThat(embeddedRunning(dataDir))
          .as(() -> "still running after SIGTERM: " + processesIn(dataDir))
          .isFalse();

      // the node's whole log, from start to stop, and the embedded servers' own logs never show a
      // password
      String log = Files.readString(dataDir.resolveSibling(dataDir.getFileName() + "-child.log"));
      assertThat(log).contains("Kinhub node");
      for (String file : List.of("redis.password", "postgres.password")) {
        String password = Files.readString(dataDir.resolve(file)).strip();
        assertThat(log).as(file).doesNotContain(password);
        assertThat(Files.readString(dataDir.resolve("redis/redis.log")))
            .as(file)
            .doesNotContain(password);
      }
    } finally {
      child.destroyForcibly();
    }
  }

  @Test
  void afterKill9_orphanedRedisAndPostgresAreStoppedOnStart_andDataSurvives(@TempDir Path dataDir)
      throws Exception {
    int port = EmbeddedRedis.freePort();
    Process child = serveInChild(dataDir, port);
    String token;
    try {
      Api childApi = new Api("http://127.0.0.1:" + port);
      await()
          .atMost(Duration.ofMinutes(2))
          .ignoreExceptions()
          .until(() -> childApi.get("/health", null).status() == 200);
      String login = childApi.register(Api.newLogin(), PASSWORD);
      token = childApi.login(login, PASSWORD);
    } finally {
      child.destroyForcibly().waitFor(); // SIGKILL: no shutdown hook runs
    }
    Optional<Long> orphanRedis = StaleProcesses.readPid(dataDir.resolve("redis/redis.pid"));
    Optional<Long> orphanPostgres =
        StaleProcesses.readPid(dataDir.resolve("postgres/postmaster.pid"));
    assertThat(orphanRedis).isPresent();
    assertThat(orphanPostgres).isPresent();
    assertThat(
            StaleProcesses.isProgramIn(orphanRedis.get(), dataDir.resolve("redis"), "redis-server"))
        .isTrue();
    assertThat(
            StaleProcesses.isProgramIn(
                orphanPostgres.get(), dataDir.resolve("postgres"), "postgres"))
        .isTrue();

    try (Kinhub node = Kinhub.start(embeddedConfig(dataDir))) {
      // orphans are re-parented; one that exited may linger as a zombie until its new parent reaps
      // it
      assertThat(StaleProcesses.gone(orphanRedis.get())).isTrue();
      assertThat(StaleProcesses.gone(orphanPostgres.get())).isTrue();
      assertThat(redisProcessesIn(dataDir.resolve("redis"))).hasSize(1);
      assertThat(Api.of(node).get("/api/v1/me", token).status()).isEqualTo(200);
    }
    assertThat(embeddedRunning(dataDir))
        .as(() -> "still running: " + processesIn(dataDir))
        .isFalse();
  }

  private static String processesIn(Path dataDir) {
    StringBuilder out = new StringBuilder();
    try (var procs = Files.list(Path.of("/proc"))) {
      procs
          .map(p -> p.getFileName().toString())
          .filter(n -> n.chars().allMatch(Character::isDigit))
          .forEach(
              n -> {
                try {
                  Path cwd = Files.readSymbolicLink(Path.of("/proc", n, "cwd"));
                  if (cwd.startsWith(dataDir)) {
                    out.append(n)
                        .append(' ')
                        .append(Files.readString(Path.of("/proc", n, "cmdline")).replace('\0', ' '))
                        .append(" [")
                        .append(Files.readString(Path.of("/proc", n, "stat")).split(" ")[2])
                        .append("]; ");
                  }
                } catch (IOException | RuntimeException ignored) {
                  // gone meanwhile
                }
              });
    } catch (IOException e) {
      return e.toString();
    }
    return out.toString();
  }

  private static List<Long> redisProcessesIn(Path dir) throws IOException {
    try (var procs = Files.list(Path.of("/proc"))) {
      return procs
          .map(p -> p.getFileName().toString())
          .filter(n -> n.chars().allMatch(Character::isDigit))
          .map(Long::parseLong)
          .filter(pid -> StaleProcesses.isProgramIn(pid, dir, "redis-server"))
          .toList();
    }
  }
}
