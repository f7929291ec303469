package io.kinhub.server.qrlogin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.kinhub.server.app.Kinhub;
import io.kinhub.server.config.Config;
import io.kinhub.server.system.Api;
import io.kinhub.server.system.TestBackends;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * QR login through real HTTP and real WebSockets on two nodes: the browser on A, the phone on B.
 */
class QrLoginAcrossNodesTest {
  private static final String PASSWORD = "phone user password";
  private static Kinhub nodeA;
  private static Kinhub nodeB;
  private static Api a;
  private static Api b;

  @BeforeAll
  static void start() {
    String prefix = TestBackends.newPrefix();
    Map<String, String> env = TestBackends.get().env(prefix);
    env.put("KINHUB_WS_IDLE_TIMEOUT", "2s");
    nodeA = Kinhub.start(Config.from(env));
    env.put("KINHUB_NODE_ID", "qr-b");
    nodeB = Kinhub.start(Config.from(env));
    a = Api.of(nodeA);
    b = Api.of(nodeB);
  }

  @AfterAll
  static void stop() {
    nodeA.close();
    nodeB.close();
  }

  private static String phoneUser(String name) {
    String login = Api.newLogin();
    b.post(
        "/api/v1/accounts",
        null,
        Map.of("login", login, "password", PASSWORD, "displayName", name));
    return b.login(login, PASSWORD);
  }

  private static JsonNode newTicket(Api api) {
    Api.Response r = api.post("/api/v1/qr-logins", null, Map.of("device", "Firefox on Linux"));
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    return r.json();
  }

  @Test
  void browserSocketOnA_phoneOnB_browserRedeemsTheSessionOnce() throws Exception {
    JsonNode ticket = newTicket(a);
    String id = ticket.get("id").asText();
    assertThat(ticket.get("qrContent").asText())
        .endsWith("/qr/" + id)
        .doesNotContain(ticket.get("secret").asText());
    assertThat(ticket.get("wsUrl").asText()).startsWith("ws://");
    WsRecorder browser = WsRecorder.connect(ticket.get("wsUrl").asText());
    assertThat(browser.next().get("state").asText()).isEqualTo("pending");
    String phone = phoneUser("Grandma Ada");
    String stranger = phoneUser("Stranger");

    assertThat(b.post("/api/v1/qr-logins/" + id + "/confirm", phone, Map.of()).status())
        .isEqualTo(409);
    Api.Response scanned = b.post("/api/v1/qr-logins/" + id + "/scan", phone, Map.of());
    assertThat(scanned.status()).isEqualTo(200);
    assertThat(scanned.json().get("state").asText()).isEqualTo("scanned");
    assertThat(scanned.json().get("device").asText()).isEqualTo("Firefox on Linux");
    JsonNode seenScan = browser.next();
    assertThat(seenScan.get("state").asText()).isEqualTo("scanned");
    assertThat(seenScan.get("scannedBy").get("displayName").asText()).isEqualTo("Grandma Ada");
    assertThat(b.post("/api/v1/qr-logins/" + id + "/confirm", stranger, Map.of()).status())
        .isEqualTo(403);
    assertThat(b.post("/api/v1/qr-logins/" + id + "/scan", stranger, Map.of()).status())
        .isEqualTo(409);

    String secret = ticket.get("secret").asText();
    assertThat(redeem(a, id, secret).status())
        .as("redeeming before the phone confirmed")
        .isEqualTo(409);
    assertThat(
            b.post("/api/v1/qr-logins/" + id + "/confirm", phone, Map.of())
                .json()
                .get("state")
                .asText())
        .isEqualTo("confirmed");

    JsonNode confirmed = browser.next();
    assertThat(confirmed.get("state").asText()).isEqualTo("confirmed");
    assertThat(confirmed.has("token")).as("no token ever travels over the socket").isFalse();
    assertThat(redeem(a, id, "not-the-secret").status()).isEqualTo(404);
    Api.Response redeemed = redeem(a, id, secret);
    assertThat(redeemed.status()).as(redeemed.text()).isEqualTo(201);
    String token = redeemed.json().get("token").asText();
    assertThat(redeemed.json().get("user").get("displayName").asText()).isEqualTo("Grandma Ada");
    assertThat(redeemed.json().get("session").get("device").asText()).isEqualTo("Firefox on Linux");
    assertThat(browser.next().get("state").asText()).isEqualTo("completed");
    assertThat(browser.closed.get(10, TimeUnit.SECONDS)).isEqualTo(1000);
    assertThat(a.get("/api/v1/me", token).json().get("displayName").asText())
        .isEqualTo("Grandma Ada");
    assertThat(
            b.get("/api/v1/me/sessions", token).json().get("sessions").findValuesAsText("device"))
        .contains("Firefox on Linux");
    // the session is handed out once, on either node
    Api.Response again = redeem(b, id, secret);
    assertThat(again.status()).isEqualTo(410);
    assertThat(again.json().get("code").asText()).isEqualTo("qr_login_used");
    assertThat(a.get("/api/v1/qr-logins/" + id, null).json().get("code").asText())
        .isEqualTo("not_found");
    Api.Response reread = pollWithSecret(a, id, secret, "");
    assertThat(reread.json().get("state").asText()).isEqualTo("completed");
    assertThat(reread.json().has("token")).isFalse();
    assertThat(b.post("/api/v1/qr-logins/" + id + "/scan", phone, Map.of()).status())
        .isEqualTo(409);
  }

