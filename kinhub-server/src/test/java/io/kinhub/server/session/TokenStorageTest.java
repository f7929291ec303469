package io.kinhub.server.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.kinhub.server.app.Kinhub;
import io.kinhub.server.system.Api;
import io.kinhub.server.system.TestBackends;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The raw token is never stored in Redis: not in a key, not in a value, not in any encoding of it.
 */
class TokenStorageTest {

  @Test
  void rawToken_neverAppearsInRedis_onlyItsSha256() {
    String prefix = TestBackends.newPrefix();
    try (Kinhub node = TestBackends.get().startNode(prefix);
        StatefulRedisConnection<String, String> redis = TestBackends.get().connectRedis()) {
      Api api = Api.of(node);
      String login = api.register(Api.newLogin(), "a long enough password");
      List<String> tokens = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        tokens.add(api.login(login, "a long enough password"));
      }
      String changed =
          api.put(
                  "/api/v1/me/password",
                  tokens.get(0),
                  Map.of(
                      "currentPassword",
                      "a long enough password",
                      "newPassword",
                      "another long password"))
              .json()
              .get("token")
              .asText();
      tokens.add(changed);
      api.get("/api/v1/me", changed);
      api.get("/api/v1/me/sessions", changed);

      String everything = dump(redis.sync(), prefix);

      assertThat(everything).contains(Tokens.hash(changed));
      for (String token : tokens) {
        byte[] raw = Base64.getUrlDecoder().decode(token);
        assertThat(everything)
            .doesNotContain(token)
            .doesNotContain(HexFormat.of().formatHex(raw))
            .doesNotContain(Base64.getEncoder().withoutPadding().encodeToString(raw));
      }
    }
  }

  private static String dump(RedisCommands<String, String> redis, String prefix) {
    StringBuilder out = new StringBuilder();
    ScanCursor cursor = ScanCursor.INITIAL;
    do {
      KeyScanCursor<String> page =
          redis.scan(cursor, ScanArgs.Builder.matches(prefix + "*").limit(500));
      for (String key : page.getKeys()) {
        out.append(key).append('\n');
        switch (redis.type(key)) {
          case "string" -> out.append(redis.get(key));
          case "hash" -> out.append(redis.hgetall(key));
          case "zset" -> out.append(redis.zrange(key, 0, -1));
          case "set" -> out.append(redis.smembers(key));
          case "list" -> out.append(redis.lrange(key, 0, -1));
          default -> out.append("?");
        }
        out.append('\n');
      }
      cursor = page;
    } while (!cursor.isFinished());
    return out.toString();
  }
}
