package io.kinhub.server.qrlogin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kinhub.server.app.Kinhub;
import io.kinhub.server.config.Config;
import io.kinhub.server.http.Json;
import io.kinhub.server.system.Api;
import io.kinhub.server.system.ExternalTools;
import io.kinhub.server.system.TestBackends;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The finding behind the QR redesign, as a soak: 300 QR logins across two nodes (browser socket on
 * A, phone on B), each fifth driven by another independent WebSocket client — the JDK's, Jetty's,
 * Node's built-in one (the client that lost most logins), npm's {@code ws}, and the real /login
 * page in headless Chromium. Every login must end with a token in the browser's hand, every state
 * must arrive over the socket (no recovery needed), and the phone user must hold exactly one
 * session per login: no orphans.
 */
class QrSoakTest {
  private static final int ROUNDS_PER_CLIENT =
      Integer.parseInt(System.getenv().getOrDefault("KINHUB_QR_SOAK_ROUNDS", "60"));
  private static final String PASSWORD = "soak phone password";
  private static Kinhub nodeA;
  private static Kinhub nodeB;
  private static Api a;
  private static Api b;
  private static String phone;

  @BeforeAll
  static void start() {
    Map<String, String> env = TestBackends.get().env(TestBackends.newPrefix());
    env.put("KINHUB_SESSIONS_PER_USER", "10000");
    nodeA = Kinhub.start(Config.from(env));
    nodeB = Kinhub.start(Config.from(env));
    a = Api.of(nodeA);
    b = Api.of(nodeB);
    phone = b.login(b.register(Api.newLogin(), PASSWORD), PASSWORD);
  }

  @AfterAll
  static void stop() {
    nodeA.close();
    nodeB.close();
  }

  private static int phoneSessions() {
    return b.get("/api/v1/me/sessions", phone).json().get("sessions").size();
  }

  /**
   * One login the way a browser does it, over the given client; returns the token and whether a
   * frame went missing.
   */
  private record Outcome(String token, boolean missedFrame) {}

  private interface Connector {
    QrFrames connect(String url) throws Exception;
  }

  private static Outcome login(Connector connector) throws Exception {
    JsonNode ticket = a.post("/api/v1/qr-logins", null, Map.of("device", "soak")).json();
    String id = ticket.get("id").asText();
    try (QrFrames browser = connector.connect(ticket.get("wsUrl").asText())) {
      assertThat(browser.awaitState("pending")).isTrue();
      assertThat(b.post("/api/v1/qr-logins/" + id + "/scan", phone, Map.of()).status())
          .isEqualTo(200);
      boolean missed = !browser.awaitState("scanned");
      assertThat(b.post("/api/v1/qr-logins/" + id + "/confirm", phone, Map.of()).status())
          .isEqualTo(200);
      missed |= !browser.awaitState("confirmed");
      Api.Response redeemed = a.redeemQr(id, ticket.get("secret").asText());
      assertThat(redeemed.status()).as(redeemed.text()).isEqualTo(201);
      missed |= !browser.awaitState("completed");
      return new Outcome(redeemed.json().get("token").asText(), missed);
    }
  }

  private static void soakJava(String kind, Connector connector) throws Exception {
    int before = phoneSessions();
    Set<String> tokens = new HashSet<>();
    int missed = 0;
    for (int i = 0; i < ROUNDS_PER_CLIENT; i++) {
      Outcome outcome = login(connector);
      tokens.add(outcome.token());
      missed += outcome.missedFrame() ? 1 : 0;
    }
    assertThat(tokens).as(kind + ": every login has its own token").hasSize(ROUNDS_PER_CLIENT);
    assertThat(missed)
        .as(kind + ": rounds where a state frame did not arrive over the socket")
        .isZero();
    assertLoggedInWithoutOrphans(tokens, before);
  }

  private static void assertLoggedInWithoutOrphans(Set<String> tokens, int sessionsBefore) {
    for (String token : tokens) {
      assertThat(a.get("/api/v1/me", token).status()).isEqualTo(200);
    }
    assertThat(phoneSessions())
        .as("sessions created = tokens handed out")
        .isEqualTo(sessionsBefore + tokens.size());
  }

  @Test
  void jdkWebSocketClient_losesNoLogin() throws Exception {
    soakJava("java.net.http", WsRecorder::connect);
  }

  @Test
  void jettyWebSocketClient_losesNoLogin() throws Exception {
    WebSocketClient client = new WebSocketClient();
    client.start();
    try {
      soakJava("jetty", url -> JettyRecorder.connect(client, url));
    } finally {
      client.stop();
    }
  }

  @Test
  void nodeBuiltInWebSocket_losesNoLogin() throws Exception {
    soakNode("builtin", "qr-soak.mjs", ExternalTools.playwright());
  }

  @Test
  void nodeWsPackage_losesNoLogin() throws Exception {
    soakNode("ws", "qr-soak.mjs", ExternalTools.nodeWs());
  }

  @Test
  void chromiumLoginPage_losesNoLogin() throws Exception {
    Path chromium = ExternalTools.chromium();
    soakNode(chromium.toString(), "qr-soak-chromium.mjs", ExternalTools.playwright());
  }

  /**
   * Runs one of the Node scripts (copied beside node_modules so its imports resolve) and checks its
   * report.
   */
  private static void soakNode(String clientArg, String scriptName, Path tools) throws Exception {
    int before = phoneSessions();
    Path script = tools.resolve("kinhub-" + scriptName);
    Files.copy(
        Path.of("src", "test", "browser", scriptName), script, StandardCopyOption.REPLACE_EXISTING);
    List<String> command = new ArrayList<>(List.of(ExternalTools.node().toString()));
    if (clientArg.equals("builtin")) {
      command.add(
          "--experimental-websocket"); // Node 20 hides it behind a flag; later versions ignore the
      // flag
    }
    command.addAll(
        List.of(
            script.toString(),
            clientArg,
            nodeA.baseUrl(),
            nodeB.baseUrl(),
            phone,
            Integer.toString(ROUNDS_PER_CLIENT)));
    Process node =
        new ProcessBuilder(command).directory(tools.toFile()).redirectErrorStream(true).start();
    String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(node.waitFor(300, TimeUnit.SECONDS)).isTrue();
    assertThat(node.exitValue()).as(output).isZero();
    String last = output.strip().lines().reduce((x, y) -> y).orElse("{}");
    System.out.println(clientArg + " report: " + last.replaceAll("\"tokens\":\\[[^\\]]*\\],", ""));
    JsonNode report = Json.MAPPER.readTree(last);
    assertThat(report.get("failures")).as(output).isEmpty();
    assertThat(report.get("missedFrames").asInt())
        .as("rounds where a state frame did not arrive over the socket")
        .isZero();
    Set<String> tokens = new HashSet<>();
    report.get("tokens").forEach(t -> tokens.add(t.asText()));
    assertThat(tokens).hasSize(ROUNDS_PER_CLIENT);
    assertLoggedInWithoutOrphans(tokens, before);
  }
}