  static Api.Response redeem(Api api, String id, String secret) {
    return api.redeemQr(id, secret);
  }

  private static Api.Response pollWithSecret(Api api, String id, String secret, String query) {
    return api.pollQr(id, secret, query);
  }

  @Test
  void longPollOnA_seesWhatThePhoneDoesOnB() throws Exception {
    JsonNode ticket = newTicket(a);
    String id = ticket.get("id").asText();
    String secret = ticket.get("secret").asText();
    String phone = phoneUser("Uncle Bob");

    CompletableFuture<Api.Response> waiting =
        CompletableFuture.supplyAsync(
            () -> pollWithSecret(a, id, secret, "?waitSeconds=20&known=pending"));
    await().pollDelay(Duration.ofMillis(200)).atMost(Duration.ofSeconds(5)).until(() -> true);
    assertThat(waiting).isNotDone();
    b.post("/api/v1/qr-logins/" + id + "/scan", phone, Map.of());
    assertThat(waiting.get(10, TimeUnit.SECONDS).json().get("state").asText()).isEqualTo("scanned");

    CompletableFuture<Api.Response> waitingForConfirmation =
        CompletableFuture.supplyAsync(
            () -> pollWithSecret(a, id, secret, "?waitSeconds=20&known=scanned"));
    b.post("/api/v1/qr-logins/" + id + "/confirm", phone, Map.of());
    JsonNode confirmed = waitingForConfirmation.get(10, TimeUnit.SECONDS).json();
    assertThat(confirmed.get("state").asText()).isEqualTo("confirmed");
    assertThat(confirmed.has("token")).isFalse();
    Api.Response redeemed = redeem(a, id, secret);
    assertThat(redeemed.status()).isEqualTo(201);
    assertThat(a.get("/api/v1/me", redeemed.json().get("token").asText()).status()).isEqualTo(200);
    assertThat(
            pollWithSecret(a, id, secret, "?waitSeconds=20&known=confirmed")
                .json()
                .get("state")
                .asText())
        .isEqualTo("completed");
  }

  @Test
  void lostRedemptionAnswer_isReplayedToTheBrowserWithItsIdempotencyKey_only() throws Exception {
    JsonNode ticket = newTicket(a);
    String id = ticket.get("id").asText();
    String secret = ticket.get("secret").asText();
    String phone = phoneUser("Cousin Dan");
    int before = b.get("/api/v1/me/sessions", phone).json().get("sessions").size();
    b.post("/api/v1/qr-logins/" + id + "/scan", phone, Map.of());
    b.post("/api/v1/qr-logins/" + id + "/confirm", phone, Map.of());

    Api.Response first = a.redeemQr(id, secret, "browser-key-0001");
    assertThat(first.status()).isEqualTo(201);
    // the answer was lost on the way: the same browser asks again, on either node, with the same
    // key
    Api.Response replayed = b.redeemQr(id, secret, "browser-key-0001");
    assertThat(replayed.status()).isEqualTo(201);
    assertThat(replayed.header("Idempotent-Replayed")).isEqualTo("true");
    assertThat(replayed.json().get("token").asText()).isEqualTo(first.json().get("token").asText());
    assertThat(replayed.json().get("session").get("id").asText())
        .isEqualTo(first.json().get("session").get("id").asText());
    // anyone else, or the contract's plain second redemption, gets 410; a bad key is 400
    assertThat(a.redeemQr(id, secret).json().get("code").asText()).isEqualTo("qr_login_used");
    assertThat(a.redeemQr(id, secret, "another-key-0002").status()).isEqualTo(410);
    assertThat(a.redeemQr(id, "not-the-secret", "browser-key-0001").status()).isEqualTo(404);
    assertThat(a.redeemQr(id, secret, "short").status()).isEqualTo(400);
    assertThat(b.get("/api/v1/me/sessions", phone).json().get("sessions").size())
        .as("one session, however often asked")
        .isEqualTo(before + 1);
    // what Redis holds cannot be opened without the secret: it is neither the token nor the body
    try (var redis = TestBackends.get().connectRedis()) {
      Map<String, String> stored =
          redis.sync().hgetall(nodeA.config().redis().prefix() + "qr:" + id);
      assertThat(stored.toString())
          .doesNotContain(first.json().get("token").asText())
          .doesNotContain(secret)
          .doesNotContain("browser-key-0001");
    }
  }

