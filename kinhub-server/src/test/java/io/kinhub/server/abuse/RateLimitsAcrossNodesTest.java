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
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Rate limits through real HTTP on real nodes sharing one Redis. */
class RateLimitsAcrossNodesTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static Kinhub node(String prefix, Consumer<Map<String, String>> tweak) {
    return node(prefix, tweak, Clock.systemUTC());
  }

  private static Kinhub node(String prefix, Consumer<Map<String, String>> tweak, Clock clock) {
    Map<String, String> env = TestBackends.get().env(prefix);
    tweak.accept(env);
    return Kinhub.start(Config.from(env), clock);
  }

  private static int postLogin(Kinhub node, String login, String forwardedFor) {
    try {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create(node.baseUrl() + "/api/v1/sessions"))
              .header("Content-Type", "application/json")
              .POST(
                  HttpRequest.BodyPublishers.ofString(
                      "{\"login\":\"" + login + "\",\"password\":\"x\"}"));
      if (forwardedFor != null) {
        b.header("X-Forwarded-For", forwardedFor);
      }
      return HTTP.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void thirtyTwoClientsOnTwoNodes_getNoMoreThanCapacityPlusRefill() throws Exception {
    String prefix = TestBackends.newPrefix();
    Consumer<Map<String, String>> policy = env -> env.put("KINHUB_RATE_LIMIT_SESSIONS", "ip:20/2s");
    try (Kinhub a = node(prefix, policy);
        Kinhub b = node(prefix, policy)) {
      AtomicLong granted = new AtomicLong();
      AtomicLong refused = new AtomicLong();
      long runNanos = Duration.ofSeconds(3).toNanos();
      long start = System.nanoTime();
      List<Future<?>> clients = new ArrayList<>();
      try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
        for (int i = 0; i < 32; i++) {
          Kinhub target = i % 2 == 0 ? a : b;
          clients.add(
              pool.submit(
                  () -> {
                    while (System.nanoTime() - start < runNanos) {
                      // a malformed login: the limiter decides, then the route answers 400 without
                      // hashing anything
                      int status = postLogin(target, "not-a-login", null);
                      (status == 429 ? refused : granted).incrementAndGet();
                    }
                  }));
        }
        for (Future<?> c : clients) {
          c.get();
        }
      }
      double elapsed = (System.nanoTime() - start) / 1e9;

      assertThat(refused.get()).isPositive();
      assertThat((double) granted.get()).isLessThanOrEqualTo(20 + 10 * elapsed + 1);
      assertThat((double) granted.get()).isGreaterThanOrEqualTo(0.8 * (20 + 10 * (elapsed - 0.5)));
    }
  }

  @Test
  void responsesCarryIetfHeaders_and429HasRetryAfterRoundedUp() {
    try (Kinhub a =
        node(
            TestBackends.newPrefix(),
            env -> env.put("KINHUB_RATE_LIMIT_SESSIONS", "ip:1/60s,login:5/1h"))) {
      Api api = Api.of(a);
      Api.Response ok =
          api.post(
              "/api/v1/sessions",
              null,
              Map.of("login", "nobody@example.org", "password", "wrong password"));
      Api.Response limited =
          api.post(
              "/api/v1/sessions",
              null,
              Map.of("login", "nobody@example.org", "password", "wrong password"));

      assertThat(ok.status()).isEqualTo(401);
      assertThat(ok.header("RateLimit-Policy"))
          .isEqualTo("\"sessions-ip-60s\";q=1;w=60, \"sessions-login-3600s\";q=5;w=3600");
      assertThat(ok.header("RateLimit"))
          .matches("\"sessions-ip-60s\";r=0;t=(59|60), \"sessions-login-3600s\";r=4;t=7(19|20)");
      assertThat(limited.status()).isEqualTo(429);
      assertThat(limited.json().get("code").asText()).isEqualTo("rate_limited");
      assertThat(limited.contentType()).startsWith("application/problem+json");
      assertThat(limited.header("Retry-After")).isEqualTo("60");
      assertThat(limited.header("RateLimit-Policy")).isNotBlank();
      assertThat(limited.header("RateLimit")).startsWith("\"sessions-ip-60s\";r=0;t=");
    }
  }

  @Test
  void refusedByTheLoginBucket_doesNotSpendTheIpBucket() {
    try (Kinhub a =
        node(
            TestBackends.newPrefix(),
            env -> env.put("KINHUB_RATE_LIMIT_SESSIONS", "ip:3/1h,login:2/1h"))) {
      assertThat(postLogin(a, "x@example.org", null)).isNotEqualTo(429);
      assertThat(postLogin(a, "x@example.org", null)).isNotEqualTo(429);
      assertThat(postLogin(a, "x@example.org", null))
          .isEqualTo(429); // login bucket empty; IP keeps its last token
      assertThat(postLogin(a, "y@example.org", null)).isNotEqualTo(429);
      assertThat(postLogin(a, "z@example.org", null)).isEqualTo(429); // now the IP bucket is empty
    }
  }

  @Test
  void forwardedFor_isIgnoredFromUntrustedPeers_andHonouredFromTrustedProxies() {
    try (Kinhub direct =
            node(
                TestBackends.newPrefix(), env -> env.put("KINHUB_RATE_LIMIT_SESSIONS", "ip:2/1h"));
        Kinhub proxied =
            node(
                TestBackends.newPrefix(),
                env -> {
                  env.put("KINHUB_RATE_LIMIT_SESSIONS", "ip:2/1h");
                  env.put("KINHUB_TRUSTED_PROXIES", "127.0.0.1/32,::1/128");
                })) {
      // spoofing a new address per request does not escape the limit of an untrusted peer
      assertThat(postLogin(direct, "a@example.org", "198.51.100.1")).isNotEqualTo(429);
      assertThat(postLogin(direct, "a@example.org", "198.51.100.2")).isNotEqualTo(429);
      assertThat(postLogin(direct, "a@example.org", "198.51.100.3")).isEqualTo(429);
      // behind a trusted proxy each client address has its own bucket
      assertThat(postLogin(proxied, "a@example.org", "198.51.100.1")).isNotEqualTo(429);
      assertThat(postLogin(proxied, "a@example.org", "198.51.100.1")).isNotEqualTo(429);
      assertThat(postLogin(proxied, "a@example.org", "198.51.100.1")).isEqualTo(429);
      assertThat(postLogin(proxied, "a@example.org", "198.51.100.2")).isNotEqualTo(429);
    }
  }

  @Test
  void nodeWithASkewedClock_makesTheSameDecisions() {
    String prefix = TestBackends.newPrefix();
    Consumer<Map<String, String>> policy = env -> env.put("KINHUB_RATE_LIMIT_SESSIONS", "ip:2/1h");
    Clock twoHoursAhead = Clock.offset(Clock.systemUTC(), Duration.ofHours(2));
    try (Kinhub honest = node(prefix, policy);
        Kinhub skewed = node(prefix, policy, twoHoursAhead)) {
      assertThat(postLogin(honest, "a@example.org", null)).isNotEqualTo(429);
      assertThat(postLogin(honest, "a@example.org", null)).isNotEqualTo(429);
      // a limiter on the node's clock would see the bucket refilled two hours later
      assertThat(postLogin(skewed, "a@example.org", null)).isEqualTo(429);
      assertThat(postLogin(honest, "a@example.org", null)).isEqualTo(429);
    }
  }
}
