package io.kinhub.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kinhub.bench.runner.BenchRun;
import io.kinhub.bench.runner.Scenario;
import io.kinhub.server.genealogy.KinGraph;
import io.kinhub.server.genealogy.Privacy;
import io.kinhub.server.genealogy.Relationships;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.function.BiFunction;

/**
 * Issue 16: relationship queries on generated trees of 10,000 and 100,000 persons (p50/p99 warm,
 * over HTTP on loopback, one client), the kinship graph's build time and retained heap, and the
 * privacy filter's cost on {@code GET /tree} (members' against visitors' document: cold build and
 * warm reads). One embedded node per run.
 *
 * <pre>
 *   ./kinhub bench genealogy [--persons 10000,100000] [--queries 2000]
 * </pre>
 */
public final class GenealogyBench implements Scenario {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** Instantiated by the runner ({@code io.kinhub.bench.Bench}). */
  public GenealogyBench() {}

  @Override
  public String name() {
    return "genealogy";
  }

  @Override
  public String summary() {
    return "relationship graph, search and GET /tree at 10k/100k persons";
  }

  @Override
  public String help() {
    return """
        Options: --persons LIST (10000,100000), --queries N (2000).
        """;
  }

  @Override
  public int run(BenchRun run) throws Exception {
    String[] args = run.args();
    String sizes = "10000,100000";
    int queries = 2000;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--persons" -> sizes = args[++i];
        case "--queries" -> queries = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    run.report(
        "| persons | graph build, ms | graph size, MiB (estimate) | search p50 / p99, ms (in process) | "
            + "relationship p50 / p99, ms (HTTP) | related, % (in process / HTTP) | GET /tree cold member / visitor, ms (best of 3) | "
            + "GET /tree warm p50 member / visitor, ms |\n");
    run.report("|---|---|---|---|---|---|---|---|\n");
    for (String size : sizes.split(",")) {
      run(run, Integer.parseInt(size.strip()), queries);
    }
    return 0;
  }

  /**
   * A connected tree: a few founding couples, generation after generation of 1 to 4 children; a
   * fifth of the children marry a cousin-generation child of another family (which joins the
   * lineages), most others an outsider.
   */
  static String connectedTree(int count, Random random) {
    StringBuilder persons = new StringBuilder();
    StringBuilder families = new StringBuilder();
    int[] next = {1};
    int[] fam = {1};
    BiFunction<Boolean, Integer, Integer> person =
        (male, year) -> {
          int id = next[0]++;
          persons
              .append("0 @I")
              .append(id)
              .append("@ INDI\n1 NAME P")
              .append(id)
              .append(" /Line/\n1 SEX ")
              .append(male ? "M" : "F")
              .append("\n1 BIRT\n2 DATE ")
              .append(year)
              .append('\n');
          return id;
        };
    record Couple(int husband, int wife, int year) {}
    List<Couple> generation = new ArrayList<>();
    for (int i = 0; i < Math.max(1, count / 2000); i++) {
      int year = 1500 + random.nextInt(20);
      generation.add(
          new Couple(
              person.apply(true, year), person.apply(false, year + random.nextInt(5)), year + 25));
    }
    while (next[0] <= count && !generation.isEmpty()) {
      List<int[]> children = new ArrayList<>(); // {id, male, year, family}
      for (Couple c : generation) {
        int kids = 1 + random.nextInt(4);
        StringBuilder f =
            new StringBuilder("0 @F")
                .append(fam[0])
                .append("@ FAM\n1 HUSB @I")
                .append(c.husband())
                .append("@\n1 WIFE @I")
                .append(c.wife())
                .append("@\n");
        for (int k = 0; k < kids && next[0] <= count; k++) {
          boolean male = random.nextBoolean();
          int year = c.year() + random.nextInt(15);
          int child = person.apply(male, year);
          f.append("1 CHIL @I").append(child).append("@\n");
          children.add(new int[] {child, male ? 1 : 0, year, fam[0]});
        }
        families.append(f);
        fam[0]++;
      }
      Collections.shuffle(children, random);
      List<Couple> couples = new ArrayList<>();
      boolean[] married = new boolean[children.size()];
      for (int i = 0; i < children.size() && next[0] <= count; i++) {
        if (married[i]) {
          continue;
        }
        int[] a = children.get(i);
        int partner = -1;
        if (random.nextInt(5) == 0) {
          for (int j = i + 1; j < Math.min(children.size(), i + 20); j++) {
            if (!married[j] && children.get(j)[1] != a[1] && children.get(j)[3] != a[3]) {
              partner = j;
              break;
            }
          }
        }
        int other;
        if (partner >= 0) {
          married[partner] = true;
          other = children.get(partner)[0];
        } else if (random.nextInt(10) < 7) {
          other = person.apply(a[1] == 0, a[2] - 3 + random.nextInt(6));
        } else {
          continue;
        }
        married[i] = true;
        couples.add(
            a[1] == 1 ? new Couple(a[0], other, a[2] + 25) : new Couple(other, a[0], a[2] + 25));
      }
      generation = couples;
    }
    return "0 HEAD\n1 CHAR UTF-8\n" + persons + families + "0 TRLR\n";
  }

