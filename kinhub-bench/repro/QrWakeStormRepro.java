package io.kinhub.bench;

import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Reproduction (not a benchmark): N idle QR sockets on node A, then Redis paused for P ms (CLIENT
 * PAUSE ALL), sampling once a second the qr-wake virtual threads alive in node A's JVM (thread
 * dump), the highest wake-up number so far (the thread names count every wake-up submitted), heap
 * used and the open socket count.
 *
 * <p>Not part of the build (outside {@code src}): compile it against the bench jar and run it, e.g.
 *
 * <pre>
 * javac -d /tmp/repro-classes -cp kinhub-bench/target/kinhub-bench.jar kinhub-bench/repro/QrWakeStormRepro.java
 * java -cp /tmp/repro-classes:kinhub-bench/target/kinhub-bench.jar io.kinhub.bench.QrWakeStormRepro 2000 5000
 * </pre>
 *
 * The "N s after the pause began" labels count samples; a thread dump of tens of thousands of
 * threads takes seconds, so the samples are further apart than one second.
 */
public final class QrWakeStormRepro {
  public static void main(String[] args) throws Exception {
    int n = Integer.parseInt(args[0]);
    int pauseMs = Integer.parseInt(args[1]);
    Path dir = Files.createTempDirectory("qr-wake-storm-");
    Thread.ofPlatform()
        .daemon()
        .start(
            () -> {
              try {
                Thread.sleep(Duration.ofMinutes(5));
              } catch (InterruptedException e) {
                return;
              }
              System.err.println("repro: time limit");
              System.exit(3);
            });
    try (Backends backends = Backends.start(dir);
        Cluster cluster = Cluster.start(backends, dir.resolve("nodes"));
        Api api = new Api()) {
      String a = cluster.a();
      List<String> urls = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        Api.Response r = api.post(a + "/api/v1/qr-logins", Map.of("device", "repro " + i));
        urls.add(r.json().path("wsUrl").asText());
      }
      List<HttpClient> clients = new ArrayList<>();
      for (int c = 0; c < (n + 149) / 150; c++) {
        clients.add(HttpClient.newBuilder().localAddress(QrIdleClients.clientAddress(c)).build());
      }
      CountDownLatch first = new CountDownLatch(n);
      Semaphore inFlight = new Semaphore(64);
      List<WebSocket> sockets = java.util.Collections.synchronizedList(new ArrayList<>());
      for (int i = 0; i < n; i++) {
        inFlight.acquire();
        clients
            .get(i / 150)
            .newWebSocketBuilder()
            .buildAsync(
                URI.create(urls.get(i)),
                new WebSocket.Listener() {
                  boolean seen;

                  @Override
                  public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                    if (!seen) {
                      seen = true;
                      first.countDown();
                    }
                    ws.request(1);
                    return null;
                  }
                })
            .whenComplete(
                (ws, e) -> {
                  inFlight.release();
                  if (ws != null) {
                    sockets.add(ws);
                  }
                });
      }
      first.await(60, TimeUnit.SECONDS);
      System.out.println("open on A: " + cluster.openQrSocketsA() + " of " + n);
      sample(cluster, "before the pause");
      try (Socket s =
          new Socket(
              InetAddress.getLoopbackAddress(),
              Integer.parseInt(backends.redisUrl().replaceAll(".*:", "")))) {
        OutputStream out = s.getOutputStream();
        out.write(("CLIENT PAUSE " + pauseMs + " ALL\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        s.getInputStream().read(new byte[64]);
      }
      System.out.println("Redis paused for " + pauseMs + " ms");
      for (int t = 1; t <= pauseMs / 1000 + 10; t++) {
        Thread.sleep(1000);
        sample(cluster, t + " s after the pause began");
      }
      long c0 = System.nanoTime();
      for (WebSocket ws : sockets) {
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "done");
      }
      while (cluster.openQrSocketsA() > 0 && System.nanoTime() - c0 < 30_000_000_000L) {
        Thread.sleep(100);
      }
      System.out.println(
          "after the client closed all: "
              + cluster.openQrSocketsA()
              + " open on A after "
              + (System.nanoTime() - c0) / 1_000_000
              + " ms");
      clients.forEach(HttpClient::shutdownNow);
    } finally {
      BenchMain.deleteRecursively(dir);
    }
    System.exit(0);
  }

  private static void sample(Cluster cluster, String label) throws Exception {
    Path dump = Files.createTempFile("qr-wake-dump-", ".json");
    Files.delete(dump);
    ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class)
        .dumpThreads(
            dump.toString(), com.sun.management.HotSpotDiagnosticMXBean.ThreadDumpFormat.JSON);
    long alive = 0;
    long highest = -1;
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("\"name\": \"qr-wake-(\\d+)\"")
            .matcher(Files.readString(dump));
    while (m.find()) {
      alive++;
      highest = Math.max(highest, Long.parseLong(m.group(1)));
    }
    Files.delete(dump);
    Runtime rt = Runtime.getRuntime();
    System.out.printf(
        "%-28s qr-wake threads alive %7d, highest wake-up number %8d, heap used %5d MiB, open on A %d, bus trusted %b%n",
        label,
        alive,
        highest,
        (rt.totalMemory() - rt.freeMemory()) >> 20,
        cluster.openQrSocketsA(),
        cluster.bothTrusted());
  }
}
