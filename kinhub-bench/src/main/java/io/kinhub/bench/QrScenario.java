package io.kinhub.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;

/**
 * 5. QR-code login across nodes, in two parts.
 * <ol>
 *   <li><b>Concurrent logins</b>: N tickets created on node A ({@code POST /api/v1/qr-logins}), N browser WebSockets
 *       open on A at the same time (java.net.http, in this JVM), then the phone side on node B scans and confirms
 *       every ticket ({@code --qr-concurrency} calls at once, a few phone accounts logged in beforehand). Measured:
 *       the time from each confirm call's return to the browser's {@code "completed"} frame on A (both
 *       {@link System#nanoTime()} of this JVM), the confirm calls, and that every completed frame carries a token
 *       that works on A for the user who confirmed.</li>
 *   <li><b>Idle sockets</b>: M tickets on A, M WebSockets opened and held by {@link QrIdleClients} in a JVM of its
 *       own (so that this JVM, which runs the nodes, holds only the server side of each socket: its heap and its
 *       file descriptor), then the open count of node A and this JVM's heap after GC, direct buffers, RSS and
 *       file descriptors before, while open and after closing; the open count must return to 0.</li>
 * </ol>
 */
final class QrScenario {
  static final String TITLE = "5. QR-code login: browser WebSocket on node A, phone on node B";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  /** Confirmed tickets per phone account: each completion is a session of that user, below the cap of 100. */
  private static final int TICKETS_PER_PHONE = 80;
  private static final int MIN_PHONES = 10;
  private static final int PHONE_LOGIN_CONCURRENCY = 4;
  private static final int BROWSER_CLIENTS = 4;
  private static final int UPGRADES_IN_FLIGHT = 64;
  private static final double GOAL_P99_MS = 20;
  private static final int GOAL_IDLE_SOCKETS = 10_000;
  private static final long GOAL_HEAP_BYTES = 512L * 1024 * 1024;
  private static final String IDLE_GOAL = ">= 10,000 within 512 MB";
  private static final double MIB = 1024.0 * 1024.0;

  private final Options options;
  private final Cluster cluster;
  private final Api api;

  QrScenario(Options options, Cluster cluster, Api api) {
    this.options = options;
    this.cluster = cluster;
    this.api = api;
  }

  /** A generous estimate of the scenario's duration, for the watchdog. */
  static long plannedSeconds(Options options) {
    return 240 + options.qrLogins() / 10 + options.qrIdleSockets() / 40;
  }

  Markdown run(List<Summary> summary) throws Exception {
    Markdown md = new Markdown().heading(2, TITLE);
    Exception first = null;
    md.heading(3, "Concurrent QR logins (" + options.qrLogins() + ")");
    try {
      logins(md, summary);
    } catch (Exception e) {
      first = e;
      md.paragraph("**This part failed:** " + e);
      summary.add(new Summary("QR logins completed across nodes", "failed", "all " + options.qrLogins(), "failed"));
    }
    md.heading(3, "Idle QR WebSockets (" + options.qrIdleSockets() + ")");
    try {
      idle(md, summary);
    } catch (Exception e) {
      first = first == null ? e : first;
      md.paragraph("**This part failed:** " + e);
      summary.add(new Summary("Idle QR WebSockets open on node A", "failed", IDLE_GOAL, "failed"));
    }
    if (first != null) {
      throw new BenchMain.PartlyFailed(md, first);
    }
    return md;
  }

  // ---- 1. concurrent logins ------------------------------------------------------------------------------

  private record Ticket(String id, String secret, String wsUrl) {}

  private void logins(Markdown md, List<Summary> summary) throws Exception {
    String b = cluster.b();
    int n = options.qrLogins();
    int warmup = warmupLogins(options);
    int phones = Math.min(n + warmup, Math.max(MIN_PHONES, (n + warmup + TICKETS_PER_PHONE - 1) / TICKETS_PER_PHONE));
    BenchMain.progress("qr: creating and logging in " + phones + " phone accounts on node B");
    String[] phoneLogins = new String[phones];
    String[] phoneTokens = new String[phones];
    parallel(phones, PHONE_LOGIN_CONCURRENCY, Duration.ofSeconds(60 + 2L * phones), i -> {
      phoneLogins[i] = "qr-phone-" + i + "@bench.kinhub.test";
      api.createAccount(b, phoneLogins[i], "QR phone " + i);
      phoneTokens[i] = api.login(b, phoneLogins[i], "bench qr phone " + i);
    });
    if (warmup > 0) {
      BenchMain.progress("qr: warm-up round of " + warmup + " QR logins (not measured)");
      round(warmup, 0, phoneLogins, phoneTokens, null, null);
    }
    round(n, warmup, phoneLogins, phoneTokens, md, summary);
  }

