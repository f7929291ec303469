package io.kinhub.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kinhub.bench.runner.Machine;
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
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * 5. QR-code login across nodes, in two parts.
 *
 * <ol>
 *   <li><b>Logins, a concurrency curve</b> (contract v1.1): for each concurrency c of {@code
 *       --qr-steps}, rounds of c tickets created on node A, c browser WebSockets open on A
 *       (java.net.http, in this JVM), then c phones scan and confirm on node B at once; each
 *       browser redeems its session on A ({@code POST sessionUrl} with {@code X-QR-Secret}) as soon
 *       as its socket says {@code confirmed}. Measured per login: the confirm call, its return →
 *       the {@code confirmed} frame, its return → the redemption's 201 (token in hand), all {@link
 *       System#nanoTime()} of this JVM; per step logins/s and the CPU time of this JVM and of Redis
 *       and PostgreSQL per login. Checked: every token works on A for the user who confirmed, a
 *       second redemption is {@code 410 qr_login_used}, node A closes every socket with 1000, no
 *       login is lost and the phone users have no session that no redemption handed out.
 *   <li><b>Idle sockets</b>: M tickets on A, M WebSockets opened and held by {@link QrIdleClients}
 *       in a JVM of its own (so that this JVM, which runs the nodes, holds only the server side of
 *       each socket: its heap and its file descriptor), then the open count of node A and this
 *       JVM's heap after GC, direct buffers, RSS and file descriptors before, while open and after
 *       closing; the open count must return to 0.
 * </ol>
 */
final class QrScenario {
  static final String TITLE = "5. QR-code login: browser WebSocket on node A, phone on node B";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  /**
   * Confirmed tickets per phone account: each completion is a session of that user, below the cap
   * of 100.
   */
  private static final int TICKETS_PER_PHONE = 80;

  private static final int MIN_PHONES = 10;
  private static final int PHONE_LOGIN_CONCURRENCY = 4;

  /**
   * Browser HttpClients, each on a loopback address of its own (a node admits 200 QR sockets per
   * address).
   */
  private static final int BROWSER_CLIENTS = 10;

  private static final int WARMUP_CONCURRENCY = 32;
  private static final int CHECK_CONCURRENCY = 16;
  private static final int REDEEM_ATTEMPTS = 6;

