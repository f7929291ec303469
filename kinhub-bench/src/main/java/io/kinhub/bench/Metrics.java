package io.kinhub.bench;

/** Sums of series in a node's Prometheus text ({@code GET /metrics}). */
final class Metrics {
  private final String text;

  private Metrics(String text) {
    this.text = text;
  }

  static Metrics scrape(Api api, String base) {
    Api.Response r = api.get(base + "/metrics", null);
    if (r.status() != 200) {
      throw new IllegalStateException("GET /metrics answered " + r.status());
    }
    return new Metrics(r.body());
  }

  /**
   * The sum of every sample of {@code name} whose labels contain all of {@code labels} (like {@code
   * result="hit"}).
   */
  double sum(String name, String... labels) {
    double sum = 0;
    for (String line : text.split("\n")) {
      if (line.startsWith("#") || !(line.startsWith(name + "{") || line.startsWith(name + " "))) {
        continue;
      }
      boolean all = true;
      for (String label : labels) {
        all &= line.contains(label);
      }
      if (all) {
        try {
          sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        } catch (NumberFormatException e) {
          // NaN or a malformed line: ignore
        }
      }
    }
    return sum;
  }

  /**
   * Near-cache reads by result ("hit", "miss", "bypass"). The series carry no {@code cache} tag
   * (unlike {@code kinhub_nearcache_size}); the sessions cache is the nodes' only near cache, so
   * all of them count.
   */
  long nearCache(String result) {
    return (long) sum("kinhub_nearcache_requests_total", "result=\"" + result + "\"");
  }

  long invalidations() {
    return (long) sum("kinhub_nearcache_invalidations_total", "cache=\"sessions\"");
  }

  long deafness() {
    return (long) sum("kinhub_bus_deafness_total");
  }
}
