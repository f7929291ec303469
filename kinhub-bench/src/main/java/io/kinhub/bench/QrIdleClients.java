package io.kinhub.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The browser side of the QR scenario's idle sockets, run by {@link QrScenario} as a JVM of its own
 * so that the nodes' JVM holds only the server side of each socket (its heap and its file
 * descriptors):
 *
 * <ol>
 *   <li>reads {@code ws://} URLs, one a line, from the file in {@code args[0]};
 *   <li>opens one java.net.http WebSocket per URL, at most {@code args[1]} upgrades in flight, and
 *       waits for every socket's first frame (the ticket's state, which the server sends at once);
 *   <li>prints one line {@code OPEN key=value ...} on stdout and holds the sockets (the JDK answers
 *       the server's pings) until it reads a line {@code close} or the end of its stdin (the parent
 *       went away);
 *   <li>closes every socket with 1000, waits for the server's close frames (at most 20 s), prints
 *       {@code CLOSED key=value ...} and exits.
 * </ol>
 *
 * Progress goes to stderr; a watchdog ends the process {@code args[2]} seconds after its start
 * whatever happens.
 */
final class QrIdleClients {
  /**
   * Sockets per client address: a node admits at most 200 QR sockets per client address
   * (KINHUB_QR_SOCKETS_PER_IP, default 200), so the clients spread over loopback addresses of their
   * own, 127.1.x.y (all of 127/8 reaches the node on Linux).
   */
  static final int SOCKETS_PER_ADDRESS = 150;

  private QrIdleClients() {}

  /**
   * The loopback address of client {@code k}: 127.1.0.1, 127.1.0.2, ... (never 127.0.0.1, the other
   * clients').
   */
  static InetAddress clientAddress(int k) {
    try {
      return InetAddress.getByAddress(new byte[] {127, 1, (byte) (k / 250), (byte) (k % 250 + 1)});
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e); // four bytes are always an address
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: QrIdleClients URL_FILE MAX_IN_FLIGHT LIMIT_SECONDS");
      System.exit(2);
    }
    Path file = Path.of(args[0]);
    int inFlightMax = Integer.parseInt(args[1]);
    long limitSeconds = Long.parseLong(args[2]);
    Thread.ofPlatform()
        .daemon()
        .name("qr-clients-watchdog")
        .start(
            () -> {
              try {
                Thread.sleep(Duration.ofSeconds(limitSeconds));
              } catch (InterruptedException e) {
                return;
              }
              System.err.println(
                  "qr-clients: time limit of " + limitSeconds + " s reached; exiting");
              System.exit(3);
            });

