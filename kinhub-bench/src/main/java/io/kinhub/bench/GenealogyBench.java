package io.kinhub.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Issue 16: relationship queries on generated trees of 10,000 and 100,000 persons (p50/p99 warm, over HTTP on
 * loopback, one client), the kinship graph's build time and retained heap, and the privacy filter's cost on
 * {@code GET /tree} (members' against visitors' document: cold build and warm reads). One embedded node per run.
 *
 * <pre>
 *   java -cp kinhub-bench/target/kinhub-bench.jar io.kinhub.bench.GenealogyBench [--persons 10000,100000] [--queries 2000]
 * </pre>
 */
public final class GenealogyBench {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private GenealogyBench() {}

  public static void main(String[] args) throws Exception {
    String sizes = "10000,100000";
    int queries = 2000;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--persons" -> sizes = args[++i];
        case "--queries" -> queries = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    System.out.println("| persons | graph build (ms) | graph heap (MiB) | relationship p50 (ms) | p99 (ms) | related | "
        + "GET /tree cold member / visitor (ms) | warm p50 member / visitor (ms) |");
    System.out.println("|---|---|---|---|---|---|---|---|");
    for (String size : sizes.split(",")) {
      run(Integer.parseInt(size.strip()), queries);
    }
  }

  private static HttpResponse<byte[]> send(String method, String url, String token, byte[] body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(5))
        .header("Authorization", "Bearer " + token);
    if (body != null) {
      b.header("Content-Type", method.equals("POST") && url.endsWith("/gedcom") ? "text/plain" : "application/json");
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

  private static void run(int persons, int queries) throws Exception {
    Path dir = Files.createTempDirectory("kinhub-genealogy-bench-");
    try (SingleNode node = SingleNode.start("genealogybench")) {
      String base = node.baseUrl();
      SingleNode.User owner = node.signUp("owner" + persons + "@bench.kinhub.test", "Owner");
      SingleNode.User visitor = node.signUp("visitor" + persons + "@bench.kinhub.test", "Visitor");
      long family = node.createFamily(owner, "Generated " + persons);
      String fam = base + "/api/v1/families/" + family;
      send("PATCH", fam, owner.token(), "{\"public\": true}".getBytes());
      GedcomGenerator.Generated file = GedcomGenerator.write(dir.resolve("g.ged"), persons, 16_000L + persons);
      HttpResponse<byte[]> imported = send("POST", fam + "/gedcom", owner.token(), Files.readAllBytes(file.file()));
      if (imported.statusCode() != 200) {
        throw new IllegalStateException("import: " + imported.statusCode() + " " + new String(imported.body()));
      }
      // a settings change bumps the version: the next request builds the graph and the member document afresh
      send("PATCH", fam, owner.token(), "{\"privacy\": {\"maxAliveAge\": 120}}".getBytes());
      long coldMember = System.nanoTime();
      JsonNode tree = JSON.readTree(send("GET", fam + "/tree", owner.token(), null).body());
      coldMember = System.nanoTime() - coldMember;
      long coldVisitor = System.nanoTime();
      send("GET", fam + "/tree", visitor.token(), null);
      coldVisitor = System.nanoTime() - coldVisitor;
      List<String> ids = new ArrayList<>();
      tree.get("persons").forEach(p -> ids.add(p.get("id").asText()));
      // graph build: time a relationship query right after a version bump, less a warm query's time
      send("PATCH", fam, owner.token(), "{\"privacy\": {\"maxAliveAge\": 121}}".getBytes());
      long before = usedHeapAfterGc();
      long cold = System.nanoTime();
      send("GET", fam + "/relationship?from=" + ids.get(0) + "&to=" + ids.get(1), owner.token(), null);
      cold = System.nanoTime() - cold;
      long after = usedHeapAfterGc();
      Random random = new Random(persons);
      for (int i = 0; i < Math.min(200, queries); i++) {
        send("GET", fam + "/relationship?from=" + ids.get(random.nextInt(ids.size())) + "&to="
            + ids.get(random.nextInt(ids.size())), owner.token(), null);
      }
      long[] took = new long[queries];
      int related = 0;
      for (int i = 0; i < queries; i++) {
        String url = fam + "/relationship?from=" + ids.get(random.nextInt(ids.size())) + "&to=" + ids.get(random.nextInt(ids.size()));
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
      System.out.printf("| %,d | %.0f | %.1f | %.2f | %.2f | %d / %d | %.0f / %.0f | %.1f / %.1f |%n", persons,
          cold / 1e6 - warm, (after - before) / (1024.0 * 1024.0), warm, took[(int) (took.length * 0.99)] / 1e6, related,
          queries, coldMember / 1e6, coldVisitor / 1e6, member[25] / 1e6, visitorReads[25] / 1e6);
    } finally {
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