  /** Logins of the warm-up round before the measured one: a tenth of N, at least 20, at most 200. */
  static int warmupLogins(Options options) {
    return Math.min(200, Math.max(20, options.qrLogins() / 10));
  }

  /**
   * One round of {@code n} concurrent QR logins; ticket {@code i} is confirmed by phone {@code (offset + i) mod phones}.
   * Without {@code md} it is a warm-up: it fails like a measured round but reports nothing.
   */
  private void round(int n, int offset, String[] phoneLogins, String[] phoneTokens, Markdown md, List<Summary> summary)
      throws Exception {
    String a = cluster.a();
    String b = cluster.b();
    int concurrency = options.qrConcurrency();
    int phones = phoneTokens.length;
    int warmup = offset;
    BenchMain.progress("qr: creating " + n + " tickets on node A");
    long c0 = System.nanoTime();
    Ticket[] tickets = createTickets(a, n, "bench qr browser ", concurrency);
    double createSeconds = (System.nanoTime() - c0) / 1e9;

    BenchMain.progress("qr: opening " + n + " browser WebSockets on node A");
    CountDownLatch firstFrames = new CountDownLatch(n);
    CountDownLatch finished = new CountDownLatch(n);
    Browser[] browsers = new Browser[n];
    for (int i = 0; i < n; i++) {
      browsers[i] = new Browser(firstFrames, finished);
    }
    List<HttpClient> clients = new ArrayList<>();
    for (int c = 0; c < BROWSER_CLIENTS; c++) {
      clients.add(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build());
    }
    try {
      long o0 = System.nanoTime();
      Semaphore inFlight = new Semaphore(UPGRADES_IN_FLIGHT);
      CountDownLatch attempts = new CountDownLatch(n);
      AtomicInteger upgradeFailures = new AtomicInteger();
      AtomicReference<String> firstUpgradeFailure = new AtomicReference<>();
      for (int i = 0; i < n; i++) {
        if (!inFlight.tryAcquire(60, TimeUnit.SECONDS)) {
          throw new IllegalStateException("no WebSocket upgrade finished within 60 s");
        }
        Browser browser = browsers[i];
        clients.get(i % clients.size()).newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
            .buildAsync(URI.create(tickets[i].wsUrl()), browser)
            .whenComplete((ws, e) -> {
              inFlight.release();
              if (e != null) {
                upgradeFailures.incrementAndGet();
                firstUpgradeFailure.compareAndSet(null, String.valueOf(e.getCause() != null ? e.getCause() : e));
                browser.gone();
              } else {
                browser.ws = ws;
              }
              attempts.countDown();
            });
      }
      if (!attempts.await(60 + n / 20, TimeUnit.SECONDS) || !firstFrames.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the browser WebSockets did not all open and receive their first frame in time ("
            + (n - attempts.getCount()) + " upgrades finished, " + (n - firstFrames.getCount()) + " first frames)");
      }
      double openSeconds = (System.nanoTime() - o0) / 1e9;
      int opened = n - upgradeFailures.get();
      int openOnA = awaitCount(cluster::openQrSocketsA, opened, Duration.ofSeconds(10));
      int firstPending = 0;
      for (Browser br : browsers) {
        firstPending += "pending".equals(br.firstState) ? 1 : 0;
      }
      if (upgradeFailures.get() > 0) {
        throw new IllegalStateException(upgradeFailures.get() + " of " + n + " browser WebSockets did not open; first: "
            + firstUpgradeFailure.get());
      }
      BenchMain.progress("qr: " + openOnA + " sockets open on node A; scanning and confirming on node B, " + concurrency
          + " at a time, " + phones + " phone accounts");

      long[] scanReturned = new long[n];
      long[] confirmSent = new long[n];
      long[] confirmReturned = new long[n];
      AtomicInteger scanFailures = new AtomicInteger();
      AtomicInteger confirmFailures = new AtomicInteger();
      AtomicReference<String> firstPhoneProblem = new AtomicReference<>();
      String loadBefore = Machine.loadAverage();
      long p0 = System.nanoTime();
      parallel(n, concurrency, Duration.ofSeconds(60 + n / 5), i -> {
        String token = phoneTokens[(offset + i) % phones];
        String base = b + "/api/v1/qr-logins/" + tickets[i].id();
        Api.Response scan = phonePost(base + "/scan", token);
        long scanned = System.nanoTime();
        if (scan.status() != 200) {
          scanFailures.incrementAndGet();
          firstPhoneProblem.compareAndSet(null, "scan of ticket " + i + " answered " + scan.status() + ": " + Api.abbreviate(scan.body()));
          return;
        }
        long t0 = System.nanoTime();
        Api.Response confirm = phonePost(base + "/confirm", token);
        long t1 = System.nanoTime();
        if (confirm.status() != 200) {
          confirmFailures.incrementAndGet();
          firstPhoneProblem.compareAndSet(null, "confirm of ticket " + i + " answered " + confirm.status() + ": "
              + Api.abbreviate(confirm.body()));
          return;
        }
        scanReturned[i] = scanned;
        confirmSent[i] = t0;
        confirmReturned[i] = t1;
      });
      double phoneSeconds = (System.nanoTime() - p0) / 1e9;
      boolean allFinished = finished.await(30, TimeUnit.SECONDS);

      // what the browsers saw
      int completed = 0;
      int withToken = 0;
      int withScanned = 0;
      int otherTerminal = 0;
      int early = 0;
      Set<String> distinct = new HashSet<>();
      double[] afterReturn = new double[n];
      double[] afterSent = new double[n];
      double[] confirmMs = new double[n];
      double[] scanMs = new double[n];
      int scansMeasured = 0;
      int measured = 0;
      int confirms = 0;
      for (int i = 0; i < n; i++) {
        Browser br = browsers[i];
        if (confirmReturned[i] != 0) {
          confirmMs[confirms++] = (confirmReturned[i] - confirmSent[i]) / 1e6;
        }
        withScanned += br.sawScanned ? 1 : 0;
        if (br.scannedAt != 0 && scanReturned[i] != 0) {
          scanMs[scansMeasured++] = (br.scannedAt - scanReturned[i]) / 1e6;
        }
        if (br.otherTerminal != null) {
          otherTerminal++;
        }
        if (br.completedAt != 0) {
          completed++;
          if (br.token != null && !br.token.isEmpty()) {
            withToken++;
            distinct.add(br.token);
          }
          if (confirmReturned[i] != 0) {
            double ms = (br.completedAt - confirmReturned[i]) / 1e6;
            early += ms < 0 ? 1 : 0;
            afterReturn[measured] = ms;
            afterSent[measured] = (br.completedAt - confirmSent[i]) / 1e6;
            measured++;
          }
        }
      }
      double[] latency = Arrays.copyOf(afterReturn, measured);
      double[] sentLatency = Arrays.copyOf(afterSent, measured);
      double[] confirmLatency = Arrays.copyOf(confirmMs, confirms);
      double[] scanLatency = Arrays.copyOf(scanMs, scansMeasured);

      // the tokens: each must work on node A, for the user who confirmed
      BenchMain.progress("qr: " + completed + " completed; checking the " + withToken + " tokens with GET /api/v1/me on A");
      AtomicInteger working = new AtomicInteger();
      AtomicInteger rightUser = new AtomicInteger();
      parallel(n, concurrency, Duration.ofSeconds(60 + n / 10), i -> {
        String token = browsers[i].token;
        if (token == null || token.isEmpty()) {
          return;
        }
        Api.Response me = api.get(a + "/api/v1/me", token);
        if (me.status() == 200) {
          working.incrementAndGet();
          if (phoneLogins[(offset + i) % phones].equals(me.json().path("login").asText())) {
            rightUser.incrementAndGet();
          }
        }
      });
      int leftOnA = awaitCount(cluster::openQrSocketsA, 0, Duration.ofSeconds(10));
      int closed1000 = 0;
      for (Browser br : browsers) {
        closed1000 += br.closeCode == 1000 ? 1 : 0;
      }
      if (md == null) {
        BenchMain.progress("qr: warm-up done: " + completed + " of " + n + " completed, confirm returned → completed p50 "
            + Stats.f2(Stats.quantile(latency, 0.5)) + " ms, p99 " + Stats.f2(Stats.quantile(latency, 0.99)) + " ms");
        if (completed != n || leftOnA != 0) {
          throw new IllegalStateException("warm-up round: " + completed + " of " + n + " QR logins completed, " + leftOnA
              + " sockets left open on node A" + (firstPhoneProblem.get() != null ? "; first problem: " + firstPhoneProblem.get() : ""));
        }
        return;
      }

      double p50 = Stats.quantile(latency, 0.5);
      double p99 = Stats.quantile(latency, 0.99);
      double max = Stats.max(latency);
      md.paragraph(n + " tickets created on node A (POST /api/v1/qr-logins, " + concurrency + " at a time, "
          + Stats.f2(createSeconds) + " s), then " + n + " browser WebSockets opened on node A (java.net.http, "
          + BROWSER_CLIENTS + " HttpClients in this JVM, at most " + UPGRADES_IN_FLIGHT + " upgrades in flight, "
          + Stats.f2(openSeconds) + " s); **" + openOnA + "** were open on A at the same time before the first scan. "
          + "Then the phone side on node B: for every ticket POST …/scan and POST …/confirm with the bearer token of one "
          + "of " + phones + " phone accounts (logged in on B beforehand, each confirming several tickets: at most "
          + TICKETS_PER_PHONE + " over both rounds, so that the sessions the completions create stay below the per-user "
          + "cap of 100), " + concurrency + " tickets at a time (" + Stats.f2(phoneSeconds) + " s, " + Stats.f0(n / phoneSeconds)
          + " QR logins/s; load average before the round " + loadBefore + "). A warm-up round of "
          + warmup + " QR logins the same way (not measured) ran before. "
          + "\"Confirm returned → completed\" runs from the return of the confirm call on B to the arrival of the "
          + "browser's `\"state\":\"completed\"` frame on A, both System.nanoTime() in this JVM; it includes the event "
          + "bus hop from B to A and node A's work on that frame (read the ticket, complete it, load the account from "
          + "PostgreSQL, create the session). The nodes, Redis, PostgreSQL and the clients share the machine's cores: "
          + "when the round saturates them, the latencies are mostly waiting for a core (`--qr-concurrency 1` shows the "
          + "path without that queueing).");
      md.table(List.of("", "p50 ms", "p99 ms", "max ms", "samples"), List.of(
          List.of("confirm call on B (POST …/confirm)", Stats.f2(Stats.quantile(confirmLatency, 0.5)),
              Stats.f2(Stats.quantile(confirmLatency, 0.99)), Stats.f2(Stats.max(confirmLatency)), Integer.toString(confirms)),
          List.of("**confirm returned → \"completed\" frame on A**", Stats.f2(p50), "**" + Stats.f2(p99) + "**",
              Stats.f2(max), Integer.toString(measured)),
          List.of("confirm sent → \"completed\" frame on A", Stats.f2(Stats.quantile(sentLatency, 0.5)),
              Stats.f2(Stats.quantile(sentLatency, 0.99)), Stats.f2(Stats.max(sentLatency)), Integer.toString(measured)),
          List.of("scan returned → \"scanned\" frame on A (no completion work)", Stats.f2(Stats.quantile(scanLatency, 0.5)),
              Stats.f2(Stats.quantile(scanLatency, 0.99)), Stats.f2(Stats.max(scanLatency)), Integer.toString(scansMeasured))));
      md.bullet("browsers whose first frame was `pending`: " + firstPending + " of " + n);
      md.bullet("completed frames: **" + completed + " of " + n + "**; with a token: " + withToken + " (distinct: "
          + distinct.size() + "); tokens answered 200 by GET /api/v1/me on A: " + working.get() + ", of the confirming "
          + "phone's user: " + rightUser.get());
      md.bullet("browsers that saw `scanned` before: " + withScanned + "; closed by node A with 1000 after the terminal "
          + "state: " + closed1000 + "; other terminal states (cancelled, expired, closed early): " + otherTerminal);
      md.bullet("completed frames that arrived before the confirm call had returned (negative latency: node A heard the "
          + "event before node B's HTTP answer reached the phone): " + early);
      md.bullet("scan failures: " + scanFailures.get() + ", confirm failures: " + confirmFailures.get()
          + (firstPhoneProblem.get() != null ? "; first: " + firstPhoneProblem.get() : ""));
      md.bullet("QR sockets open on node A afterwards: " + leftOnA + (allFinished ? "" : " (**not every browser finished "
          + "within 30 s of the last confirm**)"));
      md.end();

      boolean all = completed == n && withToken == n && working.get() == n && rightUser.get() == n;
      summary.add(new Summary("QR logins completed across nodes (" + n + " browser WebSockets open on A at once, confirm on B)",
          completed + " of " + n + " (tokens " + withToken + ", working on A " + working.get() + ")", "all " + n,
          all ? "met" : "missed"));
      summary.add(new Summary("QR login: confirm returned on B → \"completed\" frame on A, p50 / p99 / max",
          Stats.f2(p50) + " / " + Stats.f2(p99) + " / " + Stats.f2(max) + " ms", "p99 <= " + Stats.f0(GOAL_P99_MS) + " ms",
          measured < n ? "incomplete (" + measured + " of " + n + ")" : p99 <= GOAL_P99_MS ? "met" : "missed"));
      summary.add(new Summary("QR login: confirm call on B, p50 / p99 / max",
          Stats.f2(Stats.quantile(confirmLatency, 0.5)) + " / " + Stats.f2(Stats.quantile(confirmLatency, 0.99)) + " / "
              + Stats.f2(Stats.max(confirmLatency)) + " ms", "", ""));
    } finally {
      for (Browser br : browsers) {
        WebSocket ws = br.ws;
        if (ws != null && !ws.isInputClosed()) {
          ws.abort();
        }
      }
      clients.forEach(HttpClient::shutdownNow);
    }
  }

