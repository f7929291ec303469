package io.kinhub.server.app;

import io.kinhub.server.system.TestBackends;
import java.util.Map;
import picocli.CommandLine;

/**
 * Runs {@code kinhub admin grant-superadmin|revoke-superadmin} in-process, configured for a test
 * deployment.
 */
public final class SuperadminCli {
  private SuperadminCli() {}

  public static int grant(Kinhub node, String login) {
    return run(node, "grant-superadmin", login);
  }

  public static int revoke(Kinhub node, String login) {
    return run(node, "revoke-superadmin", login);
  }

  private static synchronized int run(Kinhub node, String command, String login) {
    Map<String, String> before = Main.environment;
    Main.environment = TestBackends.get().env(node.config().redis().prefix());
    try {
      return new CommandLine(new Main()).execute("admin", command, login);
    } finally {
      Main.environment = before;
    }
  }
}
