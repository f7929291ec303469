package io.kinhub.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * 3. {@code GET /api/v1/families/{id}/tree} throughput with wrk: the full document (200), the same
 * with {@code If-None-Match} (304), and {@code GET /health} as the anchor, in rounds whose order
 * rotates so that a drift of the machine favours none of them.
 */
final class TreeReadScenario {
  static final String TITLE = "3. GET /tree throughput";

  private final SingleNode node;
  private final SingleNode.User user;
  private final Wrk wrk;
  private final int rounds;
  private final int seconds;
  private final int warmupSeconds;

  TreeReadScenario(
      SingleNode node, SingleNode.User user, Wrk wrk, int rounds, int seconds, int warmupSeconds) {
    this.node = node;
    this.user = user;
    this.wrk = wrk;
    this.rounds = rounds;
    this.seconds = seconds;
    this.warmupSeconds = warmupSeconds;
  }

  /** One endpoint under load: its URL, whether it needs the token, and one more header. */
  private record Target(String name, String url, boolean authenticated, String header) {}

  Markdown run(long familyId, List<Summary> summary) throws IOException {
    Markdown md = new Markdown().heading(2, TITLE);
    String treeUrl = node.baseUrl() + "/api/v1/families/" + familyId + "/tree";
    HttpResponse<byte[]> full = node.api().getBytes(treeUrl, user.token(), Map.of());
    String etag = full.headers().firstValue("ETag").orElse(null);
    if (full.statusCode() != 200 || etag == null) {
      throw new IllegalStateException(
          "GET " + treeUrl + " answered " + full.statusCode() + " (ETag " + etag + ")");
    }
    int persons = new ObjectMapper().readTree(full.body()).path("persons").size();
    HttpResponse<byte[]> cached =
        node.api().getBytes(treeUrl, user.token(), Map.of("If-None-Match", etag));
    if (cached.statusCode() != 304 || cached.body().length != 0) {
      throw new IllegalStateException(
          "GET "
              + treeUrl
              + " with If-None-Match: "
              + etag
              + " answered "
              + cached.statusCode()
              + " with "
              + cached.body().length
              + " bytes, not an empty 304");
    }
    int bodyBytes = full.body().length;

    List<Target> targets =
        List.of(
            new Target("/health", node.baseUrl() + "/health", false, null),
            new Target("/tree 200", treeUrl, true, null),
            new Target("/tree 304", treeUrl, true, "If-None-Match: " + etag));
    if (warmupSeconds > 0) {
      TreeBench.progress("tree: warm-up, " + warmupSeconds + " s of each endpoint");
      for (Target t : targets) {
        run(t, warmupSeconds);
      }
    }
    Map<String, List<LoadDriver.Result>> results = new LinkedHashMap<>();
    targets.forEach(t -> results.put(t.name(), new ArrayList<>()));
    List<String> orders = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      List<Target> order = new ArrayList<>();
      for (int i = 0; i < targets.size(); i++) {
        order.add(targets.get((i + r) % targets.size()));
      }
      orders.add(String.join(", ", order.stream().map(Target::name).toList()));
      TreeBench.progress(
          "tree: round "
              + (r + 1)
              + "/"
              + rounds
              + " ("
              + orders.getLast()
              + "), "
              + seconds
              + " s each");
      for (Target t : order) {
        results.get(t.name()).add(run(t, seconds));
      }
    }

