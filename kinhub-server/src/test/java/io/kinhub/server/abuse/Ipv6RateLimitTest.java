package io.kinhub.server.abuse;

import static org.assertj.core.api.Assertions.assertThat;

import io.kinhub.server.app.Kinhub;
import io.kinhub.server.config.Config;
import io.kinhub.server.system.Api;
import io.kinhub.server.system.TestBackends;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Rate limits per IP over real HTTP on a node listening on {@code [::1]}: IPv6 clients are counted
 * per /64 (the block one subscriber gets), IPv4 clients (also when written IPv4-mapped) per
 * address.
 */
class Ipv6RateLimitTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  /**
   * A failed password login as a fresh login each time (so the lockout per login never steps in).
   */
  private static int postLogin(Kinhub node, String forwardedFor) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(node.baseUrl() + "/api/v1/sessions"))
            .header("Content-Type", "application/json")
            .header("X-Forwarded-For", forwardedFor)
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"login\":\"" + Api.newLogin() + "\",\"password\":\"x\"}"))
            .build();
    return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  @Test
  void ipv6Clients_shareABucketPerSlash64() throws Exception {
    Map<String, String> env = TestBackends.get().env(TestBackends.newPrefix());
    env.put("KINHUB_HTTP_HOST", "::1");
    env.put("KINHUB_TRUSTED_PROXIES", "::1/128");
    env.put("KINHUB_RATE_LIMIT_SESSIONS", "ip:2/1h");
    try (Kinhub node = Kinhub.start(Config.from(env))) {
      assertThat(postLogin(node, "2001:db8:1:2::a")).isNotEqualTo(429);
      assertThat(postLogin(node, "2001:db8:1:2:ffff::b")).isNotEqualTo(429);
      assertThat(postLogin(node, "2001:db8:1:2:1234:5678:9abc:def0"))
          .isEqualTo(429); // same /64, new address
      assertThat(postLogin(node, "2001:db8:1:3::a"))
          .isNotEqualTo(429); // the neighbouring /64 has its own

      assertThat(postLogin(node, "::ffff:198.51.100.1")).isNotEqualTo(429);
      assertThat(postLogin(node, "::ffff:198.51.100.1")).isNotEqualTo(429);
      assertThat(postLogin(node, "198.51.100.1")).isEqualTo(429); // the same IPv4 client
      assertThat(postLogin(node, "::ffff:198.51.100.2"))
          .isNotEqualTo(429); // IPv4 stays per address
    }
  }
}