  /** One browser: the frames of its QR WebSocket, timed on arrival. Callbacks of one socket never overlap. */
  private static final class Browser implements WebSocket.Listener {
    private final CountDownLatch firstFrames;
    private final CountDownLatch finished;
    private final AtomicBoolean first = new AtomicBoolean();
    private final AtomicBoolean done = new AtomicBoolean();
    private final StringBuilder partial = new StringBuilder();
    volatile WebSocket ws;
    volatile String firstState;
    volatile long completedAt;
    volatile String token;
    volatile boolean sawScanned;
    volatile long scannedAt;
    volatile String otherTerminal;
    volatile int closeCode = -1;

    Browser(CountDownLatch firstFrames, CountDownLatch finished) {
      this.firstFrames = firstFrames;
      this.finished = finished;
    }

    @Override
    public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
      long now = System.nanoTime();
      partial.append(data);
      if (last) {
        String text = partial.toString();
        partial.setLength(0);
        String state;
        JsonNode json = null;
        try {
          json = JSON.readTree(text);
          state = json.path("state").asText("");
        } catch (IOException e) {
          state = "unparsable";
        }
        if (first.compareAndSet(false, true)) {
          firstState = state;
          firstFrames.countDown();
        }
        switch (state) {
          case "scanned" -> {
            sawScanned = true;
            scannedAt = now;
          }
          case "completed" -> {
            if (completedAt == 0) {
              token = json.path("token").asText("");
              completedAt = now;
              finish();
            }
          }
          case "cancelled", "expired", "unparsable" -> {
            otherTerminal = state;
            finish();
          }
          default -> {
            // pending, confirmed
          }
        }
      }
      socket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket socket, int statusCode, String reason) {
      closeCode = statusCode;
      if (completedAt == 0 && otherTerminal == null) {
        otherTerminal = "closed " + statusCode;
      }
      gone();
      return null;
    }

