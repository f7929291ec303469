package io.kinhub.server.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Bad input for every endpoint — malformed JSON, wrong types, missing fields, over-long strings, invalid
 * UTF-8, bodies over 1 MiB, junk tokens — never gets a 5xx, and every error is problem+json with a code
 * and without internals.
 */
class BadInputPropertyTest {
  private static final String PASSWORD = "property-test-password";
  private static Kinhub node;
  private static Api api;
  private static String login;
  private static volatile String validToken;

  private record Endpoint(String method, String path, List<String> fields) {}

  private record Request(Endpoint endpoint, String contentType, byte[] body, String token) {
    @Override
    public String toString() {
      String shown = new String(body, 0, Math.min(body.length, 160), StandardCharsets.UTF_8);
      return endpoint.method + " " + endpoint.path + " [" + contentType + "] token=" + (token == null ? "none" : token.length())
          + " body(" + body.length + ")=" + shown;
    }
  }

  private static final List<Endpoint> ENDPOINTS = List.of(
      new Endpoint("POST", "/api/v1/accounts", List.of("login", "password", "displayName")),
      new Endpoint("POST", "/api/v1/sessions", List.of("login", "password", "device")),
      new Endpoint("GET", "/api/v1/me", List.of()),
      new Endpoint("GET", "/api/v1/me/sessions", List.of()),
      new Endpoint("PUT", "/api/v1/me/password", List.of("currentPassword", "newPassword")),
      new Endpoint("DELETE", "/api/v1/me/sessions/current", List.of()),
      new Endpoint("DELETE", "/api/v1/me/sessions/%C3%28%FF", List.of()),
      new Endpoint("DELETE", "/api/v1/me/sessions/AAAAAAAAAAAAAAAAAAAAAA", List.of()),
      new Endpoint("DELETE", "/api/v1/me/sessions/" + "x".repeat(300), List.of()),
      new Endpoint("DELETE", "/api/v1/me/sessions", List.of()),
      new Endpoint("POST", "/api/v1/me", List.of("x")),
      new Endpoint("POST", "/api/v1/sms-codes", List.of("phone", "purpose")),
      new Endpoint("POST", "/api/v1/sessions/sms", List.of("phone", "code", "device")),
      new Endpoint("GET", "/api/v1/dev/sms-outbox?phone=%2B49", List.of()),
      new Endpoint("GET", "/api/v1/dev/sms-outbox?phone=" + "9".repeat(500), List.of()),
      new Endpoint("GET", "/health", List.of()));

  private static synchronized void ensureNode() {
    if (node == null) {
      Map<String, String> env = TestBackends.get().env(TestBackends.newPrefix());
      env.put("KINHUB_DEV_ENDPOINTS", "true"); // so the outbox's own input checks are exercised too
      node = Kinhub.start(Config.from(env));
      api = Api.of(node);
      login = api.register(Api.newLogin(), PASSWORD);
    }
  }

  private static String liveToken() {
    String token = validToken;
    if (token == null || api.get("/api/v1/me", token).status() != 200) {
      token = api.login(login, PASSWORD);
      validToken = token;
    }
    return token;
  }

  @AfterContainer
  static void stop() {
    if (node != null) {
      node.close();
    }
  }

  @Property(tries = 400)
  void badInput_neverGets5xx_andErrorsAreProblemJson(@ForAll("requests") Request request) {
    ensureNode();
    String token = "VALID".equals(request.token()) ? liveToken() : request.token();
    Api.Response r = api.raw(request.endpoint().method(), request.endpoint().path(), token, request.contentType(), request.body());

    assertThat(r.status()).as(request.toString()).isLessThan(500);
    if (r.status() >= 400) {
      assertThat(r.contentType()).as(request.toString()).startsWith("application/problem+json");
      assertThat(r.json().get("code").asText()).as(request.toString()).matches("[a-z_]+");
      assertThat(r.json().get("status").asInt()).isEqualTo(r.status());
      assertThat(r.text()).doesNotContain("Exception").doesNotContain("at io.").doesNotContain("SQL").doesNotContain("ERR ");
    }
  }

  @Provide
  Arbitrary<Request> requests() {
    Arbitrary<Endpoint> endpoints = Arbitraries.of(ENDPOINTS);
    Arbitrary<String> contentTypes = Arbitraries.of("application/json", "application/json; charset=utf-8", "text/plain",
        "application/json; charset=latin1", "multipart/form-data", null);
    Arbitrary<String> tokens = Arbitraries.oneOf(
        Arbitraries.just(null),
        Arbitraries.just("VALID"),
        Arbitraries.strings().withCharRange((char) 0x21, (char) 0x7e).ofMinLength(1).ofMaxLength(100),
        Arbitraries.strings().withChars("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_").ofLength(43));
    return endpoints.flatMap(endpoint -> Combinators.combine(Arbitraries.just(endpoint), contentTypes, bodies(endpoint), tokens)
        .as(Request::new));
  }