  @Test
  void unknownKnownState_is400() {
    JsonNode ticket = newTicket(a);
    Api.Response r =
        pollWithSecret(
            a,
            ticket.get("id").asText(),
            ticket.get("secret").asText(),
            "?waitSeconds=5&known=bogus");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().get("field").asText()).isEqualTo("known");
  }

  @Test
  void wrongSecret_is404_forPollAndSocket() {
    JsonNode ticket = newTicket(a);
    String id = ticket.get("id").asText();
    assertThat(pollWithSecret(a, id, "not-the-secret", "").status()).isEqualTo(404);
    assertThat(a.get("/api/v1/qr-logins/" + id, null).status()).isEqualTo(404);
    Assertions.assertThatThrownBy(
            () ->
                WsRecorder.connect(
                    ticket.get("wsUrl").asText().replaceFirst("secret=.*", "secret=wrong")))
        .hasStackTraceContaining("status code 404");
  }

  @Test
  void upgradeArrivingAsHttp10_gets426WithAnExplanation() throws Exception {
    JsonNode ticket = newTicket(a);
    String request =
        "GET /ws/qr-logins/"
            + ticket.get("id").asText()
            + "?secret="
            + ticket.get("secret").asText()
            + " HTTP/1.0\r\n"
            + "Host: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            + "Sec-WebSocket-Version: 13\r\n\r\n";
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), nodeA.port())) {
      socket.setSoTimeout(5000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(response)
          .startsWith("HTTP/1.1 426")
          .contains("application/problem+json")
          .contains("upgrade_required")
          .contains("proxy_http_version 1.1");
    }
  }

  @Test
  void peerThatStopsAnsweringPings_isDropped_andTheSocketCountReturnsToZero() throws Exception {
    JsonNode ticket = newTicket(a);
    WsRecorder healthy = WsRecorder.connect(newTicket(a).get("wsUrl").asText());
    try (Socket silent = new Socket(InetAddress.getLoopbackAddress(), nodeA.port())) {
      OutputStream out = silent.getOutputStream();
      out.write(
          ("GET /ws/qr-logins/"
                  + ticket.get("id").asText()
                  + "?secret="
                  + ticket.get("secret").asText()
                  + " HTTP/1.1\r\n"
                  + "Host: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                  + "Sec-WebSocket-Version: 13\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      InputStream in = silent.getInputStream();
      byte[] head = new byte[12];
      assertThat(in.readNBytes(head, 0, 12)).isEqualTo(12);
      assertThat(new String(head, StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 101");
      await().atMost(Duration.ofSeconds(5)).until(() -> nodeA.openQrSockets() == 2);

      // the silent peer reads nothing and answers no ping; the healthy client answers them
      await().atMost(Duration.ofSeconds(15)).until(() -> nodeA.openQrSockets() == 1);
      assertThat(healthy.closed).isNotDone();
    }
    healthy.socket.sendClose(1000, "bye").join();
    await().atMost(Duration.ofSeconds(10)).until(() -> nodeA.openQrSockets() == 0);
  }

  @Test
  void expiredTicket_is410_andTheSocketSaysExpired() throws Exception {
    Map<String, String> env = TestBackends.get().env(TestBackends.newPrefix());
    env.put("KINHUB_QR_SCAN_TIMEOUT", "1s");
    try (Kinhub shortLived = Kinhub.start(Config.from(env))) {
      Api api = Api.of(shortLived);
      JsonNode ticket = newTicket(api);
      WsRecorder browser = WsRecorder.connect(ticket.get("wsUrl").asText());
      assertThat(browser.next().get("state").asText()).isEqualTo("pending");

      assertThat(browser.next().get("state").asText()).isEqualTo("expired");
      assertThat(browser.closed.get(10, TimeUnit.SECONDS)).isEqualTo(1000);
      String phone = api.login(api.register(Api.newLogin(), PASSWORD), PASSWORD);
      Api.Response late =
          api.post("/api/v1/qr-logins/" + ticket.get("id").asText() + "/scan", phone, Map.of());
      assertThat(late.status()).isEqualTo(410);
      assertThat(late.json().get("code").asText()).isEqualTo("expired");
    }
  }

  @Test
  void qrImages_areServed() {
    JsonNode ticket = newTicket(a);
    Api.Response svg = a.get("/api/v1/qr-logins/" + ticket.get("id").asText() + "/image.svg", null);
    Api.Response png = a.get("/api/v1/qr-logins/" + ticket.get("id").asText() + "/image.png", null);
    assertThat(svg.contentType()).startsWith("image/svg+xml");
    assertThat(svg.text()).startsWith("<svg");
    assertThat(png.contentType()).startsWith("image/png");
    assertThat(png.raw().body()).startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');
  }
}