    md.paragraph(
        "The family imported from royal92.ged in the last measured round above (family "
            + familyId
            + "): "
            + persons
            + " persons in the document, "
            + String.format(Locale.ROOT, "%,d", bodyBytes)
            + " bytes of "
            + "JSON (uncompressed: neither wrk nor the check sends `Accept-Encoding`), `ETag: "
            + etag
            + "`. Checked before "
            + "the load: the full request answers 200 with that body, the conditional one an empty 304. Load driver: "
            + wrk.describe()
            + ", the originator's token in every request. "
            + (warmupSeconds > 0
                ? "One warm-up run of " + warmupSeconds + " s of each first (not shown). "
                : "")
            + rounds
            + " rounds of "
            + seconds
            + " s per endpoint; "
            + "the order rotates.");
    md.paragraph(
        "Commands: `"
            + String.join(" ", wrk.command(targets.get(0).url(), null, seconds))
            + "`, `"
            + shown(wrk.command(treeUrl, "<token>", null, seconds))
            + "` and `"
            + shown(wrk.command(treeUrl, "<token>", "If-None-Match: " + etag, seconds))
            + "`");
    List<List<String>> rows = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      LoadDriver.Result h = results.get("/health").get(r);
      LoadDriver.Result f = results.get("/tree 200").get(r);
      LoadDriver.Result c = results.get("/tree 304").get(r);
      rows.add(
          List.of(
              Integer.toString(r + 1),
              orders.get(r),
              Stats.f0(h.requestsPerSecond()),
              Stats.f0(f.requestsPerSecond()),
              Stats.f0(c.requestsPerSecond()),
              Stats.f2(f.p50Ms()) + " / " + Stats.f2(f.p99Ms()),
              Stats.f2(c.p50Ms()) + " / " + Stats.f2(c.p99Ms()),
              (h.non2xx() + f.non2xx() + c.non2xx())
                  + " / "
                  + (h.errors() + f.errors() + c.errors())));
    }
    double health = median(results.get("/health"));
    double tree = median(results.get("/tree 200"));
    double notModified = median(results.get("/tree 304"));
    rows.add(
        List.of(
            "**median**",
            "",
            "**" + Stats.f0(health) + "**",
            "**" + Stats.f0(tree) + "**",
            "**" + Stats.f0(notModified) + "**",
            "",
            "",
            ""));
    md.table(
        List.of(
            "round",
            "order",
            "/health req/s",
            "/tree 200 req/s",
            "/tree 304 req/s",
            "/tree 200 p50 / p99 ms",
            "/tree 304 p50 / p99 ms",
            "4xx-5xx / socket errors"),
        rows);
    md.table(
        List.of("endpoint", "req/s (median)", "÷ /health", "body MB/s (10^6 bytes)"),
        List.of(
            List.of("`GET /health`", Stats.f0(health), "1", "–"),
            List.of(
                "`GET …/tree` → 200, full body",
                Stats.f0(tree),
                Stats.f3(tree / health),
                Stats.f1(tree * bodyBytes / 1e6)
                    + " ("
                    + String.format(Locale.ROOT, "%,d", bodyBytes)
                    + " B × req/s)"),
            List.of(
                "`GET …/tree` + `If-None-Match` → 304",
                Stats.f0(notModified),
                Stats.f3(notModified / health),
                "0 (no body)")));
    md.paragraph(
        "Per request both tree variants authenticate the token (session near cache), check `family:read:"
            + familyId
            + "` (permission near cache) and read the family's tree version from PostgreSQL (one query by "
            + "primary key); the 304 stops there, the 200 then writes the serialised document, which the node keeps per family "
            + "and version (built once, here during the check above). The load driver, the node, Redis and PostgreSQL "
            + "share the machine's cores.");
    boolean clean =
        results.values().stream().flatMap(List::stream).allMatch(LoadDriver.Result::clean);
    String verdict = clean ? "" : "invalid (errors)";
    summary.add(
        new Summary(
            "GET /tree of "
                + Stats.f0(persons)
                + " persons, 200 with the full body ("
                + rounds
                + " × "
                + seconds
                + " s with wrk)",
            Stats.f0(tree)
                + " req/s, "
                + Stats.f1(tree * bodyBytes / 1e6)
                + " MB/s of body ("
                + String.format(Locale.ROOT, "%,d", bodyBytes)
                + " B)",
            Stats.f3(tree / health) + " × GET /health (" + Stats.f0(health) + " req/s)",
            verdict));
    summary.add(
        new Summary(
            "GET /tree with If-None-Match, 304",
            Stats.f0(notModified) + " req/s",
            Stats.f3(notModified / health) + " × GET /health",
            verdict));
    if (!clean) {
      md.paragraph(
          "**Warning:** some runs had 4xx/5xx answers or socket errors; their throughput is not comparable.");
    }
    return md;
  }

  private LoadDriver.Result run(Target t, int duration) {
    return wrk.run(t.url(), t.authenticated() ? user.token() : null, t.header(), duration);
  }

  private static double median(List<LoadDriver.Result> results) {
    return Stats.median(results.stream().map(LoadDriver.Result::requestsPerSecond).toList());
  }

  private static String shown(List<String> command) {
    List<String> words = new ArrayList<>();
    for (String w : command) {
      words.add(w.contains(" ") ? "'" + w + "'" : w);
    }
    return String.join(" ", words);
  }
}
