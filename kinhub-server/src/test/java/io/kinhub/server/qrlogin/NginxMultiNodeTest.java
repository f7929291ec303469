package io.kinhub.server.qrlogin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kinhub.server.app.Kinhub;
import io.kinhub.server.config.Config;
import io.kinhub.server.system.Api;
import io.kinhub.server.system.NginxFixture;
import io.kinhub.server.system.TestBackends;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The nginx example (deploy/nginx/kinhub.conf) with a real nginx in front of two nodes: one node
 * stops (drains) while clients keep going, and nothing reaches them but answers from the other
 * node; a QR login started before the stop completes after it.
 */
class NginxMultiNodeTest {
  private static final String PASSWORD = "multi node password";

  @Test
  void oneOfTwoNodesStops_trafficContinuesThroughTheOther_andAQrLoginCompletes(@TempDir Path dir)
      throws Exception {
    int proxyPort = NginxFixture.freePort();
    Map<String, String> env = TestBackends.get().env(TestBackends.newPrefix());
    env.put("KINHUB_PUBLIC_URL", "http://127.0.0.1:" + proxyPort);
    env.put("KINHUB_TRUSTED_PROXIES", "127.0.0.1/32");
    env.put("KINHUB_DRAIN_TIMEOUT", "5s");
    env.put("KINHUB_REDIS_TIMEOUT", "5s"); // a busy CI machine; nothing here measures Redis
    Kinhub nodeA = Kinhub.start(Config.from(env));
    env.put("KINHUB_NODE_ID", env.get("KINHUB_NODE_ID") + "-b");
    Kinhub nodeB = Kinhub.start(Config.from(env));
    String site = NginxFixture.exampleSite(proxyPort, nodeA.port(), nodeB.port());
    assertThat(site)
        .contains(
            "max_fails=",
            "fail_timeout=",
            "proxy_next_upstream error timeout http_502 http_503 http_504");
    Process nginx = NginxFixture.start(dir, proxyPort, site);
    try {
      Api proxy = new Api("http://127.0.0.1:" + proxyPort);
      String login = proxy.register(Api.newLogin(), PASSWORD);
      String phone = proxy.login(login, PASSWORD);
      JsonNode ticket =
          proxy.post("/api/v1/qr-logins", null, Map.of("device", "Browser behind nginx")).json();
      WsRecorder browser = WsRecorder.connect(ticket.get("wsUrl").asText());
      assertThat(browser.next().get("state").asText()).isEqualTo("pending");

      // node A stops while a client keeps reading through the proxy
      CompletableFuture<Void> stopping = CompletableFuture.runAsync(nodeA::close);
      List<Integer> statuses = new ArrayList<>();
      while (!stopping.isDone()) {
        statuses.add(proxy.get("/api/v1/me", phone).status());
      }
      stopping.get(30, TimeUnit.SECONDS);
      for (int i = 0; i < 20; i++) {
        statuses.add(proxy.get("/api/v1/me", phone).status());
        // a POST too: the stopped node refuses the connection, so nginx sends it to the other node
        statuses.add(proxy.post("/api/v1/qr-logins", null, Map.of()).status());
      }
      assertThat(statuses)
          .as(() -> read(dir.resolve("logs/error.log")))
          .allMatch(s -> s == 200 || s == 201);

      // the QR page: if its socket was on A it was told to reconnect (1012) and does, through the
      // proxy, to B
      if (browser.closed().isDone()) {
        assertThat(browser.closed().get()).isEqualTo(1012);
        browser = WsRecorder.connect(ticket.get("wsUrl").asText());
        assertThat(browser.next().get("state").asText()).isEqualTo("pending");
      }
      String id = ticket.get("id").asText();
      assertThat(proxy.post("/api/v1/qr-logins/" + id + "/scan", phone, Map.of()).status())
          .isEqualTo(200);
      assertThat(browser.next().get("state").asText()).isEqualTo("scanned");
      assertThat(proxy.post("/api/v1/qr-logins/" + id + "/confirm", phone, Map.of()).status())
          .isEqualTo(200);
      assertThat(browser.next().get("state").asText()).isEqualTo("confirmed");
      Api.Response redeemed = proxy.redeemQr(id, ticket.get("secret").asText());
      assertThat(redeemed.status()).as(redeemed.text()).isEqualTo(201);
      assertThat(proxy.get("/api/v1/me", redeemed.json().get("token").asText()).status())
          .isEqualTo(200);
    } finally {
      nginx.destroy();
      nginx.waitFor(10, TimeUnit.SECONDS);
      nodeA.close();
      nodeB.close();
    }
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      return e.toString();
    }
  }
}
