package io.kinhub.server.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.kinhub.server.app.Kinhub;
import io.kinhub.server.config.Config;
import io.kinhub.server.http.Json;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Collections;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code /metrics} is for the operator's scraper: served to loopback peers (not through a proxy) or
 * to holders of {@code KINHUB_METRICS_TOKEN}; everyone else gets problem+json and no figures. It
 * does not name the Redis address either.
 */
class MetricsAccessTest {
  private static final String TOKEN = "metrics-token-0123456789abcdef";

  private static Kinhub nodeOnAllAddresses(String token) {
    Map<String, String> env = TestBackends.get().env(TestBackends.newPrefix());
    env.put("KINHUB_HTTP_HOST", "0.0.0.0");
    if (token != null) {
      env.put("KINHUB_METRICS_TOKEN", token);
    }
    return Kinhub.start(Config.from(env));
  }

  /**
   * This machine's first non-loopback IPv4 address: requests to it come from it, so the peer is not
   * loopback.
   */
  private static String externalAddress() throws SocketException {
    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (nic.isUp() && !nic.isLoopback()) {
        for (InetAddress a : Collections.list(nic.getInetAddresses())) {
          if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
            return a.getHostAddress();
          }
        }
      }
    }
    throw new IllegalStateException("this test needs a non-loopback IPv4 address on the machine");
  }

  private static Api.Response get(String base, String authorization, String forwardedFor) {
    var b = HttpRequest.newBuilder(URI.create(base + "/metrics")).GET();
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    if (forwardedFor != null) {
      b.header("X-Forwarded-For", forwardedFor);
    }
    try {
      var r = HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
      JsonNode json;
      try {
        json = Json.MAPPER.readTree(r.body());
      } catch (IOException e) {
        json = MissingNode.getInstance();
      }
      return new Api.Response(r.statusCode(), r, json == null ? MissingNode.getInstance() : json);
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void assertRefused(Api.Response r, int status) {
    assertThat(r.status()).isEqualTo(status);
    assertThat(r.contentType()).startsWith("application/problem+json");
    assertThat(r.json().get("status").asInt()).isEqualTo(status);
    assertThat(r.text()).doesNotContain("http_server_requests").doesNotContain("jvm_");
  }

  @Test
  void metrics_refusedToNonLoopbackWithoutToken() throws Exception {
    try (Kinhub node = nodeOnAllAddresses(null)) {
      String external = "http://" + externalAddress() + ":" + node.port();
      assertRefused(get(external, null, null), 404);
      assertRefused(get(external, "Bearer " + TOKEN, null), 404);
      assertThat(get("http://127.0.0.1:" + node.port(), null, null).status()).isEqualTo(200);
    }
  }

  @Test
  void metrics_refusedThroughAProxyOnLoopback() {
    try (Kinhub node = TestBackends.get().startNode(TestBackends.newPrefix())) {
      assertRefused(get(node.baseUrl(), null, "203.0.113.9"), 404);
    }
  }

  @Test
  void metrics_servedWithTheToken_fromAnywhere_andRefusedWithAWrongOne() throws Exception {
    try (Kinhub node = nodeOnAllAddresses(TOKEN)) {
      String external = "http://" + externalAddress() + ":" + node.port();
      Api.Response ok = get(external, "Bearer " + TOKEN, null);
      assertThat(ok.status()).isEqualTo(200);
      assertThat(ok.text()).contains("jvm_memory_used_bytes");
      assertRefused(get(external, null, null), 401);
      assertRefused(get(external, "Bearer " + TOKEN + "x", null), 401);
      assertRefused(get(external, "Bearer " + TOKEN.substring(1), null), 401);
      assertRefused(get(external, "Basic " + TOKEN, null), 401);
      assertThat(get(external, null, null).header("WWW-Authenticate")).startsWith("Bearer");
      assertThat(get("http://127.0.0.1:" + node.port(), null, null).status()).isEqualTo(200);
    }
  }

  @Test
  void metrics_doNotNameTheRedisAddress() {
    try (Kinhub node = TestBackends.get().startNode(TestBackends.newPrefix())) {
      Api api = Api.of(node);
      api.get("/health", null);
      String redisPort = Integer.toString(URI.create(TestBackends.get().redisUrl()).getPort());
      String metrics = api.get("/metrics", null).text();
      assertThat(metrics).contains("lettuce_command_completion");
      assertThat(metrics).doesNotContain(":" + redisPort);
    }
  }

  @Test
  void metricsToken_mustBeLongAndPrintable() {
    Map<String, String> env = TestBackends.get().env(TestBackends.newPrefix());
    env.put("KINHUB_METRICS_TOKEN", "short");
    assertThatThrownBy(() -> Config.from(env)).hasMessageContaining("KINHUB_METRICS_TOKEN");
    env.put("KINHUB_METRICS_TOKEN", "long enough but has spaces in it");
    assertThatThrownBy(() -> Config.from(env)).hasMessageContaining("KINHUB_METRICS_TOKEN");
  }
}
