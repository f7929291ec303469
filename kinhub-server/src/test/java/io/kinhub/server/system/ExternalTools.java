package io.kinhub.server.system;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * Programs some tests need beyond the JDK: nginx, Chromium and Playwright, redis-cli. {@code
 * .ci/run} installs them and sets {@code KINHUB_REQUIRE_EXTERNAL_TOOLS=1}, which turns a missing
 * tool into a failure; on a machine with only a JDK those tests are skipped (and say why).
 */
public final class ExternalTools {
  private ExternalTools() {}

  private static boolean required() {
    return "1".equals(System.getenv("KINHUB_REQUIRE_EXTERNAL_TOOLS"));
  }

  private static Path need(String what, List<Path> candidates, String install) {
    for (Path p : candidates) {
      if (Files.exists(p)) {
        return p;
      }
    }
    String message = what + " not found (" + candidates + "); " + install;
    if (required()) {
      throw new AssertionError(message);
    }
    Assumptions.abort(message);
    throw new IllegalStateException("unreachable");
  }

  public static Path nginx() {
    return need(
        "nginx",
        List.of(Path.of("/usr/sbin/nginx"), Path.of("/usr/bin/nginx")),
        "apt-get install nginx-light (.ci/run does)");
  }

  public static Path chromium() {
    return need(
        "Chromium",
        List.of(Path.of("/usr/bin/chromium"), Path.of("/usr/bin/chromium-browser")),
        "apt-get install chromium (.ci/run does)");
  }

  /** Node.js (for the layout's property tests and the browser scripts). */
  public static Path node() {
    return need(
        "Node.js",
        List.of(Path.of("/usr/bin/node"), Path.of("/usr/local/bin/node")),
        "install nodejs (.ci/run does)");
  }

  /** Debian's {@code redis-cli} (package redis-tools), which creates the test Redis Cluster. */
  public static Path redisCli() {
    return need(
        "redis-cli",
        List.of(Path.of("/usr/bin/redis-cli"), Path.of("/usr/local/bin/redis-cli")),
        "apt-get install redis-tools (.ci/run does)");
  }

  /** The directory holding {@code node_modules/playwright-core}. */
  public static Path playwright() {
    Path dir =
        Optional.ofNullable(System.getenv("KINHUB_BROWSER_TOOLS"))
            .map(Path::of)
            .orElse(Path.of(System.getProperty("user.home"), ".cache", "kinhub-browser-tools"));
    need(
        "Playwright",
        List.of(dir.resolve("node_modules/playwright-core/package.json")),
        "npm install --prefix " + dir + " playwright-core (.ci/run does)");
    need(
        "Node.js",
        List.of(Path.of("/usr/bin/node"), Path.of("/usr/local/bin/node")),
        "install nodejs");
    return dir;
  }

  /**
   * The directory holding {@code node_modules/ws} (npm's {@code ws} WebSocket client) next to
   * Playwright.
   */
  public static Path nodeWs() {
    Path dir = playwright();
    need(
        "npm ws",
        List.of(dir.resolve("node_modules/ws/package.json")),
        "npm install --prefix " + dir + " ws (.ci/run does)");
    return dir;
  }
}
