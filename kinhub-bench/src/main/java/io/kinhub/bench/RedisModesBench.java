package io.kinhub.bench;

import io.kinhub.bench.runner.BenchRun;
import io.kinhub.bench.runner.Scenario;
import io.kinhub.server.app.Kinhub;
import io.kinhub.server.config.Config;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import redis.embedded.RedisExecProvider;

/**
 * Core flows on one Redis vs a Redis Cluster on the same machine. Starts PostgreSQL and a single
 * Redis ({@link Backends}), a Redis Cluster of three masters and three replicas (the embedded Redis
 * 7.0.15 binary, created with Debian's {@code redis-cli --cluster create}), and two Kinhub nodes
 * per configuration: {@code standalone}, {@code cluster} (WAIT for a replica after logins and
 * logouts, the default) and {@code cluster, no WAIT} ({@code KINHUB_REDIS_WAIT_REPLICAS=0}). Then,
 * alternating the configurations round by round, {@code clients} virtual-thread clients each repeat
 * one core-flow round for {@code seconds}: a QR login (ticket on A, scan and confirm on B, redeem
 * on A), {@code GET /api/v1/me} with the new token on B, and its logout on B (a revocation every
 * node acknowledges). Reports rounds per second per configuration.
 *
 * <p>Usage: {@code RedisModesBench [seconds=10] [rounds=3] [clients=16] [--out file]}.
 */
public final class RedisModesBench implements Scenario {
  /** Instantiated by the runner ({@code io.kinhub.bench.Bench}). */
  public RedisModesBench() {}

  @Override
  public String name() {
    return "redis-modes";
  }

  @Override
  public String summary() {
    return "core flows on one Redis vs a Redis Cluster (needs redis-cli)";
  }

  @Override
  public String help() {
    return """
        Arguments: [seconds=10] [rounds=3] [clients=16], --out FILE.
        """;
  }

  @Override
  public int run(BenchRun run) throws Exception {
    String[] args = run.args();
    int seconds = args.length > 0 && !args[0].startsWith("--") ? Integer.parseInt(args[0]) : 10;
    int rounds = args.length > 1 && !args[1].startsWith("--") ? Integer.parseInt(args[1]) : 3;
    int clients = args.length > 2 && !args[2].startsWith("--") ? Integer.parseInt(args[2]) : 16;
    Path out = null;
    for (int i = 0; i < args.length - 1; i++) {
      if (args[i].equals("--out")) {
        out = Path.of(args[i + 1]);
      }
    }
    Path cli = Path.of("/usr/bin/redis-cli");
    if (!Files.isExecutable(cli)) {
      throw new IllegalStateException(
          "redis-cli not found at " + cli + ": apt-get install redis-tools");
    }
    Path dir = Files.createTempDirectory("kinhub-redis-modes");
    List<Process> clusterNodes = new ArrayList<>();
    List<Kinhub> nodes = new ArrayList<>();
    try (Backends backends = Backends.start(dir);
        Api api = new Api()) {
      String clusterUrl = startCluster(dir, cli, clusterNodes);
      Map<String, String[]> configs = new LinkedHashMap<>();
      configs.put("standalone", start(nodes, backends, dir, "s", backends.redisUrl(), "auto"));
      configs.put("cluster", start(nodes, backends, dir, "c", clusterUrl, "auto"));
      configs.put("cluster, no WAIT", start(nodes, backends, dir, "n", clusterUrl, "0"));
      Map<String, List<Double>> results = new LinkedHashMap<>();
      for (String name : configs.keySet()) {
        results.put(name, new ArrayList<>());
        run(api, configs.get(name), clients, 3); // warm-up
      }
      for (int r = 0; r < rounds; r++) {
        for (Map.Entry<String, String[]> c : configs.entrySet()) {
          double perSecond = run(api, c.getValue(), clients, seconds);
          results.get(c.getKey()).add(perSecond);
          System.err.printf(
              Locale.ROOT, "round %d %-18s %.1f rounds/s%n", r + 1, c.getKey(), perSecond);
        }
      }
      StringBuilder report =
          new StringBuilder(
              "| configuration | core-flow rounds/s, each round | median | ÷ standalone |\n|---|---|---|---|\n");
      double base = median(results.get("standalone"));
      for (Map.Entry<String, List<Double>> e : results.entrySet()) {
        List<String> each =
            e.getValue().stream().map(v -> String.format(Locale.ROOT, "%.1f", v)).toList();
        report.append(
            String.format(
                Locale.ROOT,
                "| %s | %s | %.1f | %.2f |%n",
                e.getKey(),
                String.join(" / ", each),
                median(e.getValue()),
                median(e.getValue()) / base));
      }
      run.report(report);
    } finally {
      for (Kinhub n : nodes) {
        n.close();
      }
      for (Process p : clusterNodes) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      try (var paths = Files.walk(dir)) {
        paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    return 0;
  }

  private static String[] start(
      List<Kinhub> nodes, Backends backends, Path dir, String id, String redisUrl, String wait) {
    String prefix = "bench" + id + ":";
    String[] urls = new String[2];
    for (int i = 0; i < 2; i++) {
      Map<String, String> env = Cluster.env(backends, dir.resolve(id + i), "modes-" + id + i);
      env.put("KINHUB_REDIS_URL", redisUrl);
      env.put("KINHUB_REDIS_PREFIX", prefix);
      env.put("KINHUB_REDIS_WAIT_REPLICAS", wait);
      Kinhub node = Kinhub.start(Config.from(env));
      nodes.add(node);
      urls[i] = node.baseUrl();
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!nodes.get(nodes.size() - 1).cacheTrusted()
        || !nodes.get(nodes.size() - 2).cacheTrusted()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("nodes on " + id + " never trusted their caches");
      }
      sleep(20);
    }
    return urls;
  }

  /**
   * Runs the core-flow round on {@code clients} virtual threads for {@code seconds}; returns rounds
   * per second.
   */
  private static double run(Api api, String[] urls, int clients, int seconds)
      throws InterruptedException {
    String a = urls[0];
    String b = urls[1];
    List<String> phones = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      String login = "m" + UUID.randomUUID().toString().substring(0, 12) + "@example.org";
      api.createAccount(b, login, "Phone " + i);
      phones.add(
          api.post(b + "/api/v1/sessions", Map.of("login", login, "password", Api.PASSWORD))
              .json()
              .path("token")
              .asText());
    }
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicLong done = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    List<Thread> threads = new ArrayList<>();
    long started = System.nanoTime();
    for (String phone : phones) {
      threads.add(
          Thread.ofVirtual()
              .start(
                  () -> {
                    while (running.get()) {
                      try {
                        if (round(api, a, b, phone)) {
                          done.incrementAndGet();
                        } else {
                          failed.incrementAndGet();
                        }
                      } catch (RuntimeException e) {
                        failed.incrementAndGet();
                      }
                    }
                  }));
    }
    Thread.sleep(seconds * 1000L);
    running.set(false);
    long elapsed = System.nanoTime() - started;
    for (Thread t : threads) {
      t.join();
    }
    if (failed.get() > 0) {
      System.out.println("  (" + failed.get() + " rounds failed)");
    }
    return done.get() / (elapsed / 1e9);
  }