    List<String> urls =
        Files.readAllLines(file, StandardCharsets.UTF_8).stream()
            .filter(s -> !s.isBlank())
            .toList();
    int n = urls.size();
    long heapBefore = heapAfterGc();
    int clientCount = Math.max(1, (n + SOCKETS_PER_ADDRESS - 1) / SOCKETS_PER_ADDRESS);
    List<HttpClient> clients = new ArrayList<>();
    for (int c = 0; c < clientCount; c++) {
      clients.add(
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1)
              .connectTimeout(Duration.ofSeconds(20))
              .localAddress(clientAddress(c))
              .build());
    }
    Semaphore inFlight = new Semaphore(inFlightMax);
    CountDownLatch attempts = new CountDownLatch(n);
    CountDownLatch firstFrames = new CountDownLatch(n);
    AtomicInteger failed = new AtomicInteger();
    AtomicInteger closedByServer = new AtomicInteger();
    AtomicReference<String> firstError = new AtomicReference<>("");
    AtomicBoolean closing = new AtomicBoolean();
    WebSocket[] sockets = new WebSocket[n];
    Idle[] listeners = new Idle[n];
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      if (!inFlight.tryAcquire(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("no upgrade finished within 60 s");
      }
      int index = i;
      Idle listener = new Idle(firstFrames, closing, closedByServer);
      listeners[i] = listener;
      clients
          .get(i % clientCount)
          .newWebSocketBuilder()
          .connectTimeout(Duration.ofSeconds(20))
          .buildAsync(URI.create(urls.get(i)), listener)
          .whenComplete(
              (ws, e) -> {
                inFlight.release();
                if (e != null) {
                  failed.incrementAndGet();
                  firstError.compareAndSet(
                      "", String.valueOf(e.getCause() != null ? e.getCause() : e));
                  listener.firstFrame();
                } else {
                  sockets[index] = ws;
                }
                attempts.countDown();
              });
      if ((i + 1) % 2000 == 0) {
        System.err.printf(Locale.ROOT, "qr-clients: %d of %d upgrades started%n", i + 1, n);
      }
    }
    boolean allAttempted = attempts.await(120, TimeUnit.SECONDS);
    boolean allFirst = firstFrames.await(60, TimeUnit.SECONDS);
    double openSeconds = (System.nanoTime() - t0) / 1e9;
    int open = 0;
    int withFrame = 0;
    for (int i = 0; i < n; i++) {
      if (sockets[i] != null && !sockets[i].isInputClosed()) {
        open++;
      }
      if (listeners[i].frames.get() > 0) {
        withFrame++;
      }
    }
    long heapAfter = heapAfterGc();
    System.out.printf(
        Locale.ROOT,
        "OPEN requested=%d open=%d failed=%d firstFrames=%d allAttempted=%b allFirstFrames=%b "
            + "seconds=%.2f clients=%d heapBefore=%d heapAfter=%d fdLimit=%s firstError=%s%n",
        n,
        open,
        failed.get(),
        withFrame,
        allAttempted,
        allFirst,
        openSeconds,
        clientCount,
        heapBefore,
        heapAfter,
        fdLimit(),
        firstError.get().replaceAll("\\s+", "_"));
    System.out.flush();

    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null && !line.strip().equals("close")) {
      // wait for the parent
    }
    closing.set(true);
    int closedBeforeRequest = closedByServer.get();
    CountDownLatch acks = new CountDownLatch(n);
    for (int i = 0; i < n; i++) {
      listeners[i].acks = acks;
    }
    for (int i = 0; i < n; i++) {
      WebSocket ws = sockets[i];
      if (ws == null || ws.isInputClosed()) {
        listeners[i].ack(); // once per socket, also if its close frame races with this check
        continue;
      }
      ws.sendClose(WebSocket.NORMAL_CLOSURE, "bench done");
    }
    boolean allAcked = acks.await(20, TimeUnit.SECONDS);
    int left = 0;
    for (WebSocket ws : sockets) {
      if (ws != null && !ws.isInputClosed()) {
        left++;
        ws.abort();
      }
    }
    System.out.printf(
        Locale.ROOT,
        "CLOSED closedByServerBefore=%d allAcknowledged=%b aborted=%d%n",
        closedBeforeRequest,
        allAcked,
        left);
    System.out.flush();
    clients.forEach(HttpClient::shutdownNow);
    System.exit(0);
  }

  /** Counts frames and close frames; asks for the next message after each one. */
  private static final class Idle implements WebSocket.Listener {
    private final CountDownLatch firstFrames;
    private final AtomicBoolean closing;
    private final AtomicInteger closedByServer;
    final AtomicInteger frames = new AtomicInteger();
    private final AtomicBoolean counted = new AtomicBoolean();
    private final AtomicBoolean acked = new AtomicBoolean();
    volatile CountDownLatch acks;

    Idle(CountDownLatch firstFrames, AtomicBoolean closing, AtomicInteger closedByServer) {
      this.firstFrames = firstFrames;
      this.closing = closing;
      this.closedByServer = closedByServer;
    }

    void firstFrame() {
      if (counted.compareAndSet(false, true)) {
        firstFrames.countDown();
      }
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      if (last) {
        frames.incrementAndGet();
        firstFrame();
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
      if (!closing.get()) {
        closedByServer.incrementAndGet();
      }
      ack();
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      firstFrame();
      ack();
    }

    void ack() {
      CountDownLatch l = acks;
      if (l != null && acked.compareAndSet(false, true)) {
        l.countDown();
      }
    }
  }

  static long heapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /** "soft/hard" of RLIMIT_NOFILE for this process, from /proc/self/limits ("?" elsewhere). */
  static String fdLimit() {
    try {
      for (String l : Files.readAllLines(Path.of("/proc/self/limits"))) {
        if (l.startsWith("Max open files")) {
          String[] p = l.substring("Max open files".length()).trim().split("\\s+");
          return p[0] + "/" + p[1];
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return "?";
  }

  /** Open file descriptors of this process (-1 where /proc is missing). */
  static long openFds() {
    try (var s = Files.list(Path.of("/proc/self/fd"))) {
      return s.count();
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}