  /**
   * Seconds node A waits after a terminal frame before it closes the socket itself (the server's
   * grace).
   */
  private static final int CLOSE_GRACE_SECONDS = 2;

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
    long curve = 0;
    for (int c : options.qrSteps()) {
      curve += options.qrStepSeconds() + 60 + c / 5 + stepLogins(options, c) / 20;
    }
    return 240 + curve + options.qrIdleSockets() / 40;
  }

  Markdown run(List<Summary> summary) throws Exception {
    Markdown md = new Markdown().heading(2, TITLE);
    Exception first = null;
    md.heading(
        3,
        "QR logins, concurrency "
            + options.qrSteps().stream().map(String::valueOf).collect(Collectors.joining(", ")));
    try {
      logins(md, summary);
    } catch (Exception e) {
      first = e;
      md.paragraph("**This part failed:** " + e);
      summary.add(new Summary("QR logins completed across nodes", "failed", "all", "failed"));
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

  // ---- 1. logins: a concurrency curve
  // --------------------------------------------------------------------

  private record Ticket(String id, String secret, String wsUrl, String sessionUrl) {}

  /**
   * What the phones and browsers share within one part: phone accounts, HTTP clients, backend
   * processes.
   */
  private record Setup(
      String[] phoneLogins,
      String[] phoneTokens,
      AtomicInteger slot,
      AtomicInteger wsSlot,
      HttpClient browserHttp,
      List<HttpClient> wsClients,
      List<ProcessHandle> backends) {
    /**
     * The socket client of the next browser: round robin over all rounds, so sockets in their grace
     * spread too.
     */
    int nextWsClient() {
      return wsSlot.getAndIncrement() % wsClients.size();
    }

    /** The phone that confirms the next ticket: round robin, so no phone exceeds its share. */
    int nextPhone() {
      return slot.getAndIncrement() % phoneTokens.length;
    }
  }

  /** One step of the curve, accumulated over its rounds. */
  private static final class Step {
    final int concurrency;
    final List<Browser> browsers = new ArrayList<>();
    final List<Double> confirmMs = new ArrayList<>();
    final List<Double> toConfirmedMs = new ArrayList<>();
    final List<Double> toTokenMs = new ArrayList<>();
    final List<Double> scanMs = new ArrayList<>();
    List<Long> pids = List.of();
    int rounds;
    int logins;
    int scanFailures;
    int confirmFailures;
    int early;
    int firstPending;
    String firstProblem;
    double phaseSeconds;
    long phaseJvmCpu;
    long phaseBackendCpu;
    double stepSeconds;
    long stepJvmCpu;
    long stepBackendCpu;
    String loadBefore;
    String loadAfter;
    // after the step
    int confirmedFrames;
    int redeemed;
    int lost;
    int completedFrames;
    int closed1000;
    int otherTerminal;
    int leftOnA;
    int working;
    int rightUser;
    int usedAgain;
    int distinctTokens;
    int unavailable;
    int redeemedAfter503;
    int networkRetries;

    Step(int concurrency) {
      this.concurrency = concurrency;
    }

    void problem(String p) {
      if (firstProblem == null) {
        firstProblem = p;
      }
    }

    double q(List<Double> values, double q) {
      return Stats.quantile(values.stream().mapToDouble(Double::doubleValue).toArray(), q);
    }

    double max(List<Double> values) {
      return Stats.max(values.stream().mapToDouble(Double::doubleValue).toArray());
    }

    double loginsPerSecond() {
      return phaseSeconds > 0 ? logins / phaseSeconds : Double.NaN;
    }

    /** CPU of the phone phases (scan, confirm, frames, redemption) as a percentage of one core. */
    double phaseCpuPercent(boolean withBackends) {
      long cpu = phaseJvmCpu + (withBackends ? phaseBackendCpu : 0);
      return phaseSeconds > 0 ? cpu / 1e9 / phaseSeconds * 100 : Double.NaN;
    }
  }

  private void logins(Markdown md, List<Summary> summary) throws Exception {
    String b = cluster.b();
    List<Integer> steps = options.qrSteps();
    int warmup = warmupLogins(options);
    int warmupConcurrency = Math.min(WARMUP_CONCURRENCY, steps.getLast());
    int planned = roundUp(warmup, warmupConcurrency);
    for (int c : steps) {
      planned += stepLogins(options, c);
    }
    int phones = Math.max(MIN_PHONES, (planned + TICKETS_PER_PHONE - 1) / TICKETS_PER_PHONE);
    BenchMain.progress("qr: creating and logging in " + phones + " phone accounts on node B");
    String[] phoneLogins = new String[phones];
    String[] phoneTokens = new String[phones];
    parallel(
        phones,
        PHONE_LOGIN_CONCURRENCY,
        Duration.ofSeconds(60 + 2L * phones),
        i -> {
          phoneLogins[i] = "qr-phone-" + i + "@bench.kinhub.test";
          api.createAccount(b, phoneLogins[i], "QR phone " + i);
          phoneTokens[i] = api.login(b, phoneLogins[i], "bench qr phone " + i);
        });
    int sessionsBefore = countSessions(b, phoneTokens);
    List<HttpClient> wsClients = new ArrayList<>();
    for (int c = 0; c < BROWSER_CLIENTS; c++) {
      wsClients.add(
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1)
              .connectTimeout(Duration.ofSeconds(10))
              .localAddress(QrIdleClients.clientAddress(c))
              .build());
    }
    HttpClient browserHttp =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .executor(Executors.newVirtualThreadPerTaskExecutor())
            .build();
    List<ProcessHandle> backends = cluster.backends().processes();
    Setup setup =
        new Setup(
            phoneLogins,
            phoneTokens,
            new AtomicInteger(),
            new AtomicInteger(),
            browserHttp,
            wsClients,
            backends);
    List<Step> results = new ArrayList<>();
    int redeemedTotal = 0;
    try {
      BenchMain.progress(
          "qr: warm-up of "
              + warmup
              + " QR logins, "
              + warmupConcurrency
              + " at a time (not measured)");
      Step warm = step(setup, warmupConcurrency, roundUp(warmup, warmupConcurrency));
      redeemedTotal += warm.redeemed;
      if (warm.lost > 0 || warm.redeemed != warm.logins) {
        throw new IllegalStateException(
            "warm-up: "
                + warm.redeemed
                + " of "
                + warm.logins
                + " QR logins redeemed, "
                + warm.lost
                + " lost"
                + (warm.firstProblem != null ? "; first problem: " + warm.firstProblem : ""));
      }
      for (int c : steps) {
        Step s = step(setup, c, stepLogins(options, c));
        results.add(s);
        redeemedTotal += s.redeemed;
        BenchMain.progress(
            "qr: concurrency "
                + c
                + ": "
                + s.redeemed
                + " of "
                + s.logins
                + " redeemed, "
                + s.lost
                + " lost, confirm → token p50 "
                + Stats.f2(s.q(s.toTokenMs, 0.5))
                + " ms, p99 "
                + Stats.f2(s.q(s.toTokenMs, 0.99))
                + " ms, "
                + Stats.f0(s.loginsPerSecond())
                + " logins/s, CPU "
                + Stats.f0(s.phaseCpuPercent(true))
                + " %");
      }
    } finally {
      wsClients.forEach(HttpClient::shutdownNow);
      browserHttp.shutdownNow();
    }
    int sessionsAfter = countSessions(b, phoneTokens);
    report(
        md,
        summary,
        results,
        warmup,
        warmupConcurrency,
        phones,
        backends,
        sessionsBefore,
        sessionsAfter,
        redeemedTotal);
  }

  /**
   * Logins of the warm-up before the curve (the JIT compiles the path): as many as a step, at least
   * 20.
   */
  static int warmupLogins(Options options) {
    return Math.max(20, options.qrStepLogins());
  }

  /**
   * Logins of the step of concurrency {@code c}: whole rounds of {@code c}, at least {@code
   * --qr-step-logins}.
   */
  static int stepLogins(Options options, int c) {
    return roundUp(Math.max(c, options.qrStepLogins()), c);
  }

  private static int roundUp(int n, int multiple) {
    return (n + multiple - 1) / multiple * multiple;
  }

  /** Sessions of all phone accounts, as each one lists them (GET /api/v1/me/sessions on B). */
  private int countSessions(String b, String[] phoneTokens) throws InterruptedException {
    AtomicInteger total = new AtomicInteger();
    parallel(
        phoneTokens.length,
        4,
        Duration.ofSeconds(60),
        i -> {
          Api.Response r = api.get(b + "/api/v1/me/sessions", phoneTokens[i]);
          if (r.status() != 200) {
            throw new IllegalStateException(
                "GET /api/v1/me/sessions answered " + r.status() + ": " + Api.abbreviate(r.body()));
          }
          total.addAndGet(r.json().path("sessions").size());
        });
    return total.get();
  }

  /**
   * One step: rounds of {@code c} logins until {@code target} are done or {@code --qr-step-seconds}
   * have passed (at least one round), then it waits for node A to close every socket and checks
   * every token (outside the CPU window).
   */
  private Step step(Setup setup, int c, int target) throws Exception {
    Step st = new Step(c);
    st.loadBefore = Machine.loadAverage();
    List<Long> pids =
        CpuTime.pids(setup.backends()); // the connection pools are open: their backends stay
    st.pids = pids;
    CpuTime.Reading s0 = CpuTime.start(pids);
    long w0 = System.nanoTime();
    long deadline = w0 + Duration.ofSeconds(options.qrStepSeconds()).toNanos();
    while (st.logins < target && (st.rounds == 0 || System.nanoTime() < deadline)) {
      round(setup, st, c);
    }
    // every socket: completed frame, then node A closes it (1000) after its grace period
    long closeDeadline =
        System.nanoTime() + Duration.ofSeconds(CLOSE_GRACE_SECONDS + 10 + c / 100).toNanos();
    for (Browser br : st.browsers) {
      br.closed.await(Math.max(1, closeDeadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }
    st.leftOnA = awaitCount(cluster::openQrSocketsA, 0, Duration.ofSeconds(5));
    for (Browser br : st.browsers) {
      WebSocket ws = br.ws;
      if (ws != null && !ws.isInputClosed()) {
        ws.abort(); // a ticket the phones never confirmed: its socket would stay open for the
        // next step
      }
    }
    CpuTime.Reading s1 = CpuTime.end(pids);
    st.stepSeconds = (System.nanoTime() - w0) / 1e9;
    st.stepJvmCpu = s1.jvmSince(s0);
    st.stepBackendCpu = s1.backendsSince(s0);
    st.loadAfter = Machine.loadAverage();

    Set<String> distinct = new HashSet<>();
    for (Browser br : st.browsers) {
      st.confirmedFrames += br.confirmedAt != 0 ? 1 : 0;
      st.completedFrames += br.completedAt != 0 ? 1 : 0;
      st.closed1000 += br.closeCode == 1000 ? 1 : 0;
      st.otherTerminal += br.otherTerminal != null ? 1 : 0;
      st.unavailable += br.unavailable;
      st.networkRetries += br.networkRetries;
      st.redeemedAfter503 += br.unavailable > 0 && br.token != null ? 1 : 0;
      if (br.token != null) {
        st.redeemed++;
        distinct.add(br.token);
      } else if (br.confirmReturned != 0) {
        st.lost++; // confirmed by the phone, but the browser has no session
        st.problem(
            "ticket "
                + br.ticket.id()
                + ": confirmed, no token (confirmed frame "
                + (br.confirmedAt != 0)
                + ", redemption "
                + br.redeemStatus
                + " "
                + Api.abbreviate(br.redeemProblem)
                + ")");
      }
    }
    st.distinctTokens = distinct.size();
    // every token must work on A for the user who confirmed; a second redemption must be refused as
    // used
    AtomicInteger working = new AtomicInteger();
    AtomicInteger rightUser = new AtomicInteger();
    AtomicInteger usedAgain = new AtomicInteger();
    String a = cluster.a();
    parallel(
        st.browsers.size(),
        CHECK_CONCURRENCY,
        Duration.ofSeconds(60 + st.browsers.size() / 10),
        i -> {
          Browser br = st.browsers.get(i);
          if (br.token == null) {
            return;
          }
          Api.Response me = retryOnce(() -> api.get(a + "/api/v1/me", br.token));
          if (me.status() == 200) {
            working.incrementAndGet();
            if (setup.phoneLogins()[br.phone].equals(me.json().path("login").asText())) {
              rightUser.incrementAndGet();
            }
          }
          Api.Response again = retryOnce(() -> redeem(setup.browserHttp(), br.ticket));
          if (again.status() == 410 && "qr_login_used".equals(again.json().path("code").asText())) {
            usedAgain.incrementAndGet();
          }
        });
    st.working = working.get();
    st.rightUser = rightUser.get();
    st.usedAgain = usedAgain.get();
    return st;
  }

  /**
   * One round: {@code c} tickets created and {@code c} browser sockets opened on A (not measured),
   * then {@code c} phones scan and confirm on B all at once; each browser redeems on A as soon as
   * its socket says confirmed.
   */
  private void round(Setup setup, Step st, int c) throws Exception {
    String a = cluster.a();
    String b = cluster.b();
    Ticket[] tickets = createTickets(a, c, "bench qr browser ", Math.min(c, 32));
    CountDownLatch firstFrames = new CountDownLatch(c);
    CountDownLatch settled = new CountDownLatch(c);
    Browser[] browsers = new Browser[c];
    for (int i = 0; i < c; i++) {
      browsers[i] =
          new Browser(
              tickets[i],
              setup.nextPhone(),
              setup.nextWsClient(),
              setup.browserHttp(),
              firstFrames,
              settled);
    }
    Semaphore inFlight = new Semaphore(UPGRADES_IN_FLIGHT);
    CountDownLatch attempts = new CountDownLatch(c);
    AtomicInteger upgradeFailures = new AtomicInteger();
    AtomicReference<String> firstUpgradeFailure = new AtomicReference<>();
    try {
      for (int i = 0; i < c; i++) {
        if (!inFlight.tryAcquire(60, TimeUnit.SECONDS)) {
          throw new IllegalStateException("no WebSocket upgrade finished within 60 s");
        }
        Browser browser = browsers[i];
        setup
            .wsClients()
            .get(browsers[i].wsClient)
            .newWebSocketBuilder()
            .connectTimeout(Duration.ofSeconds(10))
            .buildAsync(URI.create(tickets[i].wsUrl()), browser)
            .whenComplete(
                (ws, e) -> {
                  inFlight.release();
                  if (e != null) {
                    upgradeFailures.incrementAndGet();
                    firstUpgradeFailure.compareAndSet(
                        null, String.valueOf(e.getCause() != null ? e.getCause() : e));
                    browser.gone();
                  } else {
                    browser.ws = ws;
                  }
                  attempts.countDown();
                });
      }
      if (!attempts.await(60 + c / 20, TimeUnit.SECONDS)
          || !firstFrames.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException(
            "the browser WebSockets did not all open and receive their first frame in time ("
                + (c - attempts.getCount())
                + " upgrades finished, "
                + (c - firstFrames.getCount())
                + " first frames)");
      }
      if (upgradeFailures.get() > 0) {
        throw new IllegalStateException(
            upgradeFailures.get()
                + " of "
                + c
                + " browser WebSockets did not open; first: "
                + firstUpgradeFailure.get());
      }
      for (Browser br : browsers) {
        st.firstPending += "pending".equals(br.firstState) ? 1 : 0;
      }

      // measured: c phones at once on B; the browsers redeem on A when told confirmed
      long[] scanReturned = new long[c];
      CountDownLatch go = new CountDownLatch(1);
      AtomicInteger scanFailures = new AtomicInteger();
      AtomicInteger confirmFailures = new AtomicInteger();
      List<Thread> phones = new ArrayList<>(c);
      for (int i = 0; i < c; i++) {
        int k = i;
        phones.add(
            Thread.ofVirtual()
                .start(
                    () -> {
                      Browser br = browsers[k];
                      String token = setup.phoneTokens()[br.phone];
                      String base = b + "/api/v1/qr-logins/" + br.ticket.id();
                      try {
                        go.await();
                        Api.Response scan = phonePost(base + "/scan", token);
                        scanReturned[k] = System.nanoTime();
                        if (scan.status() != 200) {
                          scanFailures.incrementAndGet();
                          synchronized (st) {
                            st.problem(
                                "scan answered "
                                    + scan.status()
                                    + ": "
                                    + Api.abbreviate(scan.body()));
                          }
                          br.abandon();
                          return;
                        }
                        long t0 = System.nanoTime();
                        Api.Response confirm = phonePost(base + "/confirm", token);
                        long t1 = System.nanoTime();
                        if (confirm.status() != 200) {
                          confirmFailures.incrementAndGet();
                          synchronized (st) {
                            st.problem(
                                "confirm answered "
                                    + confirm.status()
                                    + ": "
                                    + Api.abbreviate(confirm.body()));
                          }
                          br.abandon();
                          return;
                        }
                        br.confirmSent = t0;
                        br.confirmReturned = t1;
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        br.abandon();
                      } catch (RuntimeException e) {
                        synchronized (st) {
                          st.problem(String.valueOf(e));
                        }
                        br.abandon();
                      }
                    }));
      }
      CpuTime.Reading p0 = CpuTime.start(st.pids);
      long g0 = System.nanoTime();
      go.countDown();
      BenchMain.joinAll(phones, Duration.ofSeconds(60 + c / 5));
      boolean allSettled = settled.await(30 + c / 10, TimeUnit.SECONDS);
      long g1 = System.nanoTime();
      long lastToken = 0;
      for (Browser br : browsers) {
        lastToken = Math.max(lastToken, br.redeemedAt);
      }
      long end = allSettled && lastToken != 0 ? lastToken : g1;
      CpuTime.Reading p1 = CpuTime.end(st.pids);

      st.rounds++;
      st.logins += c;
      st.scanFailures += scanFailures.get();
      st.confirmFailures += confirmFailures.get();
      st.phaseSeconds += (end - g0) / 1e9;
      st.phaseJvmCpu += p1.jvmSince(p0);
      st.phaseBackendCpu += p1.backendsSince(p0);
      for (int i = 0; i < c; i++) {
        Browser br = browsers[i];
        st.browsers.add(br);
        if (br.confirmReturned == 0) {
          continue;
        }
        st.confirmMs.add((br.confirmReturned - br.confirmSent) / 1e6);
        if (br.confirmedAt != 0) {
          double ms = (br.confirmedAt - br.confirmReturned) / 1e6;
          st.toConfirmedMs.add(ms);
          st.early += ms < 0 ? 1 : 0;
        }
        if (br.token != null) {
          st.toTokenMs.add((br.redeemedAt - br.confirmReturned) / 1e6);
        }
        if (br.scannedAt != 0 && scanReturned[i] != 0) {
          st.scanMs.add((br.scannedAt - scanReturned[i]) / 1e6);
        }
      }
    } catch (Exception e) {
      for (Browser br : browsers) {
        WebSocket ws = br.ws;
        if (ws != null && !ws.isInputClosed()) {
          ws.abort();
        }
      }
      throw e;
    }
  }

  /**
   * One retry after a failed exchange (a pooled keep-alive connection the server had just closed).
   */
  private static Api.Response retryOnce(Supplier<Api.Response> call) {
    try {
      return call.get();
    } catch (IllegalStateException e) {
      return call.get();
    }
  }

  /** The browser's redemption: POST {sessionUrl} with the secret in X-QR-Secret. */
  private static Api.Response redeem(HttpClient http, Ticket ticket) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(ticket.sessionUrl()))
            .timeout(TIMEOUT)
            .header("X-QR-Secret", ticket.secret())
            .POST(HttpRequest.BodyPublishers.noBody())
            .build();
    try {
      HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
      return new Api.Response(r.statusCode(), r.body());
    } catch (IOException e) {
      throw new IllegalStateException("POST " + ticket.sessionUrl() + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /**
   * One browser: the frames of its QR WebSocket, timed on arrival; on {@code confirmed} it redeems
   * its session on node A at once (on a virtual thread, so the socket's callbacks never wait for
   * HTTP). It never closes the socket itself: node A must, with 1000, after the {@code completed}
   * frame. Callbacks of one socket never overlap.
   */
  private static final class Browser implements WebSocket.Listener {
    final Ticket ticket;
    final int phone;
    final int wsClient;
    private final HttpClient http;
    private final CountDownLatch firstFrames;
    private final CountDownLatch settled;
    final CountDownLatch closed = new CountDownLatch(1);
    private final AtomicBoolean first = new AtomicBoolean();
    private final AtomicBoolean redeeming = new AtomicBoolean();
    private final AtomicBoolean done = new AtomicBoolean();
    private final StringBuilder partial = new StringBuilder();
    volatile WebSocket ws;
    volatile String firstState;
    volatile long scannedAt;
    volatile long confirmedAt;
    volatile long completedAt;
    volatile long confirmSent;
    volatile long confirmReturned;
    volatile long redeemedAt;
    volatile int redeemStatus;

    /**
     * Redemptions answered 503 (the node could not get a database connection in time) and retried.
     */
    volatile int unavailable;

    volatile int networkRetries;
    volatile String redeemProblem;
    volatile String token;
    volatile String otherTerminal;
    volatile int closeCode = -1;

    Browser(
        Ticket ticket,
        int phone,
        int wsClient,
        HttpClient http,
        CountDownLatch firstFrames,
        CountDownLatch settled) {
      this.ticket = ticket;
      this.phone = phone;
      this.wsClient = wsClient;
      this.http = http;
      this.firstFrames = firstFrames;
      this.settled = settled;
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
        if (json != null && json.has("token")) {
          otherTerminal = "a frame carried a token";
        }
        if (first.compareAndSet(false, true)) {
          firstState = state;
          firstFrames.countDown();
        }
        switch (state) {
          case "scanned" -> scannedAt = now;
          case "confirmed" -> {
            if (confirmedAt == 0) {
              confirmedAt = now;
              startRedemption();
            }
          }
          case "completed" -> completedAt = completedAt == 0 ? now : completedAt;
          case "cancelled", "expired", "unparsable" -> {
            otherTerminal = state;
            if (!redeeming.get()) {
              settle();
            }
          }
          default -> {
            // pending
          }
        }
      }
      socket.request(1);
      return null;
    }

    private void startRedemption() {
      if (!redeeming.compareAndSet(false, true)) {
        return;
      }
      Thread.ofVirtual()
          .start(
              () -> {
                try {
                  // like login.js: retried on network errors (500 ms, 1 s, 2 s, ...); unlike it,
                  // also on 503 (see the report)
                  for (int attempt = 0; attempt < REDEEM_ATTEMPTS; attempt++) {
                    if (attempt > 0) {
                      Thread.sleep(500L << (attempt - 1));
                    }
                    Api.Response r;
                    try {
                      r = redeem(http, ticket);
                    } catch (IllegalStateException e) {
                      redeemProblem = String.valueOf(e);
                      networkRetries++;
                      continue;
                    }
                    long at = System.nanoTime();
                    redeemStatus = r.status();
                    if (r.status() == 503) {
                      unavailable++;
                      redeemProblem = r.body();
                      continue;
                    }
                    if (r.status() == 201) {
                      String t = r.json().path("token").asText("");
                      if (!t.isEmpty()) {
                        redeemedAt = at;
                        token = t;
                      } else {
                        redeemProblem = "201 without a token: " + r.body();
                      }
                    } else {
                      redeemProblem = r.body();
                    }
                    return;
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                } catch (RuntimeException e) {
                  redeemProblem = String.valueOf(e);
                } finally {
                  settle();
                }
              });
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
      if (!redeeming.get()) {
        settle();
      }
      closed.countDown();
    }

    /** The phone side failed: no redemption will come. */
    void abandon() {
      if (!redeeming.get()) {
        settle();
      }
    }

    private void settle() {
      if (done.compareAndSet(false, true)) {
        settled.countDown();
      }
    }
  }

  private void report(
      Markdown md,
      List<Summary> summary,
      List<Step> steps,
      int warmup,
      int warmupConcurrency,
      int phones,
      List<ProcessHandle> backends,
      int sessionsBefore,
      int sessionsAfter,
      int redeemedTotal) {
    md.paragraph(
        "A concurrency curve of complete QR logins (contract v1.1: the socket only announces states, the browser "
            + "redeems its session with `POST {sessionUrl}` and `X-QR-Secret`). Each step runs rounds of c logins: c tickets "
            + "created on node A and c browser WebSockets opened on A (java.net.http, "
            + BROWSER_CLIENTS
            + " HttpClients, "
            + "each on a loopback address of its own, 127.1.0.x, because a node admits at most 200 QR sockets per client "
            + "address; all first frames received; not timed), then c phones on node B scan and confirm at once ("
            + phones
            + " phone accounts logged in on B beforehand, round robin, at most "
            + TICKETS_PER_PHONE
            + " logins each, below "
            + "the cap of 100 sessions per user), and each browser redeems on A on its own virtual thread the moment its "
            + "socket says `confirmed`; it retries the redemption as login.js does after a network error (0.5, 1, 2, 4, 8 s "
            + "later, six attempts in all) and, unlike login.js, also after a `503` (the node got no database connection "
            + "within its 2 s), so a retried login counts as done, with its full delay. A login is **lost** when the phone's "
            + "confirm returned 200 and the browser has no token in the end. A step runs whole rounds until at least "
            + options.qrStepLogins()
            + " logins are "
            + "done (one round when c is larger) or "
            + options.qrStepSeconds()
            + " s have passed. A warm-up of "
            + roundUp(warmup, warmupConcurrency)
            + " logins, "
            + warmupConcurrency
            + " at a time, ran first (not measured). "
            + "Times are System.nanoTime() in this JVM: **confirm → `confirmed`** runs from the return of the confirm call on "
            + "B to the browser's `confirmed` frame on A (the bus hop B → A and A's read of the ticket); **confirm → token** "
            + "to the browser's 201 from the redemption on A (that plus the POST: complete the ticket in Redis, load the "
            + "account from PostgreSQL, create the session). **logins/s** is the step's logins over the time from the phones' "
            + "start to the last token, summed over its rounds. **CPU** is process CPU time (user + system): this JVM (both "
            + "nodes and all the clients, `OperatingSystemMXBean.getProcessCpuTime`) and Redis + PostgreSQL with its "
            + "connection processes (`/proc/<pid>/stat`; "
            + backends.size()
            + " root processes found), as a percentage of "
            + "one core during the phone phases (200 % = both cores), and per login over the whole step (ticket, socket, "
            + "scan, confirm, redemption, `completed`, close). Other processes on the machine are not counted; the load "
            + "average shows them.");
    List<List<String>> rows = new ArrayList<>();
    for (Step s : steps) {
      rows.add(
          List.of(
              "**" + s.concurrency + "**",
              s.logins + " (" + s.rounds + ")",
              s.redeemed + " / " + s.lost,
              Stats.f0(s.loginsPerSecond()),
              Stats.f2(s.q(s.confirmMs, 0.5)) + " / " + Stats.f2(s.q(s.confirmMs, 0.99)),
              Stats.f2(s.q(s.toConfirmedMs, 0.5)) + " / " + Stats.f2(s.q(s.toConfirmedMs, 0.99)),
              Stats.f2(s.q(s.toTokenMs, 0.5))
                  + " / **"
                  + Stats.f2(s.q(s.toTokenMs, 0.99))
                  + "** / "
                  + Stats.f2(s.max(s.toTokenMs)),
              Stats.f0(s.phaseCpuPercent(false))
                  + " + "
                  + Stats.f0(s.phaseCpuPercent(true) - s.phaseCpuPercent(false))
                  + " = **"
                  + Stats.f0(s.phaseCpuPercent(true))
                  + " %**",
              Stats.f2(s.stepJvmCpu / 1e6 / s.logins)
                  + " + "
                  + Stats.f2(s.stepBackendCpu / 1e6 / s.logins),
              s.loadBefore + " → " + s.loadAfter));
    }
    md.table(
        List.of(
            "c",
            "logins (rounds)",
            "tokens / lost",
            "logins/s",
            "confirm call p50 / p99 ms",
            "confirm → `confirmed` p50 / p99 ms",
            "confirm → token p50 / p99 / max ms",
            "CPU in the phone phases, JVM + Redis/PG",
            "CPU ms per login, JVM + Redis/PG",
            "load average before → after"),
        rows);
    for (Step s : steps) {
      md.bullet(
          "c = "
              + s.concurrency
              + ": first frame `pending` "
              + s.firstPending
              + " of "
              + s.logins
              + "; `confirmed` "
              + "frames "
              + s.confirmedFrames
              + " ("
              + s.early
              + " before the confirm call had returned), `completed` frames "
              + s.completedFrames
              + "; closed by node A with 1000: "
              + s.closed1000
              + ", other ends: "
              + s.otherTerminal
              + ", open on A afterwards: "
              + s.leftOnA
              + "; tokens "
              + s.redeemed
              + " (distinct "
              + s.distinctTokens
              + "), GET /api/v1/me on A: "
              + s.working
              + " working, "
              + s.rightUser
              + " of the confirming phone's user; "
              + "second redemption `410 qr_login_used`: "
              + s.usedAgain
              + "; redemptions answered `503` and retried: "
              + s.unavailable
              + " (logins that got their token only after a 503: "
              + s.redeemedAfter503
              + "), retried after a network error: "
              + s.networkRetries
              + "; scan → `scanned` frame p50 / p99 "
              + Stats.f2(s.q(s.scanMs, 0.5))
              + " / "
              + Stats.f2(s.q(s.scanMs, 0.99))
              + " ms; CPU per login in the phone "
              + "phases "
              + Stats.f2(s.phaseJvmCpu / 1e6 / s.logins)
              + " + "
              + Stats.f2(s.phaseBackendCpu / 1e6 / s.logins)
              + " ms; the whole step "
              + Stats.f1(s.stepSeconds)
              + " s at "
              + Stats.f0((s.stepJvmCpu + s.stepBackendCpu) / 1e9 / s.stepSeconds * 100)
              + " % CPU ("
              + s.pids.size()
              + " backend processes read)"
              + "; scan / confirm failures "
              + s.scanFailures
              + " / "
              + s.confirmFailures
              + (s.firstProblem != null ? "; first problem: " + s.firstProblem : ""));
    }
    int orphans = sessionsAfter - sessionsBefore - redeemedTotal;
    md.bullet(
        "sessions of the "
            + phones
            + " phone accounts (GET /api/v1/me/sessions): "
            + sessionsBefore
            + " before, "
            + sessionsAfter
            + " after, "
            + redeemedTotal
            + " redemptions answered 201 (warm-up included): **"
            + orphans
            + "** sessions without a redemption (goal 0)");
    md.end();

    int lost = 0;
    for (Step s : steps) {
      lost += s.lost;
    }
    Step top = steps.getLast();
    Step one = steps.getFirst();
    boolean all =
        top.redeemed == top.logins
            && top.working == top.logins
            && top.rightUser == top.logins
            && top.closed1000 == top.logins
            && top.usedAgain == top.logins;
    summary.add(
        new Summary(
            "QR logins completed across nodes at c = "
                + top.concurrency
                + " ("
                + top.concurrency
                + " sockets on A, confirm on B, redeem on A)",
            top.redeemed
                + " of "
                + top.logins
                + " (working on A "
                + top.working
                + ", closed 1000 "
                + top.closed1000
                + ")",
            "all " + top.logins,
            all ? "met" : "missed"));
    summary.add(
        new Summary(
            "QR logins lost (confirmed, no token), all steps",
            Integer.toString(lost),
            "0",
            lost == 0 ? "met" : "missed"));
    summary.add(
        new Summary(
            "QR: sessions of the phone users without a redemption",
            Integer.toString(orphans),
            "0",
            orphans == 0 ? "met" : "missed"));
    for (Step s : List.of(one, top)) {
      double p99 = s.q(s.toTokenMs, 0.99);
      summary.add(
          new Summary(
              "QR login at c = " + s.concurrency + ": confirm → token in hand, p50 / p99",
              Stats.f2(s.q(s.toTokenMs, 0.5))
                  + " / "
                  + Stats.f2(p99)
                  + " ms (confirm → `confirmed` "
                  + Stats.f2(s.q(s.toConfirmedMs, 0.5))
                  + " / "
                  + Stats.f2(s.q(s.toConfirmedMs, 0.99))
                  + " ms)",
              "p99 <= " + Stats.f0(GOAL_P99_MS) + " ms",
              p99 <= GOAL_P99_MS ? "met" : "missed"));
      if (s == top && steps.size() == 1) {
        break;
      }
    }
    summary.add(
        new Summary(
            "QR login: CPU per login (JVM + Redis/PG) at c = " + top.concurrency,
            Stats.f2(top.stepJvmCpu / 1e6 / top.logins)
                + " + "
                + Stats.f2(top.stepBackendCpu / 1e6 / top.logins)
                + " ms; "
                + Stats.f0(top.loginsPerSecond())
                + " logins/s at "
                + Stats.f0(top.phaseCpuPercent(true))
                + " % CPU",
            "",
            ""));
  }

  private Api.Response phonePost(String url, String token) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(TIMEOUT)
            .header("Authorization", "Bearer " + token)
            .POST(HttpRequest.BodyPublishers.noBody())
            .build();
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

  private Ticket[] createTickets(String base, int count, String devicePrefix, int concurrency)
      throws InterruptedException {
    Ticket[] tickets = new Ticket[count];
    String expectedWs = base.replaceFirst("^http", "ws") + "/ws/qr-logins/";
    parallel(
        count,
        concurrency,
        Duration.ofSeconds(60 + count / 20),
        i -> {
          Api.Response r = api.post(base + "/api/v1/qr-logins", Map.of("device", devicePrefix + i));
          if (r.status() != 201) {
            throw new IllegalStateException(
                "POST /api/v1/qr-logins answered " + r.status() + ": " + Api.abbreviate(r.body()));
          }
          JsonNode j = r.json();
          Ticket t =
              new Ticket(
                  j.path("id").asText(),
                  j.path("secret").asText(),
                  j.path("wsUrl").asText(),
                  j.path("sessionUrl").asText());
          if (!t.wsUrl().startsWith(expectedWs)) {
            throw new IllegalStateException(
                "unexpected wsUrl " + t.wsUrl() + " (expected it under " + expectedWs + ")");
          }
          if (!t.sessionUrl().equals(base + "/api/v1/qr-logins/" + t.id() + "/session")) {
            throw new IllegalStateException(
                "unexpected sessionUrl '" + t.sessionUrl() + "' (expected it on " + base + ")");
          }
          tickets[i] = t;
        });
    return tickets;
  }

  // ---- 2. idle sockets
  // -----------------------------------------------------------------------------------

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
      return new Snapshot(
          heap,
          direct,
          rssBytes(),
          QrIdleClients.openFds(),
          ManagementFactory.getThreadMXBean().getThreadCount());
    }
  }

  private void idle(Markdown md, List<Summary> summary) throws Exception {
    String a = cluster.a();
    int m = options.qrIdleSockets();
    String fdLimit = QrIdleClients.fdLimit();
    long fdsNow = QrIdleClients.openFds();
    long soft = softLimit(fdLimit);
    if (soft > 0 && fdsNow >= 0 && fdsNow + m + 256 > soft) {
      throw new IllegalStateException(
          "this JVM has "
              + fdsNow
              + " file descriptors open and a limit of "
              + fdLimit
              + " (ulimit -n): "
              + m
              + " more server-side sockets do not fit; raise ulimit -n or lower --qr-idle-sockets");
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
      List<String> command =
          List.of(
              Path.of(System.getProperty("java.home"), "bin", "java").toString(),
              "-XX:+UseSerialGC",
              "-XX:TieredStopAtLevel=1",
              "-cp",
              System.getProperty("java.class.path"),
              QrIdleClients.class.getName(),
              urls.toString(),
              Integer.toString(UPGRADES_IN_FLIGHT),
              Long.toString(childLimit));
      BenchMain.progress("qr: a client process opens " + m + " idle WebSockets to node A");
      long o0 = System.nanoTime();
      child = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
      BlockingQueue<String> out = new LinkedBlockingQueue<>();
      Process proc = child;
      Thread.ofPlatform()
          .daemon()
          .name("qr-clients-stdout")
          .start(
              () -> {
                try (BufferedReader r =
                    new BufferedReader(
                        new InputStreamReader(proc.getInputStream(), StandardCharsets.UTF_8))) {
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
      int openOnA =
          awaitCount(cluster::openQrSocketsA, baseline + clientOpen, Duration.ofSeconds(30))
              - baseline;
      Thread.sleep(
          2000); // let the sockets' first refreshes (virtual threads) finish before measuring
      Snapshot during = Snapshot.take();
      int openDuring = cluster.openQrSocketsA() - baseline;

      BenchMain.progress(
          "qr: "
              + openDuring
              + " idle sockets open on node A; heap after GC "
              + Stats.f1(during.heap() / MIB)
              + " MiB (before "
              + Stats.f1(before.heap() / MIB)
              + " MiB); closing them");
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
      long clientHeapDelta =
          Long.parseLong(opened.get("heapAfter")) - Long.parseLong(opened.get("heapBefore"));
      double perSocket =
          openDuring > 0 ? (double) (during.heap() - before.heap()) / openDuring : Double.NaN;
      double directPerSocket =
          openDuring > 0 ? (double) (during.direct() - before.direct()) / openDuring : Double.NaN;
      double rssPerSocket =
          openDuring > 0 ? (double) (during.rss() - before.rss()) / openDuring : Double.NaN;

      md.paragraph(
          m
              + " tickets created on node A ("
              + Stats.f2(createSeconds)
              + " s), then a separate JVM ("
              + "`QrIdleClients`, java.net.http, "
              + opened.get("clients")
              + (opened.get("clients").equals("1") ? " HttpClient" : " HttpClients")
              + " on loopback addresses of their own, at most "
              + QrIdleClients.SOCKETS_PER_ADDRESS
              + " sockets per address because a node admits 200 per client address; at most "
              + UPGRADES_IN_FLIGHT
              + " upgrades in flight) opened one WebSocket per ticket to node A and waited for each socket's first frame ("
              + Stats.f2(Double.parseDouble(opened.get("seconds")))
              + " s in the client, "
              + Stats.f2(openSeconds)
              + " s with its start-up), then held them idle. The clients run in their own process so that this JVM — "
              + "both nodes, the benchmark and nothing of the clients — holds only the server side of each socket; the "
              + "figures below are this JVM's, each after System.gc(), before the sockets were opened, with all of them "
              + "open (2 s after the last upgrade) and after they were closed. Node B and everything else in this JVM is "
              + "included, so the difference, not the total, is the sockets' cost.");
      md.table(
          List.of("nodes' JVM", "before", "with the sockets open", "after closing", "per socket"),
          List.of(
              List.of(
                  "heap used after GC",
                  mib(before.heap()),
                  "**" + mib(during.heap()) + "**",
                  mib(after.heap()),
                  "**" + kib(perSocket) + "**"),
              List.of(
                  "direct buffers",
                  mib(before.direct()),
                  mib(during.direct()),
                  mib(after.direct()),
                  kib(directPerSocket)),
              List.of(
                  "RSS", mib(before.rss()), mib(during.rss()), mib(after.rss()), kib(rssPerSocket)),
              List.of(
                  "open file descriptors",
                  Long.toString(before.fds()),
                  Long.toString(during.fds()),
                  Long.toString(after.fds()),
                  openDuring > 0
                      ? Stats.f2((double) (during.fds() - before.fds()) / openDuring)
                      : "n/a"),
              List.of(
                  "live threads (platform)",
                  Integer.toString(before.threads()),
                  Integer.toString(during.threads()),
                  Integer.toString(after.threads()),
                  "")));
      md.bullet(
          "QR sockets open on node A (Kinhub#openQrSockets): **"
              + openDuring
              + " of "
              + m
              + "** with the client "
              + "holding them (the client counted "
              + clientOpen
              + " open, "
              + opened.get("failed")
              + " failed upgrades"
              + (opened.get("failed").equals("0") ? "" : ", first: " + opened.get("firstError"))
              + ", "
              + opened.get("firstFrames")
              + " with their first frame); "
              + clientsClosedEarly
              + " closed by the server before the client closed them");
      md.bullet(
          "after the client closed them (close 1000; all acknowledged: "
              + closed.get("allAcknowledged")
              + ", aborted: "
              + closed.get("aborted")
              + "): **"
              + left
              + "** open on node A (goal 0)");
      md.bullet(
          "heap used after GC with the sockets open: "
              + mib(during.heap())
              + " for this whole JVM (max heap "
              + mib(Runtime.getRuntime().maxMemory())
              + "); the client process's heap grew by "
              + mib(clientHeapDelta)
              + " ("
              + (clientOpen > 0 ? kib((double) clientHeapDelta / clientOpen) : "n/a")
              + " per socket, not included above)");
      md.bullet(
          "file descriptors: limit (soft/hard, ulimit -n) "
              + fdLimit
              + " for this JVM and "
              + opened.get("fdLimit")
              + " for the client's; one descriptor per socket on each side, so the limit applies per process");
      md.end();

      String verdict =
          m < GOAL_IDLE_SOCKETS
              ? "not measured (only " + m + " sockets)"
              : openDuring < m
                  ? "missed (" + openDuring + " of " + m + " open)"
                  : during.heap() <= GOAL_HEAP_BYTES ? "met" : "missed";
      summary.add(
          new Summary(
              "Idle QR WebSockets open on node A (clients in a separate process)",
              openDuring
                  + " of "
                  + m
                  + "; heap after GC "
                  + mib(during.heap())
                  + " (whole JVM, both nodes), "
                  + kib(perSocket)
                  + " per socket",
              IDLE_GOAL,
              verdict));
      summary.add(
          new Summary(
              "QR sockets open on node A after the clients closed them",
              Integer.toString(left),
              "0",
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
  private static Map<String, String> awaitLine(
      BlockingQueue<String> out, String tag, Duration limit, Process child)
      throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      String line = left > 0 ? out.poll(left, TimeUnit.NANOSECONDS) : null;
      if (line == null) {
        throw new IllegalStateException(
            "the QR client process did not report " + tag + " within " + limit.toSeconds() + " s");
      }
      if (line.equals("EOF")) {
        throw new IllegalStateException(
            "the QR client process ended before reporting "
                + tag
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

  // ---- helpers
  // -------------------------------------------------------------------------------------------

  /**
   * Polls {@code count} until it equals {@code target} or the time is up; returns the last reading.
   */
  private static int awaitCount(IntSupplier count, int target, Duration limit)
      throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    int now = count.getAsInt();
    while (now != target && System.nanoTime() < deadline) {
      Thread.sleep(20);
      now = count.getAsInt();
    }
    return now;
  }

  /**
   * Runs {@code task(0..count-1)} on {@code concurrency} virtual threads within {@code limit};
   * rethrows the first failure.
   */
  private static void parallel(int count, int concurrency, Duration limit, IntConsumer task)
      throws InterruptedException {
    AtomicInteger next = new AtomicInteger();
    AtomicReference<RuntimeException> failure = new AtomicReference<>();
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < Math.min(concurrency, count); w++) {
      threads.add(
          Thread.ofVirtual()
              .start(
                  () -> {
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
