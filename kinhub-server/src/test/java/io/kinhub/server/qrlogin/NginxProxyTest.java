package io.kinhub.server.qrlogin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kinhub.server.app.Kinhub;
import io.kinhub.server.config.Config;
import io.kinhub.server.system.Api;
import io.kinhub.server.system.NginxFixture;
import io.kinhub.server.system.TestBackends;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The repository's nginx example (deploy/nginx/kinhub.conf) in front of two nodes, with a real
 * nginx: the QR flow works through it; the same file without {@code proxy_http_version 1.1} gets
 * the 426 explanation.
 */
class NginxProxyTest {
  private static final String PASSWORD = "proxied password";
  private static Kinhub nodeA;
  private static Kinhub nodeB;
  private static int proxyPort;

  @BeforeAll
  static void nodes() throws IOException {
    proxyPort = NginxFixture.freePort();
    // the deployment's public address is the proxy's: every URL Kinhub hands out points there,
    // whatever Host says
    Map<String, String> env = TestBackends.get().env(TestBackends.newPrefix());
    env.put("KINHUB_PUBLIC_URL", "http://127.0.0.1:" + proxyPort);
    env.put("KINHUB_TRUSTED_PROXIES", "127.0.0.1/32");
    nodeA = Kinhub.start(Config.from(env));
    nodeB = Kinhub.start(Config.from(env));
  }

  @AfterAll
  static void stop() {
    nodeA.close();
    nodeB.close();
  }

  /**
   * Starts nginx with the example config in front of both nodes, optionally without {@code
   * proxy_http_version 1.1}.
   */
  private static Process nginx(Path dir, boolean withHttp11, int[] portOut) throws IOException {
    String site = NginxFixture.exampleSite(proxyPort, nodeA.port(), nodeB.port());
    if (!withHttp11) {
      site = site.replaceAll("(?m)^\\s*proxy_http_version 1\\.1;", "");
    }
    portOut[0] = proxyPort;
    return NginxFixture.start(dir, proxyPort, site);
  }

  @Test
  void qrFlow_worksThroughNginx_withTheExampleConfig(@TempDir Path dir) throws Exception {
    int[] port = new int[1];
    Process nginx = nginx(dir, true, port);
    try {
      Api proxy = new Api("http://127.0.0.1:" + port[0]);
      JsonNode ticket =
          proxy.post("/api/v1/qr-logins", null, Map.of("device", "Browser behind nginx")).json();
      assertThat(ticket.get("wsUrl").asText()).startsWith("ws://127.0.0.1:" + port[0] + "/");
      WsRecorder browser = WsRecorder.connect(ticket.get("wsUrl").asText());
      assertThat(browser.next().get("state").asText()).isEqualTo("pending");
      String login = proxy.register(Api.newLogin(), PASSWORD);
      String phone = proxy.login(login, PASSWORD);

      String id = ticket.get("id").asText();
      assertThat(proxy.post("/api/v1/qr-logins/" + id + "/scan", phone, Map.of()).status())
          .isEqualTo(200);
      assertThat(browser.next().get("state").asText()).isEqualTo("scanned");
      assertThat(proxy.post("/api/v1/qr-logins/" + id + "/confirm", phone, Map.of()).status())
          .isEqualTo(200);
      assertThat(browser.next().get("state").asText()).isEqualTo("confirmed");
      Api.Response redeemed = proxy.redeemQr(id, ticket.get("secret").asText());
      assertThat(redeemed.status()).as(redeemed.text()).isEqualTo(201);
      assertThat(browser.next().get("state").asText()).isEqualTo("completed");
      assertThat(proxy.get("/api/v1/me", redeemed.json().get("token").asText()).status())
          .isEqualTo(200);
      assertThat(browser.closed.get(10, TimeUnit.SECONDS)).isEqualTo(1000);
    } finally {
      nginx.destroy();
      nginx.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void withoutProxyHttpVersion11_theClientGets426WithTheExplanation(@TempDir Path dir)
      throws Exception {
    int[] port = new int[1];
    Process nginx = nginx(dir, false, port);
    try {
      Api proxy = new Api("http://127.0.0.1:" + port[0]);
      JsonNode ticket =
          proxy
              .post("/api/v1/qr-logins", null, Map.of("device", "Browser behind a bad proxy"))
              .json();
      String path = ticket.get("wsUrl").asText().replaceFirst("^ws://[^/]+", "");
      try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port[0])) {
        socket.setSoTimeout(10_000);
        socket
            .getOutputStream()
            .write(
                ("GET "
                        + path
                        + " HTTP/1.1\r\nHost: 127.0.0.1:"
                        + port[0]
                        + "\r\nUpgrade: websocket\r\n"
                        + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
        // nginx keeps the client connection open: read until the problem body is complete
        StringBuilder response = new StringBuilder();
        byte[] buffer = new byte[4096];
        int n;
        while (!response.toString().contains("\r\n\r\n")
            || !response.toString().trim().endsWith("}")) {
          n = socket.getInputStream().read(buffer);
          if (n < 0) {
            break;
          }
          response.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
        }
        assertThat(response.toString())
            .startsWith("HTTP/1.1 426")
            .contains("upgrade_required")
            .contains("proxy_http_version 1.1");
      }
      // and a WebSocket client is refused loudly, not connected and silently closed
      Assertions.assertThatThrownBy(() -> WsRecorder.connect(ticket.get("wsUrl").asText()))
          .hasStackTraceContaining("426");
    } finally {
      nginx.destroy();
      nginx.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
