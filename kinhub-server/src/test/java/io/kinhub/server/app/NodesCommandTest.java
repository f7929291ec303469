package io.kinhub.server.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kinhub.server.backing.EmbeddedRedis;
import io.kinhub.server.config.Config;
import io.kinhub.server.system.Api;
import io.kinhub.server.system.TestBackends;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code kinhub admin nodes}: the operator sees every node, its Redis, and whether they all agree.
 */
class NodesCommandTest {

  private record Run(int exit, String out) {}

  private static Run nodes(Map<String, String> env) {
    Map<String, String> before = Main.environment;
    Main.environment = env;
    try {
      StringWriter out = new StringWriter();
      CommandLine cli = new CommandLine(new Main());
      cli.setOut(new PrintWriter(out));
      int exit = cli.execute("admin", "nodes");
      return new Run(exit, out.toString());
    } finally {
      Main.environment = before;
    }
  }

  @Test
  void theNodesCommand_listsEveryNodeWithItsRedis_andExits3WhenTheyDisagree(@TempDir Path dir)
      throws Exception {
    String prefix = TestBackends.newPrefix();
    Map<String, String> env = TestBackends.get().env(prefix);
    env.put("KINHUB_NODE_HEARTBEAT", "200ms");
    env.put("KINHUB_NODE_STALE_AFTER", "3s");
    env.put("KINHUB_REDIS_TIMEOUT", "5s"); // a busy CI machine; nothing here measures Redis
    String a = "cmd-a-" + prefix.substring(1, 7);
    String b = "cmd-b-" + prefix.substring(1, 7);
    env.put("KINHUB_NODE_ID", a);
    try (Kinhub nodeA = Kinhub.start(Config.from(env))) {
      String runId = Api.of(nodeA).get("/health", null).json().get("redis").get("runId").asText();
      Map<String, String> envB = TestBackends.copy(env);
      envB.put("KINHUB_NODE_ID", b);
      try (Kinhub nodeB = Kinhub.start(Config.from(envB))) {
        Run run = nodes(env);
        assertThat(run.exit()).as(run.out()).isZero();
        assertThat(run.out())
            .contains(
                "NODE", "REDIS", "RUN ID", a, b, runId, "2 live node(s), all on the same Redis");
      }

      try (EmbeddedRedis other = EmbeddedRedis.start(dir.resolve("redis"))) {
        envB.put("KINHUB_REDIS_URL", other.url());
        try (Kinhub stale = Kinhub.start(Config.from(envB))) {
          await().atMost(Duration.ofSeconds(20)).until(() -> nodes(env).exit() == 3);
          assertThat(nodes(env).out()).contains("INCONSISTENT", a, b, runId);
        }
      }
    }
  }
}
