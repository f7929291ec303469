package io.kinhub.server.feed;

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
 * The incident "WebSocket connected, then silently closed behind a proxy": pings are what keep a
 * proxy from closing a quiet socket, so one socket that throws when pinged must not end the
 * keep-alive of every other live socket on the node.
 */
class LiveKeepAliveTest {

  @Test
  void socketsWhosePingThrows_doNotStopThePingsOfTheOtherLiveSockets() {
    Map<String, String> env = TestBackends.get().env(TestBackends.newPrefix());
    env.put("KINHUB_WS_IDLE_TIMEOUT", "1s"); // a ping every third of a second
    try (Kinhub node = Kinhub.start(Config.from(env))) {
      Api.User user = Api.of(node).newUser("Quiet reader");
      try (PingCountingClient client =
          PingCountingClient.connect(FeedAcrossNodesTest.liveUrl(node, user))) {
        await().atMost(Duration.ofSeconds(10)).until(() -> client.pings() >= 1);
        int before = client.pings();
        BrokenSockets broken = BrokenSockets.addTo(node.feed().keepAlive(), 4);

        // every round goes on past each broken socket, round after round
        await()
            .alias("pings of the real socket and of each broken one")
            .atMost(Duration.ofSeconds(10))
            .until(() -> client.pings() >= before + 4 && broken.fewestPings() >= 3);
        assertThat(client.closed()).isFalse();
      }
    }
  }
}
