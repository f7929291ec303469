package io.kinhub.server.qrlogin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.kinhub.server.app.Kinhub;
import io.kinhub.server.config.Config;
import io.kinhub.server.system.Api;
import io.kinhub.server.system.TestBackends;
import io.lettuce.core.KillArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A QR login survives whatever happens to the browser's connection or to a node's event-bus link:
 * connections cut right before and right after the {@code confirmed} frame, the pub/sub link killed
 * while the browser waits; and the audit's hardening findings (Host header, Origin, sockets per
 * ticket).
 */
class QrRecoveryTest {
  private static final String PASSWORD = "recovery phone password";
  private static Kinhub nodeA;
  private static Kinhub nodeB;
  private static Api a;
  private static Api b;

  @BeforeAll
  static void start() {
    Map<String, String> env = TestBackends.get().env(TestBackends.newPrefix());
    env.put("KINHUB_PUBLIC_URL", "https://kin.example.org");
    nodeA = Kinhub.start(Config.from(env));
    nodeB = Kinhub.start(Config.from(env));
    a = Api.of(nodeA);
    b = Api.of(nodeB);
  }

  @AfterAll
  static void stop() {
    nodeA.close();
    nodeB.close();
  }

  private static String newPhone() {
    return b.login(b.register(Api.newLogin(), PASSWORD), PASSWORD);
  }

  private static int sessionsOf(String token) {
    return b.get("/api/v1/me/sessions", token).json().get("sessions").size();
  }

  /**
   * The ticket's socket URL on node A itself (the public URL names a host this test does not have).
   */
  private static String socketOnA(JsonNode ticket, int port) {
    return "ws://127.0.0.1:"
        + port
        + "/ws/qr-logins/"
        + ticket.get("id").asText()
        + "?secret="
        + ticket.get("secret").asText();
  }

  private void cutAroundConfirmed_browserStillLogsInOnce(CuttingProxy.Cut cut) throws Exception {
    String phone = newPhone();
    int before = sessionsOf(phone);
    JsonNode ticket = a.post("/api/v1/qr-logins", null, Map.of()).json();
    String id = ticket.get("id").asText();
    try (CuttingProxy proxy = new CuttingProxy(nodeA.port(), "\"confirmed\"", cut)) {
      WsRecorder browser = WsRecorder.connect(socketOnA(ticket, proxy.port()));
      assertThat(browser.awaitState("pending")).isTrue();
      b.post("/api/v1/qr-logins/" + id + "/scan", phone, Map.of());
      assertThat(browser.awaitState("scanned")).isTrue();
      b.post("/api/v1/qr-logins/" + id + "/confirm", phone, Map.of());

      boolean sawConfirmed = browser.awaitState("confirmed");
      assertThat(sawConfirmed)
          .as("the frame passed the cut")
          .isEqualTo(cut == CuttingProxy.Cut.AFTER);
      assertThat(proxy.didCut).isTrue();
      // the proxy closed the browser's TCP connection; the JDK client does not always report a
      // close that comes right
      // behind a message (a client matter: the server is not involved any more), so the test
      // browser gives up on it
      try {
        browser.closed().get(5, TimeUnit.SECONDS);
      } catch (TimeoutException | ExecutionException e) {
        browser.socket.abort();
      }

      // the browser reconnects (through the same proxy, now disarmed) and is told the current state
      // at once
      WsRecorder again = WsRecorder.connect(socketOnA(ticket, proxy.port()));
      assertThat(again.awaitState("confirmed")).isTrue();
      Api.Response redeemed = a.redeemQr(id, ticket.get("secret").asText());
      assertThat(redeemed.status()).isEqualTo(201);
      assertThat(a.get("/api/v1/me", redeemed.json().get("token").asText()).status())
          .isEqualTo(200);
      assertThat(again.awaitState("completed")).isTrue();
      assertThat(a.redeemQr(id, ticket.get("secret").asText()).status()).isEqualTo(410);
      assertThat(sessionsOf(phone)).as("exactly one session for the browser").isEqualTo(before + 1);
    }
  }

  @Test
  void socketCutRightBeforeConfirmed_browserReconnectsAndLogsInOnce() throws Exception {
    cutAroundConfirmed_browserStillLogsInOnce(CuttingProxy.Cut.BEFORE);
  }

  @Test
  void socketCutRightAfterConfirmed_browserReconnectsAndLogsInOnce() throws Exception {
    cutAroundConfirmed_browserStillLogsInOnce(CuttingProxy.Cut.AFTER);
  }

