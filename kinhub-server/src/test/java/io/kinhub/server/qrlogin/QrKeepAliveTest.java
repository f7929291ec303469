package io.kinhub.server.qrlogin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kinhub.server.app.Kinhub;
import io.kinhub.server.config.Config;
import io.kinhub.server.system.Api;
import io.kinhub.server.system.BrokenSockets;
import io.kinhub.server.system.PingCountingClient;
import io.kinhub.server.system.TestBackends;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The incident "WebSocket connected, then silently closed behind a proxy", for the QR page: one QR
 * socket that throws when pinged must not end the keep-alive of every other QR socket on the node.
 */
class QrKeepAliveTest {

  @Test
  void socketsWhosePingThrows_doNotStopThePingsOfTheOtherQrSockets() {
    Map<String, String> env = TestBackends.get().env(TestBackends.newPrefix());
    env.put("KINHUB_WS_IDLE_TIMEOUT", "1s"); // a ping every third of a second
    try (Kinhub node = Kinhub.start(Config.from(env))) {
      Api.Response ticket =
          Api.of(node).post("/api/v1/qr-logins", null, Map.of("device", "Firefox on Linux"));
      assertThat(ticket.status()).as(ticket.text()).isEqualTo(201);
      try (PingCountingClient browser =
          PingCountingClient.connect(ticket.json().get("wsUrl").asText())) {
        await().atMost(Duration.ofSeconds(10)).until(() -> browser.pings() >= 1);
        int before = browser.pings();
        BrokenSockets broken = BrokenSockets.addTo(node.qr().keepAlive(), 4);

        // every round goes on past each broken socket, round after round
        await()
            .alias("pings of the real socket and of each broken one")
            .atMost(Duration.ofSeconds(10))
            .until(() -> browser.pings() >= before + 4 && broken.fewestPings() >= 3);
        assertThat(browser.closed()).isFalse();
      }
    }
  }
}
