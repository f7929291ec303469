package io.kinhub.server.system;

import static org.assertj.core.api.Assertions.assertThat;

import io.kinhub.server.app.Kinhub;
import io.kinhub.server.config.Config;
import io.kinhub.server.http.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Bad input for every endpoint — malformed JSON, wrong types, missing fields, over-long strings,
 * invalid UTF-8, bodies over 1 MiB, junk tokens — never gets a 5xx, and every error is problem+json
 * with a code and without internals. Odd paths ({@code %00}, {@code %2e%2e}, bad percent-encoding,
 * overlong) and odd headers against every route of the OpenAPI description, sent over a raw socket,
 * get an answer within 5 s, never a 5xx, and problem+json for every error.
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
      return endpoint.method
          + " "
          + endpoint.path
          + " ["
          + contentType
          + "] token="
          + (token == null ? "none" : token.length())
          + " body("
          + body.length
          + ")="
          + shown;
    }
  }

  private static final List<Endpoint> ENDPOINTS =
      List.of(
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
    Api.Response r =
        api.raw(
            request.endpoint().method(),
            request.endpoint().path(),
            token,
            request.contentType(),
            request.body());

    assertThat(r.status()).as(request.toString()).isLessThan(500);
    if (r.status() >= 400) {
      assertThat(r.contentType()).as(request.toString()).startsWith("application/problem+json");
      assertThat(r.json().get("code").asText()).as(request.toString()).matches("[a-z_]+");
      assertThat(r.json().get("status").asInt()).isEqualTo(r.status());
      assertThat(r.text())
          .doesNotContain("Exception")
          .doesNotContain("at io.")
          .doesNotContain("SQL")
          .doesNotContain("ERR ");
    }
  }

  private record RawRequest(String method, String target, List<String> headers, byte[] body) {
    byte[] bytes() {
      StringBuilder head =
          new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n");
      head.append("Host: 127.0.0.1\r\n");
      headers.forEach(h -> head.append(h).append("\r\n"));
      if (body.length > 0) {
        head.append("Content-Type: application/json\r\nContent-Length: ")
            .append(body.length)
            .append("\r\n");
      }
      head.append("Connection: close\r\n\r\n");
      byte[] h = head.toString().getBytes(StandardCharsets.ISO_8859_1);
      byte[] out = Arrays.copyOf(h, h.length + body.length);
      System.arraycopy(body, 0, out, h.length, body.length);
      return out;
    }

    @Override
    public String toString() {
      String shownTarget =
          target.length() > 200 ? target.substring(0, 200) + "…(" + target.length() + ")" : target;
      List<String> shownHeaders =
          headers.stream()
              .map(h -> h.length() > 120 ? h.substring(0, 120) + "…(" + h.length() + ")" : h)
              .toList();
      return method + " " + shownTarget + " " + shownHeaders + " body(" + body.length + ")";
    }
  }

  /** Every operation of the OpenAPI description as "METHOD /path/{param}". */
  private static List<String> everyRoute() {
    try (var in = BadInputPropertyTest.class.getResourceAsStream("/openapi.json")) {
      var paths = Json.MAPPER.readTree(in).get("paths");
      List<String> routes = new ArrayList<>();
      paths
          .fieldNames()
          .forEachRemaining(
              path ->
                  paths
                      .get(path)
                      .fieldNames()
                      .forEachRemaining(
                          method -> {
                            if (List.of("get", "post", "put", "patch", "delete").contains(method)) {
                              routes.add(method.toUpperCase(Locale.ROOT) + " " + path);
                            }
                          }));
      return routes;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Property(tries = 400)
  void oddPathsAndHeaders_neverGet5xxOrHang(@ForAll("rawRequests") RawRequest request)
      throws Exception {
    ensureNode();
    RawHttp.Answer answer = RawHttp.exchange("127.0.0.1", node.port(), request.bytes(), 5_000);

    assertThat(answer.timedOut()).as("no answer within 5 s: " + request).isFalse();
    assertThat(answer.status())
        .as("no HTTP answer: " + request + " got " + answer.body())
        .isPositive();
    assertThat(answer.status()).as(request.toString()).isLessThan(500);
    if (answer.status() >= 400 && !request.method().equals("HEAD")) {
      assertThat(answer.header("Content-Type"))
          .as(request.toString())
          .startsWith("application/problem+json");
      var json = Json.MAPPER.readTree(answer.body());
      assertThat(json.get("code").asText()).as(request.toString()).matches("[a-z_]+");
      assertThat(json.get("status").asInt()).as(request.toString()).isEqualTo(answer.status());
      assertThat(answer.body())
          .doesNotContain("Exception")
          .doesNotContain("at io.")
          .doesNotContain("SQL");
    }
  }

  @Provide
  Arbitrary<RawRequest> rawRequests() {
    Arbitrary<String> routes = Arbitraries.of(everyRoute());
    Arbitrary<String> oddSegment =
        Arbitraries.oneOf(
            Arbitraries.of(
                "%00",
                "a%00b",
                "%2e%2e",
                "%2E%2e",
                "..",
                ".",
                "%2e",
                "%2f",
                "a%2fb",
                "%5c",
                "%zz",
                "%",
                "%4",
                "%C3%28",
                "%FF%FE",
                "%E2%82",
                "%u0041",
                "%252e%252e",
                "x;y=1",
                ";",
                "~",
                "%20",
                "+",
                "%0d%0a",
                "%09",
                "%7f",
                "AAAAAAAAAAAAAAAAAAAAAA",
                "1",
                "-1",
                "99999999999999999999999",
                "0x10",
                "%F0%9F%91%AA",
                "{id}",
                "*"),
            Arbitraries.integers().between(100, 12_000).map("a"::repeat));
    Arbitrary<String> oddQuery =
        Arbitraries.of(
            "",
            "",
            "",
            "?",
            "?%zz",
            "?a=%00",
            "?waitSeconds=%2e",
            "?waitSeconds=99999999999",
            "?phone=%2B%00",
            "?known=%FF",
            "?cascade=maybe",
            "?a=1&a=2&a",
            "?" + "q".repeat(9_000));
    Arbitrary<String> oddWrap =
        Arbitraries.of(
            "",
            "",
            "",
            "/%00",
            "/%2e%2e",
            "/..",
            "//",
            "/./",
            "/%2e%2e/%2e%2e/etc/passwd",
            ";jsessionid=x");
    Arbitrary<String> targets =
        Combinators.combine(
                routes, oddSegment, oddQuery, oddWrap, Arbitraries.integers().between(0, 3))
            .as(
                (route, segment, query, wrap, where) -> {
                  String path =
                      route
                          .substring(route.indexOf(' ') + 1)
                          .replaceAll("\\{[^}]+}", Matcher.quoteReplacement(segment));
                  return switch (where) {
                    case 0 -> wrap + path + query;
                    case 1 -> path + wrap + query;
                    case 2 ->
                        path.replaceFirst("/", Matcher.quoteReplacement("/" + segment + "/"))
                            + query;
                    default -> path + query;
                  };
                });
    Arbitrary<String> methods =
        Arbitraries.oneOf(
            routes.map(r -> r.substring(0, r.indexOf(' '))),
            Arbitraries.of(
                "GET", "POST", "HEAD", "OPTIONS", "TRACE", "PROPFIND", "get", "CONNECT"));
    Arbitrary<String> oddHeader =
        Arbitraries.oneOf(
            Arbitraries.of(
                "X-Odd: \u0001\u0002",
                "X-Nul: a\u0000b",
                "X-Latin: \u00ff\u00fe",
                "Host: [::1",
                "Host: a b",
                "Content-Length: -1",
                "Content-Length: 99999999999999999999",
                "Content-Type: application/json; charset=unknown-xyz",
                "Content-Type: ;;;",
                "Authorization: Bearer",
                "Authorization: Bearer \u00ff",
                "Authorization: Basic Og==",
                "Authorization: Bearer " + "t".repeat(5_000),
                "X-Forwarded-For: garbage, ::1, 999.1.1.1, [fe80::1%eth0]",
                "X-Forwarded-For: " + "1.2.3.4, ".repeat(500),
                "Forwarded: for=\"[::1]\";proto=gopher",
                "X-Request-Id: <script>",
                "X-Request-Id: " + "r".repeat(300),
                "Accept: ***",
                "Accept: application/problem+json;q=x",
                "Accept-Charset: nothing",
                "Transfer-Encoding: identity",
                "Expect: 100-continue",
                "Expect: something-else",
                "Connection: Upgrade, close",
                "Upgrade: websocket",
                "Upgrade: h2c",
                "Range: bytes=abc",
                "If-None-Match: \"\u00ff",
                "If-None-Match: " + "\"e\", ".repeat(300),
                "If-Modified-Since: yesterday",
                "Cookie: " + "c=1; ".repeat(2_000),
                "Origin: null",
                "X-QR-Secret: %00",
                " folded continuation",
                "NoColonHere",
                ": empty name",
                "Bad Name: x",
                "X-Huge: " + "h".repeat(20_000),
                "Content-Encoding: gzip",
                "Sec-WebSocket-Version: 99"),
            Arbitraries.strings()
                .withCharRange((char) 0x20, (char) 0xff)
                .ofMaxLength(60)
                .map(v -> "X-Random: " + v));
    Arbitrary<List<String>> headers = oddHeader.list().ofMaxSize(4);
    Arbitrary<byte[]> bodies =
        Arbitraries.of("", "", "{}", "{\"login\":\"%00\"}", "not json")
            .map(b -> b.getBytes(StandardCharsets.UTF_8));
    return Combinators.combine(methods, targets, headers, bodies).as(RawRequest::new);
  }

  @Provide
  Arbitrary<Request> requests() {
    Arbitrary<Endpoint> endpoints = Arbitraries.of(ENDPOINTS);
    Arbitrary<String> contentTypes =
        Arbitraries.of(
            "application/json",
            "application/json; charset=utf-8",
            "text/plain",
            "application/json; charset=latin1",
            "multipart/form-data",
            null);
    Arbitrary<String> tokens =
        Arbitraries.oneOf(
            Arbitraries.just(null),
            Arbitraries.just("VALID"),
            Arbitraries.strings()
                .withCharRange((char) 0x21, (char) 0x7e)
                .ofMinLength(1)
                .ofMaxLength(100),
            Arbitraries.strings()
                .withChars("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
                .ofLength(43));
    return endpoints.flatMap(
        endpoint ->
            Combinators.combine(Arbitraries.just(endpoint), contentTypes, bodies(endpoint), tokens)
                .as(Request::new));
  }

  private static Arbitrary<byte[]> bodies(Endpoint endpoint) {
    Arbitrary<byte[]> randomBytes = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
    Arbitrary<byte[]> randomText =
        Arbitraries.strings().ofMaxLength(300).map(s -> s.getBytes(StandardCharsets.UTF_8));
    Arbitrary<byte[]> wrongTypes = fieldValues(endpoint);
    Arbitrary<byte[]> invalidUtf8 =
        Arbitraries.of(endpoint.fields().isEmpty() ? List.of("x") : endpoint.fields())
            .map(
                f ->
                    concat(
                        "{\"" + f + "\":\"",
                        new byte[] {(byte) 0xC3, (byte) 0x28, (byte) 0xFF},
                        "\"}"));
    Arbitrary<byte[]> malformed =
        Arbitraries.of(
                "{",
                "}",
                "[]",
                "null",
                "1",
                "\"text\"",
                "{\"login\":}",
                "{\"login\":\"a\",\"login\":\"b\"}",
                "{} trailing",
                "[".repeat(5000),
                "{\"a\":" + "[".repeat(3000) + "]".repeat(3000) + "}",
                "{'login':'single quotes'}",
                "",
                "{\"login\":\"a@b.io\",\"password\":\"x\" /* comment */}")
            .map(s -> s.getBytes(StandardCharsets.UTF_8));
    Arbitrary<byte[]> huge =
        Arbitraries.of(1024 * 1024 + 1, 2 * 1024 * 1024)
            .map(
                n ->
                    concat(
                        "{\"login\":\"", "a".repeat(n).getBytes(StandardCharsets.US_ASCII), "\"}"));
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(3, randomBytes),
        net.jqwik.api.Tuple.of(3, randomText),
        net.jqwik.api.Tuple.of(8, wrongTypes),
        net.jqwik.api.Tuple.of(2, invalidUtf8),
        net.jqwik.api.Tuple.of(3, malformed),
        net.jqwik.api.Tuple.of(1, huge));
  }

  /** JSON objects whose fields are of the wrong type, too long, missing or odd. */
  private static Arbitrary<byte[]> fieldValues(Endpoint endpoint) {
    List<String> fields = endpoint.fields().isEmpty() ? List.of("x") : endpoint.fields();
    Arbitrary<Object> value =
        Arbitraries.oneOf(
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
    return Arbitraries.subsetOf(fields)
        .flatMap(
            chosen -> {
              List<String> keys = new ArrayList<>(chosen);
              return value
                  .list()
                  .ofSize(keys.size())
                  .map(
                      values -> {
                        StringBuilder json = new StringBuilder("{");
                        for (int i = 0; i < keys.size(); i++) {
                          if (i > 0) {
                            json.append(',');
                          }
                          json.append('"')
                              .append(keys.get(i))
                              .append("\":")
                              .append(encode(values.get(i)));
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
    } catch (IOException e) {
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