  @Test
  void pollAfterADroppedSocket_getsTheCurrentStateAtOnce() throws Exception {
    String phone = newPhone();
    JsonNode ticket = a.post("/api/v1/qr-logins", null, Map.of()).json();
    String id = ticket.get("id").asText();
    try (CuttingProxy proxy =
        new CuttingProxy(nodeA.port(), "\"confirmed\"", CuttingProxy.Cut.BEFORE)) {
      WsRecorder browser = WsRecorder.connect(socketOnA(ticket, proxy.port()));
      assertThat(browser.awaitState("pending")).isTrue();
      b.post("/api/v1/qr-logins/" + id + "/scan", phone, Map.of());
      b.post("/api/v1/qr-logins/" + id + "/confirm", phone, Map.of());
      await().atMost(Duration.ofSeconds(5)).until(browser.closed()::isDone);
    }
    // the page's fallback: a poll that knows only the last state it saw returns the newer one
    // without waiting
    Api.Response r =
        a.raw("GET", "/api/v1/qr-logins/" + id + "?waitSeconds=30&known=scanned", null, null, null);
    assertThat(r.status()).isEqualTo(404); // without the secret the ticket does not exist
    JsonNode view =
        pollWithSecret(id, ticket.get("secret").asText(), "?waitSeconds=30&known=scanned");
    assertThat(view.get("state").asText()).isEqualTo("confirmed");
  }

  private static JsonNode pollWithSecret(String id, String secret, String query) {
    return a.pollQr(id, secret, query).json();
  }

  @Test
  void busLinkOfTheBrowsersNodeKilled_confirmationOnTheOtherNodeStillArrives() throws Exception {
    String phone = newPhone();
    JsonNode ticket = a.post("/api/v1/qr-logins", null, Map.of()).json();
    String id = ticket.get("id").asText();
    WsRecorder browser = WsRecorder.connect(socketOnA(ticket, nodeA.port()));
    assertThat(browser.awaitState("pending")).isTrue();
    b.post("/api/v1/qr-logins/" + id + "/scan", phone, Map.of());
    assertThat(browser.awaitState("scanned")).isTrue();

    // keep killing every pub/sub link for a while, and confirm in the middle of it: node A's
    // subscription is down
    // when node B publishes, so that message never reaches A
    try (StatefulRedisConnection<String, String> admin = TestBackends.get().connectRedis()) {
      long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1500);
      CompletableFuture<Api.Response> confirm = null;
      for (int i = 0; System.nanoTime() < until; i++) {
        admin.sync().clientKill(KillArgs.Builder.typePubsub());
        if (i == 20) {
          confirm =
              CompletableFuture.supplyAsync(
                  () -> b.post("/api/v1/qr-logins/" + id + "/confirm", phone, Map.of()));
        }
        Thread.sleep(2);
      }
      assertThat(confirm).isNotNull();
      assertThat(confirm.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
    }
    // the confirmation timeout is 60 s; the browser learns of it from A's re-reads once A notices
    // the loss
    JsonNode next = browser.messages().poll(5, TimeUnit.SECONDS);
    assertThat(next).as("the 'confirmed' frame, long before the ticket's 60 s timeout").isNotNull();
    assertThat(next.get("state").asText()).isEqualTo("confirmed");
    browser.close();
  }

  @Test
  void redisPausedWhileTheBusIsUntrusted_socketReReadsDoNotPileUp_andLoginsGoOnAfterwards()
      throws Exception {
    int sockets = 60;
    List<WsRecorder> browsers = new ArrayList<>();
    List<JsonNode> tickets = new ArrayList<>();
    for (int i = 0; i < sockets; i++) {
      JsonNode ticket = a.post("/api/v1/qr-logins", null, Map.of()).json();
      tickets.add(ticket);
      WsRecorder browser = WsRecorder.connect(socketOnA(ticket, nodeA.port()));
      assertThat(browser.awaitState("pending")).isTrue();
      browsers.add(browser);
    }
    // Redis answers nobody for 3 s: the bus distrusts itself and the hub wakes every socket every
    // 250 ms, while each
    // re-read waits for its 1 s timeout. Re-reads must coalesce (one per socket), not pile up as
    // threads and memory.
    int most = 0;
    try (StatefulRedisConnection<String, String> admin = TestBackends.get().connectRedis()) {
      admin.sync().clientPause(3000);
      long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(4000);
      while (System.nanoTime() < until) {
        most = Math.max(most, nodeA.qrSocketRefreshesInFlight());
        Thread.sleep(20);
      }
    }
    assertThat(most).as("re-reads in flight at once").isLessThanOrEqualTo(sockets);
    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> nodeA.qrSocketRefreshesInFlight() == 0 && nodeA.cacheTrusted());
    assertThat(nodeA.openQrSockets()).isGreaterThanOrEqualTo(sockets);