  private static Arbitrary<byte[]> bodies(Endpoint endpoint) {
    Arbitrary<byte[]> randomBytes = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
    Arbitrary<byte[]> randomText = Arbitraries.strings().ofMaxLength(300).map(s -> s.getBytes(StandardCharsets.UTF_8));
    Arbitrary<byte[]> wrongTypes = fieldValues(endpoint);
    Arbitrary<byte[]> invalidUtf8 = Arbitraries.of(endpoint.fields().isEmpty() ? List.of("x") : endpoint.fields())
        .map(f -> concat("{\"" + f + "\":\"", new byte[] {(byte) 0xC3, (byte) 0x28, (byte) 0xFF}, "\"}"));
    Arbitrary<byte[]> malformed = Arbitraries.of(
        "{", "}", "[]", "null", "1", "\"text\"", "{\"login\":}", "{\"login\":\"a\",\"login\":\"b\"}", "{} trailing",
        "[".repeat(5000), "{\"a\":" + "[".repeat(3000) + "]".repeat(3000) + "}", "{'login':'single quotes'}", "",
        "{\"login\":\"a@b.io\",\"password\":\"x\" /* comment */}").map(s -> s.getBytes(StandardCharsets.UTF_8));
    Arbitrary<byte[]> huge = Arbitraries.of(1024 * 1024 + 1, 2 * 1024 * 1024)
        .map(n -> concat("{\"login\":\"", "a".repeat(n).getBytes(StandardCharsets.US_ASCII), "\"}"));
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(3, randomBytes), net.jqwik.api.Tuple.of(3, randomText), net.jqwik.api.Tuple.of(8, wrongTypes),
        net.jqwik.api.Tuple.of(2, invalidUtf8), net.jqwik.api.Tuple.of(3, malformed), net.jqwik.api.Tuple.of(1, huge));
  }

  /** JSON objects whose fields are of the wrong type, too long, missing or odd. */
  private static Arbitrary<byte[]> fieldValues(Endpoint endpoint) {
    List<String> fields = endpoint.fields().isEmpty() ? List.of("x") : endpoint.fields();
    Arbitrary<Object> value = Arbitraries.oneOf(
        Arbitraries.integers().map(i -> (Object) i),
        Arbitraries.just(List.of(1, 2)),
        Arbitraries.just(Map.of("nested", "object")),
        Arbitraries.just(true),
        Arbitraries.just("null-literal"),
        Arbitraries.strings().ofMaxLength(20).map(s -> (Object) s),
        Arbitraries.integers().between(100, 20_000).map(n -> (Object) "x".repeat(n)),
        Arbitraries.just("a\u0000b"),
        Arbitraries.just("\ud800 lone surrogate"),
        Arbitraries.just("+491512345678"),
        Arbitraries.just("someone@example.org"),
        Arbitraries.just("current"),
        Arbitraries.just("login"),
        Arbitraries.just("123456"));
    return Arbitraries.subsetOf(fields).flatMap(chosen -> {
      List<String> keys = new ArrayList<>(chosen);
      return value.list().ofSize(keys.size()).map(values -> {
        StringBuilder json = new StringBuilder("{");
        for (int i = 0; i < keys.size(); i++) {
          if (i > 0) {
            json.append(',');
          }
          json.append('"').append(keys.get(i)).append("\":").append(encode(values.get(i)));
        }
        return json.append('}').toString().getBytes(StandardCharsets.UTF_8);
      });
    });
  }

  private static String encode(Object value) {
    if ("null-literal".equals(value)) {
      return "null";
    }
    if ("\ud800 lone surrogate".equals(value)) {
      return "\"\\ud800 lone surrogate\"";
    }
    try {
      return Json.MAPPER.writeValueAsString(value);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] concat(String head, byte[] middle, String tail) {
    byte[] h = head.getBytes(StandardCharsets.UTF_8);
    byte[] t = tail.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[h.length + middle.length + t.length];
    System.arraycopy(h, 0, out, 0, h.length);
    System.arraycopy(middle, 0, out, h.length, middle.length);
    System.arraycopy(t, 0, out, h.length + middle.length, t.length);
    return out;
  }
}
