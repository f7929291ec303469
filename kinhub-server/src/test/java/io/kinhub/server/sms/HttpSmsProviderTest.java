package io.kinhub.server.sms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.kinhub.server.app.Kinhub;
import io.kinhub.server.config.Config;
import io.kinhub.server.http.Json;
import io.kinhub.server.system.Api;
import io.kinhub.server.system.TestBackends;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The HTTP SMS provider against a real local HTTP server: keep-alive connections, bearer secret,
 * retries on 500.
 */
class HttpSmsProviderTest {

  @Test
  void fiftyMessages_arriveOverAtMostTwoConnections_andA500IsRetried() throws IOException {
    Set<String> connections = ConcurrentHashMap.newKeySet();
    Map<String, AtomicInteger> attemptsById = new ConcurrentHashMap<>();
    Map<String, String> phoneById = new ConcurrentHashMap<>();
    AtomicInteger badAuth = new AtomicInteger();
    HttpServer gateway =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    gateway.setExecutor(Executors.newFixedThreadPool(8));
    gateway.createContext(
        "/send",
        exchange -> {
          connections.add(exchange.getRemoteAddress().toString());
          JsonNode body = Json.MAPPER.readTree(exchange.getRequestBody().readAllBytes());
          if (!"Bearer s3cret".equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            badAuth.incrementAndGet();
          }
          String id = body.get("id").asText();
          int attempt =
              attemptsById.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
          phoneById.put(id, body.get("to").asText());
          // the gateway fails the first message's first attempt
          boolean fail = attempt == 1 && body.get("to").asText().endsWith("00");
          byte[] reply =
              (fail ? "{\"error\":\"busy\"}" : "{\"ok\":true}").getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(fail ? 500 : 200, reply.length);
          exchange.getResponseBody().write(reply);
          exchange.close();
        });
    gateway.start();
    Map<String, String> env = TestBackends.get().env(TestBackends.newPrefix());
    env.put("KINHUB_SMS_PROVIDER", "http");
    env.put("KINHUB_SMS_HTTP_URL", "http://127.0.0.1:" + gateway.getAddress().getPort() + "/send");
    env.put("KINHUB_SMS_HTTP_SECRET", "s3cret");
    env.put("KINHUB_JOB_RETRY_BASE", "100ms");
    env.put("KINHUB_DEV_ENDPOINTS", "true"); // even so, no outbox with another provider
    try (Kinhub node = Kinhub.start(Config.from(env))) {
      Api api = Api.of(node);
      for (int i = 0; i < 50; i++) {
        String phone = "+49151000001" + String.format("%02d", i);
        assertThat(
                api.post("/api/v1/sms-codes", null, Map.of("phone", phone, "purpose", "login"))
                    .status())
            .isEqualTo(202);
      }

      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  phoneById.size() == 50
                      && attemptsById.entrySet().stream()
                          .filter(e -> phoneById.get(e.getKey()).endsWith("00"))
                          .allMatch(e -> e.getValue().get() == 2));

      assertThat(connections).hasSizeLessThanOrEqualTo(2);
      assertThat(badAuth.get()).isZero();
      assertThat(attemptsById.values().stream().filter(n -> n.get() == 1).count()).isEqualTo(49);
      assertThat(api.get("/api/v1/dev/sms-outbox?phone=%2B4915100000100", null).status())
          .isEqualTo(404);
    } finally {
      gateway.stop(0);
    }
  }
}