    // and the sockets still work: a scan on B reaches its browser on A
    String phone = newPhone();
    b.post("/api/v1/qr-logins/" + tickets.get(0).get("id").asText() + "/scan", phone, Map.of());
    assertThat(browsers.get(0).awaitState("scanned")).isTrue();
    browsers.forEach(WsRecorder::close);
  }

  @Test
  void urlsComeFromThePublicUrl_neverFromTheHostHeader() throws Exception {
    String host = "evil.example" + "x".repeat(3000);
    String response =
        rawHttp(
            nodeA.port(),
            "POST /api/v1/qr-logins HTTP/1.1\r\nHost: "
                + host
                + "\r\nContent-Length: 0\r\n"
                + "Connection: close\r\n\r\n");
    assertThat(response).startsWith("HTTP/1.1 201");
    assertThat(response)
        .doesNotContain("evil.example")
        .contains("\"qrContent\":\"https://kin.example.org/qr/")
        .contains("\"wsUrl\":\"wss://kin.example.org/ws/qr-logins/");
    JsonNode ticket = a.post("/api/v1/qr-logins", null, Map.of()).json();
    String svg =
        rawHttp(
            nodeA.port(),
            "GET /api/v1/qr-logins/"
                + ticket.get("id").asText()
                + "/image.svg HTTP/1.1\r\nHost: "
                + host
                + "\r\nConnection: close\r\n\r\n");
    assertThat(svg).startsWith("HTTP/1.1 200");
  }

  @Test
  void hugeHostHeader_is4xxProblemJson() throws Exception {
    String response =
        rawHttp(
            nodeA.port(),
            "POST /api/v1/qr-logins HTTP/1.1\r\nHost: "
                + "h".repeat(10_000)
                + "\r\n"
                + "Content-Length: 0\r\nConnection: close\r\n\r\n");
    int status = Integer.parseInt(response.substring(9, 12));
    assertThat(status).as(response).isBetween(400, 499);
    assertThat(response).contains("application/problem+json");
  }

  private static String rawHttp(int port, String request) throws Exception {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      InputStream in = socket.getInputStream();
      // one response: the head, then Content-Length bytes (the connection may stay open)
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
        int c = in.read();
        if (c < 0) {
          break;
        }
        head.write(c);
      }
      String headText = head.toString(StandardCharsets.ISO_8859_1);
      Matcher length = Pattern.compile("(?im)^content-length: *(\\d+)").matcher(headText);
      byte[] body = length.find() ? in.readNBytes(Integer.parseInt(length.group(1))) : new byte[0];
      return headText + new String(body, StandardCharsets.UTF_8);
    }
  }

  @Test
  void foreignOrigin_isRefusedWith403() throws Exception {
    JsonNode ticket = a.post("/api/v1/qr-logins", null, Map.of()).json();
    String upgrade =
        "GET /ws/qr-logins/"
            + ticket.get("id").asText()
            + "?secret="
            + ticket.get("secret").asText()
            + " HTTP/1.1\r\n"
            + "Host: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            + "Sec-WebSocket-Version: 13\r\nOrigin: https://attacker.example\r\n\r\n";
    String response = rawHttp(nodeA.port(), upgrade);
    assertThat(response)
        .startsWith("HTTP/1.1 403")
        .contains("application/problem+json")
        .contains("\"code\":\"forbidden\"")
        .contains("attacker.example");
    // the deployment's own origin, and a loopback page of a node bound to loopback, are welcome
    for (String origin : List.of("https://kin.example.org", "http://127.0.0.1:" + nodeA.port())) {
      WsRecorder own = connectWithOrigin(socketOnA(ticket, nodeA.port()), origin);
      assertThat(own.awaitState("pending")).isTrue();
      own.close();
    }
  }

  private static WsRecorder connectWithOrigin(String url, String origin) {
    WsRecorder recorder = new WsRecorder();
    recorder.socket =
        HttpClient.newHttpClient()
            .newWebSocketBuilder()
            .header("Origin", origin)
            .buildAsync(URI.create(url), recorder)
            .join();
    return recorder;
  }

  @Test
  void socketsPerTicket_areCapped_andTheFortiethIsRefused() throws Exception {
    JsonNode ticket = a.post("/api/v1/qr-logins", null, Map.of()).json();
    String url = socketOnA(ticket, nodeA.port());
    List<WebSocket> open = new ArrayList<>();
    List<Integer> refused = new ArrayList<>();
    for (int i = 1; i <= 40; i++) {
      try {
        open.add(WsRecorder.connect(url).socket);
      } catch (CompletionException e) {
        assertThat(e).hasStackTraceContaining("429");
        refused.add(i);
      }
    }
    assertThat(open).hasSize(QrSockets.PER_TICKET);
    assertThat(refused).contains(40).hasSize(40 - QrSockets.PER_TICKET);
    // closing sockets frees their places
    open.forEach(WebSocket::abort);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              try {
                WsRecorder.connect(url).socket.abort();
                return true;
              } catch (CompletionException e) {
                return false;
              }
            });
  }
}