  private static HttpResponse<byte[]> send(String method, String url, String token, byte[] body)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofMinutes(5))
            .header("Authorization", "Bearer " + token);
    if (body != null) {
      b.header(
          "Content-Type",
          method.equals("POST") && url.endsWith("/gedcom") ? "text/plain" : "application/json");
      b.method(method, HttpRequest.BodyPublishers.ofByteArray(body));
    } else {
      b.GET();
    }
    return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static long usedHeapAfterGc() throws InterruptedException {
    Runtime rt = Runtime.getRuntime();
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
    }
    return rt.totalMemory() - rt.freeMemory();
  }

  private static void run(BenchRun run, int persons, int queries) throws Exception {
    Path dir = Files.createTempDirectory("kinhub-genealogy-bench-");
    try (SingleNode node = SingleNode.start("genealogybench")) {
      String base = node.baseUrl();
      SingleNode.User owner = node.signUp("owner" + persons + "@bench.kinhub.test", "Owner");
      SingleNode.User visitor = node.signUp("visitor" + persons + "@bench.kinhub.test", "Visitor");
      long family = node.createFamily(owner, "Generated " + persons);
      String fam = base + "/api/v1/families/" + family;
      send("PATCH", fam, owner.token(), "{\"public\": true}".getBytes(StandardCharsets.UTF_8));
      HttpResponse<byte[]> imported =
          send(
              "POST",
              fam + "/gedcom",
              owner.token(),
              connectedTree(persons, new Random(16_000L + persons))
                  .getBytes(StandardCharsets.UTF_8));
      if (imported.statusCode() != 200) {
        throw new IllegalStateException(
            "import: "
                + imported.statusCode()
                + " "
                + new String(imported.body(), StandardCharsets.UTF_8));
      }
      // a settings change bumps the version: the next request builds the graph and the member
      // document afresh
      send(
          "PATCH",
          fam,
          owner.token(),
          "{\"privacy\": {\"maxAliveAge\": 120}}".getBytes(StandardCharsets.UTF_8));
      JsonNode tree = JSON.readTree(send("GET", fam + "/tree", owner.token(), null).body());
      send(
          "GET",
          fam + "/tree",
          visitor.token(),
          null); // both documents once, so that neither pays the first scan
      // cold reads after a change, three rounds, the two audiences in turn first
      long coldMember = Long.MAX_VALUE;
      long coldVisitor = Long.MAX_VALUE;
      for (int round = 0; round < 3; round++) {
        send(
            "PATCH",
            fam,
            owner.token(),
            ("{\"privacy\": {\"maxAliveAge\": " + (130 + round) + "}}")
                .getBytes(StandardCharsets.UTF_8));
        for (int k = 0; k < 2; k++) {
          boolean member = (round + k) % 2 == 0;
          long t = System.nanoTime();
          send("GET", fam + "/tree", member ? owner.token() : visitor.token(), null);
          t = System.nanoTime() - t;
          if (member) {
            coldMember = Math.min(coldMember, t);
          } else {
            coldVisitor = Math.min(coldVisitor, t);
          }
        }
      }
      List<String> ids = new ArrayList<>();
      tree.get("persons").forEach(p -> ids.add(p.get("id").asText()));
      // graph build: time a relationship query right after a version bump, less a warm query's time
      send(
          "PATCH",
          fam,
          owner.token(),
          "{\"privacy\": {\"maxAliveAge\": 121}}".getBytes(StandardCharsets.UTF_8));
      long before = usedHeapAfterGc();
      long cold = System.nanoTime();
      send(
          "GET",
          fam + "/relationship?from=" + ids.get(0) + "&to=" + ids.get(1),
          owner.token(),
          null);
      cold = System.nanoTime() - cold;
      long after = usedHeapAfterGc();
      Random random = new Random(persons);
      for (int i = 0; i < Math.min(200, queries); i++) {
        send(
            "GET",
            fam
                + "/relationship?from="
                + ids.get(random.nextInt(ids.size()))
                + "&to="
                + ids.get(random.nextInt(ids.size())),
            owner.token(),
            null);
      }
      long[] took = new long[queries];
      int related = 0;
      for (int i = 0; i < queries; i++) {
        String url =
            fam
                + "/relationship?from="
                + ids.get(random.nextInt(ids.size()))
                + "&to="
                + ids.get(random.nextInt(ids.size()));
        long t = System.nanoTime();
        HttpResponse<byte[]> r = send("GET", url, owner.token(), null);
        took[i] = System.nanoTime() - t;
        related += r.statusCode() == 200 ? 1 : 0;
      }
      Arrays.sort(took);
      double warm = took[took.length / 2] / 1e6;
      long[] member = new long[50];
      long[] visitorReads = new long[50];
      for (int i = 0; i < 50; i++) {
        long t = System.nanoTime();
        send("GET", fam + "/tree", owner.token(), null);
        member[i] = System.nanoTime() - t;
        t = System.nanoTime();
        send("GET", fam + "/tree", visitor.token(), null);
        visitorReads[i] = System.nanoTime() - t;
      }
      Arrays.sort(member);
      Arrays.sort(visitorReads);
      // in process, without HTTP: the graph build, its estimated size, and the search itself
      long version =
          JSON.readTree(send("GET", fam + "/tree", owner.token(), null).body())
              .get("version")
              .asLong();
      send(
          "PATCH",
          fam,
          owner.token(),
          "{\"privacy\": {\"maxAliveAge\": 122}}".getBytes(StandardCharsets.UTF_8));
      long buildStart = System.nanoTime();
      KinGraph graph = node.kinGraphs().graph(family, version + 1);
      long build = System.nanoTime() - buildStart;
      long[] direct = new long[queries * 5];
      int directRelated = 0;
      for (int round = -1; round < direct.length; round++) {
        int a = graph.index(Long.parseLong(ids.get(random.nextInt(ids.size()))));
        int b = graph.index(Long.parseLong(ids.get(random.nextInt(ids.size()))));
        long t = System.nanoTime();
        var answer = Relationships.between(graph, a, b, Privacy.Audience.FULL);
        if (round >= 0) {
          direct[round] = System.nanoTime() - t;
          directRelated += answer == null ? 0 : 1;
        }
      }
      Arrays.sort(direct);
      run.report(
          String.format(
              "| %,d | %.0f (HTTP: %.0f) | %.1f (heap delta %.1f) | %.2f / %.2f | %.2f / %.2f | %d / %d | %.0f / %.0f | %.1f / %.1f |%n",
              persons,
              build / 1e6,
              cold / 1e6 - warm,
              graph.weight() / (1024.0 * 1024.0),
              (after - before) / (1024.0 * 1024.0),
              direct[direct.length / 2] / 1e6,
              direct[(int) (direct.length * 0.99)] / 1e6,
              warm,
              took[(int) (took.length * 0.99)] / 1e6,
              directRelated * 100 / direct.length,
              related * 100 / queries,
              coldMember / 1e6,
              coldVisitor / 1e6,
              member[25] / 1e6,
              visitorReads[25] / 1e6));
    } finally {
      try (var files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