  private static boolean round(Api api, String a, String b, String phone) {
    Api.Response ticket = api.post(a + "/api/v1/qr-logins", Map.of("device", "bench"));
    if (ticket.status() != 201) {
      return false;
    }
    String id = ticket.json().path("id").asText();
    String secret = ticket.json().path("secret").asText();
    if (api.status(post(b + "/api/v1/qr-logins/" + id + "/scan", phone)) != 200
        || api.status(post(b + "/api/v1/qr-logins/" + id + "/confirm", phone)) != 200) {
      return false;
    }
    HttpRequest redeem =
        HttpRequest.newBuilder(URI.create(a + "/api/v1/qr-logins/" + id + "/session"))
            .header("X-QR-Secret", secret)
            .POST(HttpRequest.BodyPublishers.noBody())
            .build();
    String token;
    try {
      var r = api.client().send(redeem, HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 201) {
        return false;
      }
      token = new Api.Response(r.statusCode(), r.body()).json().path("token").asText();
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
    return api.status(Api.meRequest(b, token)) == 200
        && api.status(Api.logoutRequest(b, token)) == 204;
  }

  private static HttpRequest post(String url, String token) {
    return HttpRequest.newBuilder(URI.create(url))
        .header("Authorization", "Bearer " + token)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{}"))
        .build();
  }

  private static String startCluster(Path dir, Path cli, List<Process> processes)
      throws IOException, InterruptedException {
    Path binary = RedisExecProvider.defaultProvider().get().toPath();
    List<String> create = new ArrayList<>(List.of(cli.toString(), "--cluster", "create"));
    List<Integer> ports = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      Path nodeDir = Files.createDirectories(dir.resolve("cluster" + i));
      int port = freePort();
      int bus = freePort();
      processes.add(
          new ProcessBuilder(
                  binary.toString(),
                  "--port",
                  Integer.toString(port),
                  "--bind",
                  "127.0.0.1",
                  "--cluster-enabled",
                  "yes",
                  "--cluster-port",
                  Integer.toString(bus),
                  "--cluster-config-file",
                  "nodes.conf",
                  "--cluster-node-timeout",
                  "2000",
                  "--save",
                  "",
                  "--appendonly",
                  "no",
                  "--dir",
                  nodeDir.toString(),
                  "--daemonize",
                  "no")
              .redirectErrorStream(true)
              .redirectOutput(nodeDir.resolve("out.txt").toFile())
              .start());
      ports.add(port);
      create.add("127.0.0.1:" + port);
    }
    for (int port : ports) {
      awaitPort(port);
    }
    create.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
    Process p =
        new ProcessBuilder(create)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("create.txt").toFile())
            .start();
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(
          "redis-cli --cluster create failed: " + Files.readString(dir.resolve("create.txt")));
    }
    sleep(3000); // let every node learn the configuration (cluster_state:ok)
    return "redis-cluster://127.0.0.1:"
        + ports.get(0)
        + ",127.0.0.1:"
        + ports.get(1)
        + ",127.0.0.1:"
        + ports.get(2);
  }

  private static void awaitPort(int port) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
        return;
      } catch (IOException e) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("nothing listens on " + port);
        }
        sleep(20);
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
