package io.kinhub.server.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kinhub.server.config.Config;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Redis Cluster URIs and the replication-wait settings are validated at start-up, naming the
 * variable.
 */
class RedisUrlConfigTest {

  private static Config config(String... pairs) {
    Map<String, String> env = new HashMap<>();
    env.put("KINHUB_NODE_ID", "config-test");
    for (int i = 0; i < pairs.length; i += 2) {
      env.put(pairs[i], pairs[i + 1]);
    }
    return Config.from(env);
  }

  @Test
  void clusterUri_isAccepted_withSeveralSeedsAndAPassword() {
    assertThat(
            config(
                    "KINHUB_REDIS_URL",
                    "redis-cluster://:secret@10.0.0.1:6379,10.0.0.2:6380,[::1]:6381")
                .redis()
                .url())
        .contains("redis-cluster://:secret@10.0.0.1:6379,10.0.0.2:6380,[::1]:6381");
    assertThat(
            config("KINHUB_REDIS_URL", "rediss-cluster://user:secret@redis.example.org:6379")
                .redis()
                .url())
        .isPresent();
  }

  @Test
  void malformedClusterUri_stopsStartUp_namingTheVariable_withoutThePassword() {
    for (String bad :
        new String[] {
          "redis-cluster://",
          "redis-cluster://:pw@h:99999",
          "redis-cluster://:pw@h:6379/3",
          "redis-cluster://:pw@h:x",
          "redis-cluster://:pw@[::1:6379"
        }) {
      assertThatThrownBy(() -> config("KINHUB_REDIS_URL", bad))
          .as(bad)
          .isInstanceOf(Config.InvalidConfigException.class)
          .hasMessageContaining("KINHUB_REDIS_URL")
          .hasMessageNotContaining(":pw@");
    }
  }

  @Test
  void waitReplicas_defaultsToAuto_andTakesANumber_orStopsStartUp() {
    Config defaults = config();
    assertThat(defaults.redis().waitReplicas()).isEqualTo(-1);
    assertThat(defaults.redis().waitTimeout()).isEqualTo(Duration.ofMillis(100));
    assertThat(config("KINHUB_REDIS_WAIT_REPLICAS", "2").redis().waitReplicas()).isEqualTo(2);
    assertThat(config("KINHUB_REDIS_WAIT_REPLICAS", "0").redis().waitReplicas()).isZero();
    assertThatThrownBy(() -> config("KINHUB_REDIS_WAIT_REPLICAS", "many"))
        .hasMessageContaining("KINHUB_REDIS_WAIT_REPLICAS");
    assertThatThrownBy(() -> config("KINHUB_REDIS_WAIT_REPLICAS", "-2"))
        .hasMessageContaining("KINHUB_REDIS_WAIT_REPLICAS");
    assertThatThrownBy(() -> config("KINHUB_REDIS_WAIT_TIMEOUT", "1s"))
        .hasMessageContaining("KINHUB_REDIS_WAIT_TIMEOUT");
    assertThat(
            config("KINHUB_REDIS_WAIT_TIMEOUT", "2s", "KINHUB_REDIS_TIMEOUT", "3s")
                .redis()
                .waitTimeout())
        .isEqualTo(Duration.ofSeconds(2));
  }
}
