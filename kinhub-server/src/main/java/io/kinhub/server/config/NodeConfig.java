package io.kinhub.server.config;

import io.kinhub.server.node.NodeSettings;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * This node: its name, its data directory, its heartbeat to the node registry and its graceful
 * drain.
 *
 * @param id the node's name in {@code /health}, logs and the node registry
 * @param dataDir where the embedded Redis and PostgreSQL keep their data
 * @param heartbeat how often the node writes its registry row
 * @param staleAfter a registry row older than this is no longer a live node (at least three
 *     heartbeats)
 * @param drainTimeout how long running requests and jobs may take to finish when the node stops
 */
public record NodeConfig(
    String id, Path dataDir, Duration heartbeat, Duration staleAfter, Duration drainTimeout) {
  private static final String NAME = "[A-Za-z0-9._-]{1,64}";

  static NodeConfig from(Map<String, String> env) {
    Duration heartbeat = Variables.NODE_HEARTBEAT.read(env);
    Duration staleAfter = Variables.NODE_STALE_AFTER.read(env);
    if (staleAfter.compareTo(heartbeat.multipliedBy(3)) < 0) {
      throw new Config.InvalidConfigException(
          Variables.NODE_STALE_AFTER.name()
              + " must be at least three heartbeats (3 x "
              + Variables.NODE_HEARTBEAT.name()
              + " = "
              + heartbeat.multipliedBy(3)
              + ") but was '"
              + Variables.NODE_STALE_AFTER.text(env)
              + "'");
    }
    return new NodeConfig(
        Variables.NODE_ID.read(env).orElseGet(NodeConfig::hostName),
        Variables.DATA_DIR.read(env),
        heartbeat,
        staleAfter,
        Variables.DRAIN_TIMEOUT.read(env));
  }

  /** What the node registry needs. */
  public NodeSettings settings() {
    return new NodeSettings(heartbeat, staleAfter, drainTimeout);
  }

  private static String hostName() {
    String env = System.getenv("HOSTNAME");
    if (env != null && env.matches(NAME)) {
      return env;
    }
    try {
      String name = InetAddress.getLocalHost().getHostName();
      return name.matches(NAME) ? name : "kinhub";
    } catch (IOException e) {
      return "kinhub";
    }
  }
}
