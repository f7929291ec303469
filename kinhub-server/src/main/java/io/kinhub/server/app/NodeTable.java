package io.kinhub.server.app;

import io.kinhub.server.node.NodeRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The node registry as the operator's table ({@code kinhub admin nodes}), with a verdict on
 * consistency.
 */
record NodeTable(String text, boolean consistent) {

  static NodeTable of(Instant now, List<NodeRegistry.Node> rows, Duration staleAfter) {
    List<String[]> lines = new ArrayList<>();
    lines.add(new String[] {"NODE", "STATE", "REDIS", "RUN ID", "VERSION", "STARTED", "LAST SEEN"});
    for (NodeRegistry.Node n : rows) {
      boolean live = !n.lastSeenAt().isBefore(now.minus(staleAfter));
      String state = !live ? "gone" : n.draining() ? "draining" : "live";
      lines.add(
          new String[] {
            n.node(),
            state,
            n.redis().mode() + " " + n.redis().endpoint(),
            n.redis().runId().isEmpty() ? "(unreachable)" : n.redis().runId(),
            n.version(),
            n.startedAt().toString(),
            Math.max(0, Duration.between(n.lastSeenAt(), now).toSeconds()) + " s ago"
          });
    }
    int[] widths = new int[lines.get(0).length];
    for (String[] line : lines) {
      for (int i = 0; i < line.length; i++) {
        widths[i] = Math.max(widths[i], line[i].length());
      }
    }
    StringBuilder text = new StringBuilder();
    for (String[] line : lines) {
      for (int i = 0; i < line.length; i++) {
        text.append(
            i == line.length - 1 ? line[i] : String.format("%-" + (widths[i] + 2) + "s", line[i]));
      }
      text.append('\n');
    }
    List<NodeRegistry.Node> live =
        rows.stream().filter(n -> !n.lastSeenAt().isBefore(now.minus(staleAfter))).toList();
    Set<String> runIds =
        live.stream()
            .map(n -> n.redis().runId())
            .filter(r -> !r.isEmpty())
            .collect(Collectors.toSet());
    boolean consistent = runIds.size() <= 1;
    if (rows.isEmpty()) {
      text.append(
          "no node of this deployment (key prefix) has written a heartbeat in the last hour\n");
    } else if (consistent) {
      text.append(live.size()).append(" live node(s), all on the same Redis\n");
    } else {
      text.append("INCONSISTENT: the live nodes talk to ")
          .append(runIds.size())
          .append(" different Redis servers (run ids ")
          .append(String.join(", ", runIds.stream().sorted().toList()))
          .append(
              "); a node on the wrong one has a stale "
                  + "KINHUB_REDIS_URL (right after a Redis restart this may pass within a heartbeat)\n");
    }
    return new NodeTable(text.toString(), consistent);
  }
}
