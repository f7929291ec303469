package io.kinhub.server.system;

/** Reads one figure from a node's {@code /metrics}. */
public final class Metrics {
  private Metrics() {}

  /** Sum of every sample of {@code name} whose labels contain {@code labelFragment}. */
  public static double sum(Api api, String name, String labelFragment) {
    String text = api.get("/metrics", null).text();
    double total = 0;
    for (String line : text.split("\n")) {
      if (line.startsWith(name + "{") && line.contains(labelFragment)) {
        total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return total;
  }
}
