package io.kinhub.server.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kinhub.server.app.Kinhub;
import io.kinhub.server.backing.EmbeddedDatabase;
import io.kinhub.server.backing.StaleProcesses;
import io.kinhub.server.config.Config;
import io.kinhub.server.http.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A PostgreSQL that hangs (every one of its processes stopped with SIGSTOP: connections stay open,
 * nothing answers) makes {@code /health} answer 503 within 2 s; {@code /health} itself never hangs.
 */
class HealthProbeTimeoutTest {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /**
   * One /health answer; a request that takes over 2 s fails the test (a hung /health is the bug).
   */
  private static HttpResponse<String> health(Kinhub node) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(node.baseUrl() + "/health"))
            .timeout(Duration.ofSeconds(2))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static void signal(String signal, List<Long> pids) throws Exception {
    List<String> command = new ArrayList<>(List.of("kill", "-" + signal));
    pids.forEach(p -> command.add(Long.toString(p)));
    Process kill = new ProcessBuilder(command).inheritIO().start();
    assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void health_isUnavailableWithin2s_whenDatabaseHangs(@TempDir Path dir) throws Exception {
    EmbeddedDatabase database = EmbeddedDatabase.start(dir.resolve("postgres"));
    List<Long> stopped = new ArrayList<>();
    try {
      Map<String, String> env = TestBackends.get().env(TestBackends.newPrefix());
      env.put("KINHUB_DATABASE_URL", database.jdbcUrl());
      try (Kinhub node = Kinhub.start(Config.from(env))) {
        try {
          await()
              .atMost(Duration.ofSeconds(30))
              .ignoreExceptions()
              .until(() -> health(node).statusCode() == 200);
          long postmaster =
              StaleProcesses.readPid(dir.resolve("postgres/postmaster.pid")).orElseThrow();
          List<Long> pids = new ArrayList<>(List.of(postmaster));
          ProcessHandle.of(postmaster).orElseThrow().descendants().forEach(p -> pids.add(p.pid()));
          stopped.addAll(pids);
          signal("STOP", pids);
          long hungAt = System.nanoTime();

          await()
              .atMost(Duration.ofSeconds(2))
              .pollInterval(Duration.ofMillis(100))
              .untilAsserted(
                  () -> {
                    HttpResponse<String> r = health(node);
                    assertThat(r.statusCode()).isEqualTo(503);
                    assertThat(
                            Json.MAPPER.readTree(r.body()).get("database").get("status").asText())
                        .isEqualTo("down");
                    assertThat(Json.MAPPER.readTree(r.body()).get("redis").get("status").asText())
                        .isEqualTo("up");
                  });
          System.out.printf(
              "/health answered 503 %d ms after PostgreSQL was stopped%n",
              (System.nanoTime() - hungAt) / 1_000_000);
          for (int i = 0; i < 5; i++) {
            assertThat(health(node).statusCode()).isEqualTo(503);
          }

          signal("CONT", stopped);
          stopped.clear();
          await()
              .atMost(Duration.ofSeconds(60))
              .ignoreExceptions()
              .until(() -> health(node).statusCode() == 200);
        } finally {
          if (!stopped.isEmpty()) {
            signal("CONT", stopped); // the node and PostgreSQL must be able to stop
          }
        }
      }
    } finally {
      database.close();
    }
  }
}
