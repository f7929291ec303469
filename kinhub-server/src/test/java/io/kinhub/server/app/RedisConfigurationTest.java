package io.kinhub.server.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.kinhub.server.backing.EmbeddedRedis;
import io.kinhub.server.backing.RedisChecks;
import io.kinhub.server.config.Config;
import io.kinhub.server.system.TestBackends;
import io.lettuce.core.AclSetuserArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.protocol.CommandType;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

/**
 * Configuration safety of KINHUB_REDIS_URL: a database number is refused (Lettuce would SELECT it,
 * and a node with {@code /3} next to one without would see other data than its peers), and risky
 * server settings are warned about.
 */
class RedisConfigurationTest {

  private static Config config(String redisUrl) {
    Map<String, String> env = new HashMap<>(TestBackends.get().env(TestBackends.newPrefix()));
    env.put("KINHUB_REDIS_URL", redisUrl);
    return Config.from(env);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "redis://127.0.0.1:6379/3",
        "redis://:secret@127.0.0.1:6379/3",
        "rediss://cache.example.org:6380/3",
        "redis://127.0.0.1:6379?database=3",
        "redis://127.0.0.1:6379?db=3",
        "redis-sentinel://127.0.0.1:26379,127.0.0.1:26380/3#mymaster",
        "redis-sentinel://127.0.0.1:26379?database=3#mymaster"
      })
  void aDatabaseNumber_refusesStartUp_sayingKinhubUsesAPrefixNotSelect(String url) {
    assertThatThrownBy(() -> config(url))
        .isInstanceOf(Config.InvalidConfigException.class)
        .hasMessageContaining("KINHUB_REDIS_URL")
        .hasMessageContaining("database 3")
        .hasMessageContaining("never uses SELECT")
        .hasMessageContaining("KINHUB_REDIS_PREFIX")
        .hasMessageNotContaining("secret");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "redis://127.0.0.1:6379/0",
        "redis://127.0.0.1:6379",
        "rediss://cache.example.org:6380/",
        "redis-sentinel://127.0.0.1:26379#mymaster"
      })
  void databaseZeroOrNone_isAccepted(String url) {
    assertThat(config(url).redis().url()).contains(url);
  }

  @Test
  void theServeCommand_exitsWith2_onADatabaseNumber() {
    Map<String, String> before = Main.environment;
    try {
      Main.environment = Map.of("KINHUB_REDIS_URL", "redis://127.0.0.1:6379/3");
      assertThat(new picocli.CommandLine(new Main()).execute("serve")).isEqualTo(2);
    } finally {
      Main.environment = before;
    }
  }

  @Test
  void riskyRedisSettings_areWarnedAboutAtStartUp(@TempDir Path dir) {
    try (EmbeddedRedis redis = EmbeddedRedis.start(dir.resolve("redis"));
        RedisClient client = RedisClient.create(redis.url());
        StatefulRedisConnection<String, String> c = client.connect()) {
      c.sync()
          .configSet(
              Map.of(
                  "tcp-keepalive",
                  "0",
                  "maxmemory-policy",
                  "volatile-lru",
                  "save",
                  "",
                  "appendonly",
                  "no"));
      List<String> warnings = startAndCollectWarnings(redis.url());
      assertThat(warnings).anySatisfy(w -> assertThat(w).contains("tcp-keepalive 0"));
      assertThat(warnings)
          .anySatisfy(w -> assertThat(w).contains("maxmemory-policy volatile-lru").contains("TTL"));
      assertThat(warnings).anySatisfy(w -> assertThat(w).contains("no persistence"));

      c.sync()
          .configSet(
              Map.of("tcp-keepalive", "60", "maxmemory-policy", "noeviction", "appendonly", "yes"));
      assertThat(startAndCollectWarnings(redis.url())).isEmpty();

      // a managed Redis that does not allow CONFIG: one warning that the settings could not be
      // checked
      c.sync()
          .aclSetuser(
              "kinhub",
              AclSetuserArgs.Builder.on()
                  .addPassword("kinhub-password-1")
                  .allKeys()
                  .allChannels()
                  .allCommands()
                  .removeCommand(CommandType.CONFIG));
      String limited = "redis://kinhub:kinhub-password-1@127.0.0.1:" + redis.port();
      assertThat(startAndCollectWarnings(limited))
          .singleElement()
          .asString()
          .contains("could not check");
    }
  }

  private static List<String> startAndCollectWarnings(String redisUrl) {
    Logger logger = (Logger) LoggerFactory.getLogger(RedisChecks.class);
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    logger.addAppender(appender);
    try (Kinhub ignored = Kinhub.start(config(redisUrl))) {
      return appender.list.stream()
          .filter(e -> e.getLevel() == Level.WARN)
          .map(ILoggingEvent::getFormattedMessage)
          .toList();
    } finally {
      logger.detachAppender(appender);
    }
  }
}