    @Override
    public void onError(WebSocket socket, Throwable error) {
      if (completedAt == 0 && otherTerminal == null) {
        otherTerminal = "error " + error;
      }
      gone();
    }

    /** The socket failed or closed: nothing more will arrive. */
    void gone() {
      if (first.compareAndSet(false, true)) {
        firstFrames.countDown();
      }
      finish();
    }

    private void finish() {
      if (done.compareAndSet(false, true)) {
        finished.countDown();
      }
    }
  }

  private Api.Response phonePost(String url, String token) {
    HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT)
        .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.noBody()).build();
    try {
      HttpResponse<String> r = api.client().send(request, HttpResponse.BodyHandlers.ofString());
      return new Api.Response(r.statusCode(), r.body());
    } catch (IOException e) {
      throw new IllegalStateException("POST " + url + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private Ticket[] createTickets(String base, int count, String devicePrefix, int concurrency) throws InterruptedException {
    Ticket[] tickets = new Ticket[count];
    String expectedWs = base.replaceFirst("^http", "ws") + "/ws/qr-logins/";
    parallel(count, concurrency, Duration.ofSeconds(60 + count / 20), i -> {
      Api.Response r = api.post(base + "/api/v1/qr-logins", Map.of("device", devicePrefix + i));
      if (r.status() != 201) {
        throw new IllegalStateException("POST /api/v1/qr-logins answered " + r.status() + ": " + Api.abbreviate(r.body()));
      }
      JsonNode j = r.json();
      Ticket t = new Ticket(j.path("id").asText(), j.path("secret").asText(), j.path("wsUrl").asText());
      if (!t.wsUrl().startsWith(expectedWs)) {
        throw new IllegalStateException("unexpected wsUrl " + t.wsUrl() + " (expected it under " + expectedWs + ")");
      }
      tickets[i] = t;
    });
    return tickets;
  }

  // ---- 2. idle sockets -----------------------------------------------------------------------------------

  /** This JVM's memory and descriptors at one moment, after a full GC. */
  private record Snapshot(long heap, long direct, long rss, long fds, int threads) {
    static Snapshot take() {
      long heap = QrIdleClients.heapAfterGc();
      long direct = 0;
      for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
        if (pool.getName().equals("direct")) {
          direct = pool.getMemoryUsed();
        }
      }
      return new Snapshot(heap, direct, rssBytes(), QrIdleClients.openFds(), ManagementFactory.getThreadMXBean().getThreadCount());
    }
  }

  private void idle(Markdown md, List<Summary> summary) throws Exception {
    String a = cluster.a();
    int m = options.qrIdleSockets();
    String fdLimit = QrIdleClients.fdLimit();
    long fdsNow = QrIdleClients.openFds();
    long soft = softLimit(fdLimit);
    if (soft > 0 && fdsNow >= 0 && fdsNow + m + 256 > soft) {
      throw new IllegalStateException("this JVM has " + fdsNow + " file descriptors open and a limit of " + fdLimit
          + " (ulimit -n): " + m + " more server-side sockets do not fit; raise ulimit -n or lower --qr-idle-sockets");
    }
    BenchMain.progress("qr: creating " + m + " tickets on node A for the idle sockets");
    long c0 = System.nanoTime();
    Ticket[] tickets = createTickets(a, m, "bench qr idle ", options.qrConcurrency());
    double createSeconds = (System.nanoTime() - c0) / 1e9;
    Path urls = Files.createTempFile("kinhub-bench-qr-", ".txt");
    Process child = null;
    try {
      StringBuilder lines = new StringBuilder();
      for (Ticket t : tickets) {
        lines.append(t.wsUrl()).append('\n');
      }
      Files.writeString(urls, lines, StandardCharsets.UTF_8);
      int baseline = cluster.openQrSocketsA();
      Snapshot before = Snapshot.take();

      long childLimit = 120 + m / 20;
      List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
          QrIdleClients.class.getName(), urls.toString(), Integer.toString(UPGRADES_IN_FLIGHT), Long.toString(childLimit));
      BenchMain.progress("qr: a client process opens " + m + " idle WebSockets to node A");
      long o0 = System.nanoTime();
      child = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
      BlockingQueue<String> out = new LinkedBlockingQueue<>();
      Process proc = child;
      Thread.ofPlatform().daemon().name("qr-clients-stdout").start(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(proc.getInputStream(), StandardCharsets.UTF_8))) {
          String line;
          while ((line = r.readLine()) != null) {
            out.add(line);
          }
        } catch (IOException e) {
          // the process ended
        }
        out.add("EOF");
      });
      Map<String, String> opened = awaitLine(out, "OPEN", Duration.ofSeconds(childLimit), child);
      double openSeconds = (System.nanoTime() - o0) / 1e9;
      int clientOpen = Integer.parseInt(opened.get("open"));
      int openOnA = awaitCount(cluster::openQrSocketsA, baseline + clientOpen, Duration.ofSeconds(30)) - baseline;
      Thread.sleep(2000); // let the sockets' first refreshes (virtual threads) finish before measuring
      Snapshot during = Snapshot.take();
      int openDuring = cluster.openQrSocketsA() - baseline;

      BenchMain.progress("qr: " + openDuring + " idle sockets open on node A; heap after GC " + Stats.f1(during.heap() / MIB)
          + " MiB (before " + Stats.f1(before.heap() / MIB) + " MiB); closing them");
      OutputStream in = child.getOutputStream();
      in.write("close\n".getBytes(StandardCharsets.US_ASCII));
      in.flush();
      Map<String, String> closed = awaitLine(out, "CLOSED", Duration.ofSeconds(60), child);
      if (!child.waitFor(30, TimeUnit.SECONDS)) {
        child.destroyForcibly();
      }
      int left = awaitCount(cluster::openQrSocketsA, 0, Duration.ofSeconds(30));
      Snapshot after = Snapshot.take();

      int clientsClosedEarly = Integer.parseInt(closed.getOrDefault("closedByServerBefore", "0"));
      long clientHeapDelta = Long.parseLong(opened.get("heapAfter")) - Long.parseLong(opened.get("heapBefore"));
      double perSocket = openDuring > 0 ? (double) (during.heap() - before.heap()) / openDuring : Double.NaN;
      double directPerSocket = openDuring > 0 ? (double) (during.direct() - before.direct()) / openDuring : Double.NaN;
      double rssPerSocket = openDuring > 0 ? (double) (during.rss() - before.rss()) / openDuring : Double.NaN;

      md.paragraph(m + " tickets created on node A (" + Stats.f2(createSeconds) + " s), then a separate JVM ("
          + "`QrIdleClients`, java.net.http, " + opened.get("clients") + (opened.get("clients").equals("1") ? " HttpClient" : " HttpClients")
          + ", at most " + UPGRADES_IN_FLIGHT
          + " upgrades in flight) opened one WebSocket per ticket to node A and waited for each socket's first frame ("
          + Stats.f2(Double.parseDouble(opened.get("seconds"))) + " s in the client, " + Stats.f2(openSeconds)
          + " s with its start-up), then held them idle. The clients run in their own process so that this JVM — "
          + "both nodes, the benchmark and nothing of the clients — holds only the server side of each socket; the "
          + "figures below are this JVM's, each after System.gc(), before the sockets were opened, with all of them "
          + "open (2 s after the last upgrade) and after they were closed. Node B and everything else in this JVM is "
          + "included, so the difference, not the total, is the sockets' cost.");
      md.table(List.of("nodes' JVM", "before", "with the sockets open", "after closing", "per socket"), List.of(
          List.of("heap used after GC", mib(before.heap()), "**" + mib(during.heap()) + "**", mib(after.heap()),
              "**" + kib(perSocket) + "**"),
          List.of("direct buffers", mib(before.direct()), mib(during.direct()), mib(after.direct()), kib(directPerSocket)),
          List.of("RSS", mib(before.rss()), mib(during.rss()), mib(after.rss()), kib(rssPerSocket)),
          List.of("open file descriptors", Long.toString(before.fds()), Long.toString(during.fds()),
              Long.toString(after.fds()), openDuring > 0 ? Stats.f2((double) (during.fds() - before.fds()) / openDuring) : "n/a"),
          List.of("live threads (platform)", Integer.toString(before.threads()), Integer.toString(during.threads()),
              Integer.toString(after.threads()), "")));
      md.bullet("QR sockets open on node A (Kinhub#openQrSockets): **" + openDuring + " of " + m + "** with the client "
          + "holding them (the client counted " + clientOpen + " open, " + opened.get("failed") + " failed upgrades"
          + (opened.get("failed").equals("0") ? "" : ", first: " + opened.get("firstError")) + ", " + opened.get("firstFrames")
          + " with their first frame); " + clientsClosedEarly + " closed by the server before the client closed them");
      md.bullet("after the client closed them (close 1000; all acknowledged: " + closed.get("allAcknowledged")
          + ", aborted: " + closed.get("aborted") + "): **" + left + "** open on node A (goal 0)");
      md.bullet("heap used after GC with the sockets open: " + mib(during.heap()) + " for this whole JVM (max heap "
          + mib(Runtime.getRuntime().maxMemory()) + "); the client process's heap grew by " + mib(clientHeapDelta) + " ("
          + (clientOpen > 0 ? kib((double) clientHeapDelta / clientOpen) : "n/a") + " per socket, not included above)");
      md.bullet("file descriptors: limit (soft/hard, ulimit -n) " + fdLimit + " for this JVM and " + opened.get("fdLimit")
          + " for the client's; one descriptor per socket on each side, so the limit applies per process");
      md.end();

      String verdict = m < GOAL_IDLE_SOCKETS ? "not measured (only " + m + " sockets)"
          : openDuring < m ? "missed (" + openDuring + " of " + m + " open)"
          : during.heap() <= GOAL_HEAP_BYTES ? "met" : "missed";
      summary.add(new Summary("Idle QR WebSockets open on node A (clients in a separate process)",
          openDuring + " of " + m + "; heap after GC " + mib(during.heap()) + " (whole JVM, both nodes), "
              + kib(perSocket) + " per socket", IDLE_GOAL, verdict));
      summary.add(new Summary("QR sockets open on node A after the clients closed them", Integer.toString(left), "0",
          left == 0 ? "met" : "missed"));
    } finally {
      if (child != null && child.isAlive()) {
        child.destroyForcibly();
        child.waitFor(10, TimeUnit.SECONDS);
      }
      Files.deleteIfExists(urls);
    }
  }

  /** Waits for the child's line starting with {@code tag} and returns its key=value pairs. */
  private static Map<String, String> awaitLine(BlockingQueue<String> out, String tag, Duration limit, Process child)
      throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      String line = left > 0 ? out.poll(left, TimeUnit.NANOSECONDS) : null;
      if (line == null) {
        throw new IllegalStateException("the QR client process did not report " + tag + " within " + limit.toSeconds() + " s");
      }
      if (line.equals("EOF")) {
        throw new IllegalStateException("the QR client process ended before reporting " + tag
            + (child.isAlive() ? "" : " (exit status " + child.exitValue() + ")"));
      }
      if (line.startsWith(tag + " ")) {
        Map<String, String> values = new HashMap<>();
        for (String part : line.substring(tag.length() + 1).split(" ")) {
          int eq = part.indexOf('=');
          if (eq > 0) {
            values.put(part.substring(0, eq), part.substring(eq + 1));
          }
        }
        return values;
      }
    }
  }

  // ---- helpers -------------------------------------------------------------------------------------------

  /** Polls {@code count} until it equals {@code target} or the time is up; returns the last reading. */
  private static int awaitCount(java.util.function.IntSupplier count, int target, Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    int now = count.getAsInt();
    while (now != target && System.nanoTime() < deadline) {
      Thread.sleep(20);
      now = count.getAsInt();
    }
    return now;
  }

  /** Runs {@code task(0..count-1)} on {@code concurrency} virtual threads within {@code limit}; rethrows the first failure. */
  private static void parallel(int count, int concurrency, Duration limit, IntConsumer task) throws InterruptedException {
    AtomicInteger next = new AtomicInteger();
    AtomicReference<RuntimeException> failure = new AtomicReference<>();
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < Math.min(concurrency, count); w++) {
      threads.add(Thread.ofVirtual().start(() -> {
        int i;
        while (failure.get() == null && (i = next.getAndIncrement()) < count) {
          try {
            task.accept(i);
          } catch (RuntimeException e) {
            failure.compareAndSet(null, e);
          }
        }
      }));
    }
    BenchMain.joinAll(threads, limit);
    if (failure.get() != null) {
      throw failure.get();
    }
  }

  private static long softLimit(String limit) {
    try {
      String soft = limit.substring(0, limit.indexOf('/'));
      return soft.equals("unlimited") ? -1 : Long.parseLong(soft);
    } catch (RuntimeException e) {
      return -1;
    }
  }

  private static long rssBytes() {
    try {
      for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (l.startsWith("VmRSS:")) {
          return Long.parseLong(l.substring(6).trim().split("\\s+")[0]) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return 0;
  }

  private static String mib(long bytes) {
    return Stats.f1(bytes / MIB) + " MiB";
  }

  private static String kib(double bytes) {
    return Double.isNaN(bytes) ? "n/a" : Stats.f1(bytes / 1024) + " KiB";
  }
}
