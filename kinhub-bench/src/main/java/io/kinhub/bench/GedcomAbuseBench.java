package io.kinhub.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.kinhub.bench.runner.BenchRun;
import io.kinhub.bench.runner.Scenario;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * Issue 12's GEDCOM measurements against one node in a child JVM with {@code -Xmx512m} (default
 * configuration, embedded Redis and PostgreSQL): imports of worst-shaped 64 MiB files (time, the
 * node's heap peak from its /metrics, status), two at once, and a bystander's {@code GET
 * /api/v1/me} latency idle, during ten slow uploads and during ten slow export readers. Prints
 * Markdown. Bounded: every wait has a deadline.
 *
 * <pre>java -cp kinhub-bench/target/kinhub-bench.jar io.kinhub.bench.GedcomAbuseBench</pre>
 */
public final class GedcomAbuseBench implements Scenario {
  private static final long MIB = 1024 * 1024;
  private static final long FILE_BYTES = 64 * MIB - 4096;
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final Duration IMPORT_TIMEOUT = Duration.ofMinutes(10);

  /** Instantiated by the runner ({@code io.kinhub.bench.Bench}). */
  public GedcomAbuseBench() {}

  @Override
  public String name() {
    return "gedcom-abuse";
  }

  @Override
  public String summary() {
    return "worst-shaped GEDCOM files and slow clients against a 512 MiB node";
  }

  @Override
  public String help() {
    return """
        Options: --tree (a million-person file and GET /tree instead).
        """;
  }

  @Override
  public int run(BenchRun bench) throws Exception {
    String[] args = bench.args();
    if (args.length > 0 && args[0].equals("--node")) {
      runNode();
      return 0;
    }
    Path dir = Files.createTempDirectory("kinhub-gedcom-bench-");
    Process child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m",
                "-cp",
                System.getProperty("java.class.path"),
                Bench.class.getName(),
                "gedcom-abuse",
                "--node")
            .redirectErrorStream(true)
            .start();
    Path childLog = dir.resolve("node.log");
    String[] base = new String[1];
    Thread pump =
        Thread.ofPlatform()
            .daemon()
            .start(
                () -> {
                  try (BufferedReader in =
                          new BufferedReader(new InputStreamReader(child.getInputStream(), UTF_8));
                      OutputStream log = Files.newOutputStream(childLog)) {
                    String line;
                    while ((line = in.readLine()) != null) {
                      if (line.startsWith("node: ")) {
                        synchronized (base) {
                          base[0] = line.substring(6).strip();
                          base.notifyAll();
                        }
                      }
                      log.write((line + "\n").getBytes(UTF_8));
                      log.flush();
                    }
                  } catch (IOException e) {
                    // the child ended
                  }
                });
    try {
      synchronized (base) {
        long deadline = System.currentTimeMillis() + 120_000;
        while (base[0] == null && System.currentTimeMillis() < deadline && child.isAlive()) {
          base.wait(1_000);
        }
      }
      if (base[0] == null) {
        throw new IllegalStateException("the node did not start; see " + childLog);
      }
      GedcomAbuseBench.Run run = new GedcomAbuseBench.Run(base[0], dir, bench);
      if (args.length > 0 && args[0].equals("--tree")) {
        run.tree();
      } else {
        run.all();
      }
      boolean oom = Files.readString(childLog).contains("OutOfMemoryError");
      bench.report(
          "\nNode JVM alive at the end: "
              + child.isAlive()
              + "; OutOfMemoryError in its log: "
              + oom
              + "\n");
    } finally {
      child.getOutputStream().close(); // the child stops when its stdin ends
      if (!child.waitFor(60, TimeUnit.SECONDS)) {
        child.destroyForcibly();
      }
      pump.join(5_000);
      BenchRun.deleteRecursively(dir);
    }
    return 0;
  }

  /** Child: one node with its own Redis and PostgreSQL until stdin ends. */
  private static void runNode() throws IOException {
    try (SingleNode node = SingleNode.start("gedcom-bench")) {
      System.out.println("node: " + node.baseUrl());
      System.out.flush();
      while (System.in.read() >= 0) {
        // wait
      }
    }
  }

  private static final class Run {
    private final String base;
    private final Path dir;
    private final String token;
    private final String bystander;
    private final BenchRun bench;

    Run(String base, Path dir, BenchRun bench) throws Exception {
      this.base = base;
      this.dir = dir;
      this.bench = bench;
      Api api = new Api();
      String login = "bench-" + System.nanoTime() + "@example.org";
      api.createAccount(base, login, "Importer");
      this.token = api.login(base, login, "bench");
      String other = "bystander-" + System.nanoTime() + "@example.org";
      api.createAccount(base, other, "Bystander");
      this.bystander = api.login(base, other, "bench");
    }

    /** A line of the report. */
    private void line(String text) {
      bench.report(text + "\n");
    }

    /**
     * GET /tree of a million-person tree: the first (serialised) and repeated reads, gzip and
     * identity.
     */
    void tree() throws Exception {
      Path atCap =
          write(
              "tiny-1m-records.ged",
              (out, i) -> {
                if (i <= 999_998) {
                  out.write(
                      ("0 @I" + i + "@ INDI\n1 NAME P" + i + " /S" + (i % 1000) + "/\n")
                          .getBytes(UTF_8));
                }
              },
              FILE_BYTES,
              64);
      Outcome imported = importFile(atCap);
      line(
          "## GET /tree of a "
              + imported.persons
              + "-person tree (import "
              + imported.status
              + ")");
      line("");
      line("| read | Accept-Encoding | status | bytes | time ms | node heap peak MiB |");
      line("|---|---|---|---|---|---|");
      String[] encodings = {"gzip", "gzip", "gzip", "identity", "identity", "identity"};
      for (int i = 0; i < encodings.length; i++) {
        HeapWatch heap = HeapWatch.start(base);
        long t0 = System.nanoTime();
        HttpResponse<byte[]> r =
            HTTP.send(
                HttpRequest.newBuilder(
                        URI.create(base + "/api/v1/families/" + imported.family + "/tree"))
                    .timeout(IMPORT_TIMEOUT)
                    .header("Authorization", "Bearer " + token)
                    .header("Accept-Encoding", encodings[i])
                    .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        double ms = (System.nanoTime() - t0) / 1e6;
        bench.report(
            String.format(
                Locale.ROOT,
                "| %s | %s | %d | %d | %.0f | %.0f |%n",
                i == 0 ? "first (builds)" : "again",
                encodings[i],
                r.statusCode(),
                r.body().length,
                ms,
                heap.stop()));
      }
    }

    void all() throws Exception {
      line("## GEDCOM hardening (issue 12): worst-shaped files, a 512 MiB node, slow clients");
      line("");
      line("| file | size | status | persons | time s | node heap peak MiB |");
      line("|---|---|---|---|---|---|");
      Path tiny =
          write(
              "tiny-64mib.ged",
              (out, i) -> out.write(("0 @I" + i + "@ INDI\n").getBytes(UTF_8)),
              FILE_BYTES,
              32);
      Path atCap =
          write(
              "tiny-1m-records.ged",
              (out, i) -> {
                if (i <= 999_998) {
                  out.write(("0 @I" + i + "@ INDI\n").getBytes(UTF_8));
                }
              },
              FILE_BYTES,
              32);
      Path oneRecord = writeOneRecord();
      Path recordsAtLineCap =
          write(
              "records-of-20000-lines.ged",
              (out, i) -> {
                out.write(("0 @I" + i + "@ INDI\n1 NAME Many /Lines/\n").getBytes(UTF_8));
                byte[] line = "1 X\n".getBytes(UTF_8);
                for (int l = 0; l < 19_990; l++) {
                  out.write(line);
                }
              },
              FILE_BYTES,
              19_990 * 4 + 64);
      Path longLines =
          write(
              "lines-of-64kib.ged",
              (out, i) -> {
                out.write(
                    ("0 @I" + i + "@ INDI\n1 NAME Long /Lines/\n1 NOTE start\n").getBytes(UTF_8));
                byte[] line = ("2 CONT " + "x".repeat(64 * 1024 - 8) + "\n").getBytes(UTF_8);
                for (int l = 0; l < 16; l++) {
                  out.write(line);
                }
              },
              FILE_BYTES,
              17 * 64 * 1024 + 64);
      for (Path f : List.of(tiny, oneRecord, recordsAtLineCap, longLines, atCap)) {
        row(f);
      }
      line("");
      line("Two at once (each row: both files imported concurrently into two families):");
      line("");
      line("| files | statuses | persons | time s (both done) | node heap peak MiB |");
      line("|---|---|---|---|---|");
      pair(atCap, atCap);
      pair(recordsAtLineCap, longLines);
      pair(tiny, oneRecord);
      bystanders();
    }

    interface Writer {
      void record(OutputStream out, int i) throws IOException;
    }

    /**
     * HEAD, records while the next one (at most {@code recordBytes}) still fits in {@code bytes},
     * TRLR.
     */
    private Path write(String name, Writer records, long bytes, long recordBytes)
        throws IOException {
      Path file = dir.resolve(name);
      try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
        CountingStream counted = new CountingStream(out);
        counted.write("0 HEAD\n1 SOUR BENCH\n1 CHAR UTF-8\n".getBytes(UTF_8));
        for (int i = 1; counted.count + recordBytes < bytes && i < 50_000_000; i++) {
          long before = counted.count;
          records.record(counted, i);
          if (counted.count == before) {
            break;
          }
        }
        counted.write("0 TRLR\n".getBytes(UTF_8));
      }
      return file;
    }

    private Path writeOneRecord() throws IOException {
      Path file = dir.resolve("one-record-64mib.ged");
      try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
        out.write("0 HEAD\n1 CHAR UTF-8\n0 @I1@ INDI\n".getBytes(UTF_8));
        byte[] line = "1 X\n".getBytes(UTF_8);
        for (long n = 0; n < FILE_BYTES / line.length; n++) {
          out.write(line);
        }
        out.write("0 TRLR\n".getBytes(UTF_8));
      }
      return file;
    }

    private static final class CountingStream extends OutputStream {
      private final OutputStream out;
      long count;

      CountingStream(OutputStream out) {
        this.out = out;
      }

      @Override
      public void write(int b) throws IOException {
        out.write(b);
        count++;
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
        count += len;
      }
    }

    private record Outcome(int status, int persons, String body, long family) {}

    private Outcome importFile(Path file) throws Exception {
      long family = new Api().createFamily(base, token, "bench " + file.getFileName());
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(base + "/api/v1/families/" + family + "/gedcom"))
                  .timeout(IMPORT_TIMEOUT)
                  .header("Authorization", "Bearer " + token)
                  .header("Content-Type", "application/octet-stream")
                  .POST(HttpRequest.BodyPublishers.ofFile(file))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      int persons = -1;
      var m = Pattern.compile("\"persons\":(\\d+)").matcher(r.body());
      if (r.statusCode() == 200 && m.find()) {
        persons = Integer.parseInt(m.group(1));
      }
      return new Outcome(r.statusCode(), persons, r.body(), family);
    }

    private void row(Path file) throws Exception {
      HeapWatch heap = HeapWatch.start(base);
      long t0 = System.nanoTime();
      Outcome o = importFile(file);
      double seconds = (System.nanoTime() - t0) / 1e9;
      double peak = heap.stop();
      String status = o.status == 200 ? "200" : o.status + " (" + detail(o.body) + ")";
      bench.report(
          String.format(
              Locale.ROOT,
              "| %s | %.1f MiB | %s | %s | %.1f | %.0f |%n",
              file.getFileName(),
              Files.size(file) / (double) MIB,
              status,
              o.persons < 0 ? "—" : Integer.toString(o.persons),
              seconds,
              peak));
    }

    private void pair(Path a, Path b) throws Exception {
      HeapWatch heap = HeapWatch.start(base);
      long t0 = System.nanoTime();
      CompletableFuture<Outcome> first = CompletableFuture.supplyAsync(() -> unchecked(a));
      CompletableFuture<Outcome> second = CompletableFuture.supplyAsync(() -> unchecked(b));
      Outcome x = first.join();
      Outcome y = second.join();
      double seconds = (System.nanoTime() - t0) / 1e9;
      double peak = heap.stop();
      bench.report(
          String.format(
              Locale.ROOT,
              "| %s + %s | %d, %d | %s, %s | %.1f | %.0f |%n",
              a.getFileName(),
              b.getFileName(),
              x.status,
              y.status,
              x.persons < 0 ? "—" : x.persons,
              y.persons < 0 ? "—" : y.persons,
              seconds,
              peak));
    }

    private Outcome unchecked(Path file) {
      try {
        return importFile(file);
      } catch (Exception e) {
        return new Outcome(-1, -1, e.toString(), -1);
      }
    }

    private static String detail(String body) {
      var m = Pattern.compile("\"detail\":\"([^\"]*)\"").matcher(body);
      return m.find() ? m.group(1) : Api.abbreviate(body);
    }

    /** GET /api/v1/me p50/p99 idle, during ten slow uploads, during ten slow export readers. */
    private void bystanders() throws Exception {
      line("");
      line("Bystander `GET /api/v1/me` (sequential requests for 8 s, one client):");
      line("");
      line("| while | requests | ok | p50 ms | p99 ms | max ms |");
      line("|---|---|---|---|---|---|");
      latency("idle");
      List<Socket> slow = new ArrayList<>();
      AtomicBoolean stop = new AtomicBoolean();
      try {
        for (int i = 0; i < 10; i++) {
          long family = new Api().createFamily(base, token, "slow upload " + i);
          Socket s = new Socket();
          s.connect(
              new InetSocketAddress(URI.create(base).getHost(), URI.create(base).getPort()), 5_000);
          slow.add(s);
          s.getOutputStream()
              .write(
                  ("POST /api/v1/families/"
                          + family
                          + "/gedcom HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                          + token
                          + "\r\nContent-Type: text/plain\r\nContent-Length: 10000000\r\n\r\n0 HEAD\n")
                      .getBytes(UTF_8));
          Thread.ofVirtual()
              .start(
                  () -> {
                    for (int k = 0;
                        k < 60 && !stop.get();
                        k++) { // a line a second, at most a minute
                      try {
                        Thread.sleep(1_000);
                        s.getOutputStream().write("1 NOTE x\n".getBytes(UTF_8));
                      } catch (IOException | InterruptedException e) {
                        return;
                      }
                    }
                  });
        }
        Thread.sleep(500);
        latency("ten slow uploads (a line a second)");
      } finally {
        stop.set(true);
        for (Socket s : slow) {
          s.close();
        }
      }
      GedcomGenerator.Generated g =
          GedcomGenerator.write(dir.resolve("export-source.ged"), 50_000, 7);
      Outcome imported = importFile(g.file());
      if (imported.status != 200) {
        line("(export source import failed: " + imported.status + ")");
        return;
      }
      long id = imported.family;
      List<Socket> readers = new ArrayList<>();
      try {
        for (int i = 0; i < 10; i++) {
          Socket s = new Socket();
          s.setReceiveBufferSize(2048);
          s.connect(
              new InetSocketAddress(URI.create(base).getHost(), URI.create(base).getPort()), 5_000);
          readers.add(s);
          s.getOutputStream()
              .write(
                  ("GET /api/v1/families/"
                          + id
                          + "/gedcom HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                          + token
                          + "\r\n\r\n")
                      .getBytes(UTF_8));
        }
        Thread.sleep(500);
        latency("ten slow export readers (never reading; " + g.persons() + "-person family)");
      } finally {
        for (Socket s : readers) {
          s.close();
        }
      }
    }

    private void latency(String label) throws Exception {
      List<Double> ms = new ArrayList<>();
      int ok = 0;
      long end = System.nanoTime() + Duration.ofSeconds(8).toNanos();
      HttpRequest me =
          HttpRequest.newBuilder(URI.create(base + "/api/v1/me"))
              .timeout(Duration.ofSeconds(30))
              .header("Authorization", "Bearer " + bystander)
              .build();
      while (System.nanoTime() < end) {
        long t0 = System.nanoTime();
        HttpResponse<Void> r = HTTP.send(me, HttpResponse.BodyHandlers.discarding());
        ms.add((System.nanoTime() - t0) / 1e6);
        ok += r.statusCode() == 200 ? 1 : 0;
      }
      double[] v = ms.stream().mapToDouble(Double::doubleValue).toArray();
      bench.report(
          String.format(
              Locale.ROOT,
              "| %s | %d | %d | %.2f | %.2f | %.1f |%n",
              label,
              v.length,
              ok,
              Stats.quantile(v, 0.5),
              Stats.quantile(v, 0.99),
              Stats.max(v)));
    }
  }

  /**
   * Polls the node's /metrics every 100 ms for its heap in use (sum of the heap pools) and keeps
   * the peak.
   */
  private static final class HeapWatch {
    private final AtomicLong peak = new AtomicLong();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private Thread thread;

    static HeapWatch start(String base) {
      HeapWatch w = new HeapWatch();
      HttpRequest metrics =
          HttpRequest.newBuilder(URI.create(base + "/metrics"))
              .timeout(Duration.ofSeconds(5))
              .build();
      w.thread =
          Thread.ofPlatform()
              .daemon()
              .start(
                  () -> {
                    while (w.running.get()) {
                      try {
                        String text =
                            HTTP.send(metrics, HttpResponse.BodyHandlers.ofString()).body();
                        long heap = 0;
                        for (String line : text.split("\n")) {
                          if (line.startsWith("jvm_memory_used_bytes{")
                              && line.contains("area=\"heap\"")) {
                            heap +=
                                (long)
                                    Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                          }
                        }
                        w.peak.accumulateAndGet(heap, Math::max);
                        Thread.sleep(100);
                      } catch (Exception e) {
                        if (e instanceof InterruptedException) {
                          return;
                        }
                      }
                    }
                  });
      return w;
    }

    /** The peak in MiB. */
    double stop() throws InterruptedException {
      running.set(false);
      thread.join(10_000);
      return peak.get() / (double) MIB;
    }
  }
}
