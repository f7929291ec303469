package io.kinhub.server.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kinhub.server.app.Kinhub;
import io.kinhub.server.backing.EmbeddedRedis;
import io.kinhub.server.config.Config;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.embedded.RedisExecProvider;

/**
 * A node configured with a {@code redis-sentinel://} URI finds the master through Sentinel and says
 * so on /health.
 */
class SentinelTest {

  @Test
  void sentinelUri_reachesTheMaster_andHealthNamesTheMaster(@TempDir Path dir) throws Exception {
    EmbeddedRedis master = EmbeddedRedis.start(dir.resolve("master"));
    int sentinelPort = EmbeddedRedis.freePort();
    Path conf = dir.resolve("sentinel.conf");
    Files.writeString(
        conf,
        "port "
            + sentinelPort
            + "\nbind 127.0.0.1\ndir "
            + dir
            + "\n"
            + "sentinel monitor kinhubmaster 127.0.0.1 "
            + master.port()
            + " 1\n"
            + "sentinel auth-pass kinhubmaster "
            + master.password()
            + "\n");
    Process sentinel =
        new ProcessBuilder(
                RedisExecProvider.defaultProvider().get().getAbsolutePath(),
                conf.toString(),
                "--sentinel")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("sentinel.log").toFile())
            .start();
    try {
      await().atMost(Duration.ofSeconds(20)).until(() -> listening(sentinelPort));
      Map<String, String> env = TestBackends.get().env(TestBackends.newPrefix());
      env.put(
          "KINHUB_REDIS_URL",
          "redis-sentinel://:"
              + master.password()
              + "@127.0.0.1:"
              + sentinelPort
              + "#kinhubmaster");
      try (Kinhub node = Kinhub.start(Config.from(env))) {
        Api api = Api.of(node);
        Api.Response health = api.get("/health", null);
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().get("redis").get("mode").asText()).isEqualTo("sentinel");
        assertThat(health.json().get("redis").get("endpoint").asText()).isEqualTo("kinhubmaster");
        String token =
            api.login(api.register(Api.newLogin(), "sentinel password"), "sentinel password");
        assertThat(api.get("/api/v1/me", token).status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(node::cacheTrusted);
      }
    } finally {
      sentinel.destroy();
      sentinel.waitFor(10, TimeUnit.SECONDS);
      master.close();
    }
  }

  private static boolean listening(int port) {
    try (Socket ignored = new Socket(InetAddress.getLoopbackAddress(), port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
