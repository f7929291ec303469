package io.kinhub.server.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.kinhub.server.config.Config;
import io.kinhub.server.system.Api;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code kinhub admin grant-superadmin} on the embedded defaults: with a node running it reaches
 * that node's Redis and PostgreSQL through the endpoints file (and the node enforces the grant at
 * once); with no node running it starts the embedded servers itself.
 */
class AdminCommandTest {

  private static int run(Path dataDir, String... args) {
    Map<String, String> before = Main.environment;
    Main.environment =
        Map.of(
            "KINHUB_DATA_DIR",
            dataDir.toString(),
            "KINHUB_HTTP_PORT",
            "0",
            "KINHUB_NODE_ID",
            "admin-test");
    try {
      return new CommandLine(new Main()).execute(args);
    } finally {
      Main.environment = before;
    }
  }

  private static boolean superadmin(Api api, String token) {
    return api.post(
            "/api/v1/permission-checks", token, Map.of("permissions", List.of("family:delete:*")))
        .json()
        .get("results")
        .get("family:delete:*")
        .asBoolean();
  }

  @Test
  void grantWhileTheNodeRunsAndRevokeWhileItIsStopped(@TempDir Path dataDir) {
    Config config =
        Config.from(
            Map.of(
                "KINHUB_DATA_DIR",
                dataDir.toString(),
                "KINHUB_HTTP_PORT",
                "0",
                "KINHUB_NODE_ID",
                "admin-node"));
    Api.User user;
    try (Kinhub node = Kinhub.start(config)) {
      Api api = Api.of(node);
      user = api.newUser("Operator");
      assertThat(superadmin(api, user.token())).isFalse();
      assertThat(run(dataDir, "admin", "grant-superadmin", user.login().toUpperCase(Locale.ROOT)))
          .isZero();
      assertThat(superadmin(api, user.token())).isTrue();
      assertThat(run(dataDir, "admin", "grant-superadmin", "nobody@example.org")).isEqualTo(1);
      assertThat(run(dataDir, "admin", "grant-superadmin", "not a login")).isEqualTo(2);
    }
    assertThat(run(dataDir, "admin", "revoke-superadmin", user.login())).isZero();
    try (Kinhub node = Kinhub.start(config)) {
      Api api = Api.of(node);
      assertThat(superadmin(api, api.login(user.login(), "password " + user.login()))).isFalse();
    }
  }
}
