package io.kinhub.server.feed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.kinhub.server.app.Kinhub;
import io.kinhub.server.config.Config;
import io.kinhub.server.family.Families;
import io.kinhub.server.qrlogin.JettyRecorder;
import io.kinhub.server.qrlogin.WsRecorder;
import io.kinhub.server.system.Api;
import io.kinhub.server.system.Api.User;
import io.kinhub.server.system.TestBackends;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The live channel on two nodes: events from any node, revocation on any node, the socket rules of
 * the QR socket.
 */
class LiveChannelTest {
  private static Kinhub nodeA;
  private static Kinhub nodeB;
  private static Api a;
  private static Api b;
  private static WebSocketClient jetty;

  @BeforeAll
  static void start() throws Exception {
    String prefix = TestBackends.newPrefix();
    nodeA = TestBackends.get().startNode(prefix);
    nodeB = TestBackends.get().startNode(prefix);
    a = Api.of(nodeA);
    b = Api.of(nodeB);
    jetty = new WebSocketClient();
    jetty.start();
  }

  @AfterAll
  static void stop() throws Exception {
    jetty.stop();
    nodeA.close();
    nodeB.close();
  }

  @BeforeEach
  void bothNodesTrustTheirCaches() {
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> nodeA.cacheTrusted() && nodeB.cacheTrusted());
  }

  @Test
  void revocationOnB_closesLiveSocketsOnAWith4001WithinOneSecond_jdkAndJettyClients()
      throws Exception {
    User user = a.newUser("Watcher");
    WsRecorder jdk = WsRecorder.connect(FeedAcrossNodesTest.liveUrl(nodeA, user));
    JettyRecorder jettySocket =
        JettyRecorder.connect(jetty, FeedAcrossNodesTest.liveUrl(nodeA, user));
    try {
      JsonNode hello = jdk.next();
      assertThat(hello.get("type").asText()).isEqualTo("hello");
      assertThat(hello.get("user").get("id").asText()).isEqualTo(user.id());
      assertThat(jettySocket.messages().poll(15, TimeUnit.SECONDS).get("type").asText())
          .isEqualTo("hello");

      assertThat(b.delete("/api/v1/me/sessions/current", user.token()).status()).isEqualTo(204);

      assertThat(jdk.closed().get(1, TimeUnit.SECONDS)).isEqualTo(4001);
      assertThat(jettySocket.closed().get(1, TimeUnit.SECONDS)).isEqualTo(4001);
      assertThat(FeedAcrossNodesTest.nextOfType(jdk, "session_revoked")).isNotNull();
      boolean jettyTold = false;
      for (JsonNode m; (m = jettySocket.messages().poll()) != null; ) {
        jettyTold |= m.get("type").asText().equals("session_revoked");
      }
      assertThat(jettyTold).isTrue();
    } finally {
      jdk.close();
      jettySocket.close();
    }
  }

  @Test
  void postOnB_reachesAMembersSocketOnA_butNotAStrangers() throws Exception {
    User owner = a.newUser("Owner");
    User member = a.newUser("Member");
    User stranger = a.newUser("Stranger");
    String family = Families.create(b, owner, "Live family", false);
    Families.join(b, owner, family, member);
    WsRecorder memberSocket = WsRecorder.connect(FeedAcrossNodesTest.liveUrl(nodeA, member));
    WsRecorder strangerSocket = WsRecorder.connect(FeedAcrossNodesTest.liveUrl(nodeA, stranger));
    try {
      assertThat(memberSocket.next().get("type").asText()).isEqualTo("hello");
      assertThat(strangerSocket.next().get("type").asText()).isEqualTo("hello");
      Api.Response posted =
          b.post("/api/v1/families/" + family + "/posts", owner.token(), Map.of("text", "live!"));
      JsonNode frame = FeedAcrossNodesTest.nextOfType(memberSocket, "post");
      assertThat(frame.get("post").get("id").asText()).isEqualTo(posted.json().get("id").asText());
      assertThat(frame.get("post").get("text").asText()).isEqualTo("live!");
      assertThat(frame.get("post").get("author").get("displayName").asText()).isEqualTo("Owner");

      Api.Response liked =
          b.put(
              "/api/v1/posts/" + posted.json().get("id").asText() + "/like",
              member.token(),
              Map.of());
      assertThat(liked.json().get("likeCount").asLong()).isEqualTo(1);
      assertThat(FeedAcrossNodesTest.nextOfType(memberSocket, "counts").get("likeCount").asLong())
          .isEqualTo(1);
      assertThat(strangerSocket.messages().poll(500, TimeUnit.MILLISECONDS)).isNull();
    } finally {
      memberSocket.close();
      strangerSocket.close();
    }
  }

  @Test
  void socketsPerUser_areCapped_theNextIsRefusedWith429() {
    Map<String, String> env = TestBackends.get().env(TestBackends.newPrefix());
    env.put("KINHUB_LIVE_SOCKETS_PER_USER", "2");
    try (Kinhub capped = Kinhub.start(Config.from(env))) {
      User user = Api.of(capped).newUser("Many tabs");
      WsRecorder first = WsRecorder.connect(FeedAcrossNodesTest.liveUrl(capped, user));
      WsRecorder second = WsRecorder.connect(FeedAcrossNodesTest.liveUrl(capped, user));
      try {
        String third = FeedAcrossNodesTest.liveUrl(capped, user);
        assertThatThrownBy(() -> WsRecorder.connect(third)).hasStackTraceContaining("429");
        first.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> capped.feed().openSockets() == 1);
        WsRecorder.connect(FeedAcrossNodesTest.liveUrl(capped, user)).close();
      } finally {
        first.close();
        second.close();
      }
    }
  }

  @Test
  void ticket_isSingleUse_andAnUnknownOneIsRefused() {
    User user = a.newUser("Once");
    String url = FeedAcrossNodesTest.liveUrl(nodeA, user);
    WsRecorder first = WsRecorder.connect(url);
    first.close();
    assertThatThrownBy(() -> WsRecorder.connect(url)).hasStackTraceContaining("401");
    assertThatThrownBy(() -> WsRecorder.connect(url.replaceFirst("ticket=.*", "ticket=nonsense")))
        .hasStackTraceContaining("401");
    assertThat(a.post("/api/v1/live-tickets", null, Map.of()).status()).isEqualTo(401);
  }

  @Test
  void upgradeAsHttp10_gets426_andAForeignOrigin403() throws Exception {
    User user = a.newUser("Rules");
    String ticket = FeedAcrossNodesTest.liveUrl(nodeA, user).replaceFirst(".*ticket=", "");
    String http10 =
        "GET /ws/live?ticket="
            + ticket
            + " HTTP/1.0\r\nHost: localhost\r\nUpgrade: websocket\r\n"
            + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    assertThat(raw(http10))
        .startsWith("HTTP/1.1 426")
        .contains("upgrade_required")
        .contains("proxy_http_version 1.1");
    String foreign =
        "GET /ws/live?ticket="
            + ticket
            + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
            + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
            + "Origin: https://attacker.example\r\nConnection: close\r\n\r\n";
    assertThat(raw(foreign)).startsWith("HTTP/1.1 403").contains("\"code\":\"forbidden\"");
    assertThat(a.get("/ws/live", null).status()).isEqualTo(426);
  }

  private static String raw(String request) throws Exception {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), nodeA.port())) {
      socket.setSoTimeout(5000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[8192];
      int n = in.read(buffer);
      StringBuilder out =
          new StringBuilder(new String(buffer, 0, Math.max(0, n), StandardCharsets.UTF_8));
      long until = System.currentTimeMillis() + 2000;
      while (!out.toString().contains("}")
          && System.currentTimeMillis() < until
          && (n = in.read(buffer)) > 0) {
        out.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
      }
      return out.toString();
    }
  }
}
