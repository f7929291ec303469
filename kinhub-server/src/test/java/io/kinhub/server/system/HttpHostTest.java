package io.kinhub.server.system;

import static org.assertj.core.api.Assertions.assertThat;

import io.kinhub.server.app.Kinhub;
import io.kinhub.server.config.Config;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** KINHUB_HTTP_HOST takes IPv4 and IPv6 literals; {@code ::} listens on both families. */
class HttpHostTest {

  private static Kinhub startOn(String host) {
    Map<String, String> env = TestBackends.get().env(TestBackends.newPrefix());
    env.put("KINHUB_HTTP_HOST", host);
    return Kinhub.start(Config.from(env));
  }

  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.1", "::1"})
  void listensOnTheGivenLiteral(String host) {
    try (Kinhub node = startOn(host)) {
      String literal = host.contains(":") ? "[" + host + "]" : host;
      assertThat(new Api("http://" + literal + ":" + node.port()).get("/health", null).status())
          .isEqualTo(200);
    }
  }

  @Test
  void doubleColon_isDualStack() {
    try (Kinhub node = startOn("::")) {
      assertThat(new Api("http://[::1]:" + node.port()).get("/health", null).status())
          .isEqualTo(200);
      assertThat(new Api("http://127.0.0.1:" + node.port()).get("/health", null).status())
          .isEqualTo(200);
    }
  }
}
