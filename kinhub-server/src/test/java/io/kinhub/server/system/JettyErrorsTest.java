package io.kinhub.server.system;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kinhub.server.app.Kinhub;
import io.kinhub.server.http.Json;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Requests Jetty refuses before any route sees them (a NUL or dot segments in the path, bad
 * percent-encoding, malformed request lines and headers, oversized heads) get problem+json like
 * every other error, with the status Jetty chose: never an empty body, never a 5xx.
 */
class JettyErrorsTest {
  private static Kinhub node;

  @BeforeAll
  static void start() {
    node = TestBackends.get().startNode(TestBackends.newPrefix());
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  static Stream<Arguments> rejectedByJetty() {
    String host = "Host: 127.0.0.1";
    return Stream.of(
        Arguments.of("NUL in the path", RawHttp.request("GET /%00 HTTP/1.1", host)),
        Arguments.of(
            "NUL in the path, HTML wanted",
            RawHttp.request("GET /%00 HTTP/1.1", host, "Accept: text/html")),
        Arguments.of(
            "NUL in the path of a DELETE",
            RawHttp.request("DELETE /api/v1/me/sessions/%00 HTTP/1.1", host)),
        Arguments.of(
            "WebSocket header on a DELETE",
            RawHttp.request("DELETE /health HTTP/1.1", host, "Sec-WebSocket-Version: 99")),
        Arguments.of(
            "NUL in an API path", RawHttp.request("GET /api/v1/me/sessions/%00x HTTP/1.1", host)),
        Arguments.of(
            "encoded dot segments",
            RawHttp.request("GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.1", host)),
        Arguments.of(
            "encoded dot segment in API path",
            RawHttp.request("GET /api/v1/%2e%2e/health HTTP/1.1", host)),
        Arguments.of(
            "dot segments above the root", RawHttp.request("GET /../../etc/passwd HTTP/1.1", host)),
        Arguments.of("encoded slash", RawHttp.request("GET /api/v1/me%2fsessions HTTP/1.1", host)),
        Arguments.of("bad percent-encoding", RawHttp.request("GET /api/v1/%zz HTTP/1.1", host)),
        Arguments.of("truncated percent-encoding", RawHttp.request("GET /health%2 HTTP/1.1", host)),
        Arguments.of("path parameter", RawHttp.request("GET /..;/health HTTP/1.1", host)),
        Arguments.of(
            "overlong path", RawHttp.request("GET /" + "a".repeat(20_000) + " HTTP/1.1", host)),
        Arguments.of(
            "absolute URI with a bad authority",
            RawHttp.request("GET http://[bad/ HTTP/1.1", host)),
        Arguments.of(
            "header without a colon",
            RawHttp.request("GET /health HTTP/1.1", host, "This is no header")),
        Arguments.of(
            "header name with a space",
            RawHttp.request("GET /health HTTP/1.1", host, "Bad Name: x")),
        Arguments.of(
            "header too large",
            RawHttp.request("GET /health HTTP/1.1", host, "X-Big: " + "b".repeat(20_000))),
        Arguments.of("missing Host", RawHttp.request("GET /health HTTP/1.1")),
        Arguments.of(
            "two Hosts", RawHttp.request("GET /health HTTP/1.1", host, "Host: example.org")),
        Arguments.of(
            "bad Content-Length",
            RawHttp.request("POST /api/v1/accounts HTTP/1.1", host, "Content-Length: abc")),
        Arguments.of(
            "two Content-Lengths",
            RawHttp.request(
                "POST /api/v1/accounts HTTP/1.1", host, "Content-Length: 1", "Content-Length: 2")),
        Arguments.of(
            "chunked and Content-Length",
            RawHttp.request(
                "POST /api/v1/accounts HTTP/1.1",
                host,
                "Transfer-Encoding: chunked",
                "Content-Length: 3")),
        Arguments.of(
            "unknown transfer coding",
            RawHttp.request("POST /api/v1/accounts HTTP/1.1", host, "Transfer-Encoding: gzip")),
        Arguments.of("junk method", RawHttp.request("G@T /health HTTP/1.1", host)),
        Arguments.of("junk version", RawHttp.request("GET /health HTTP/x.y", host)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rejectedByJetty")
  void jettyBadPath_isProblemJson(String what, byte[] request) throws Exception {
    RawHttp.Answer answer = RawHttp.exchange("127.0.0.1", node.port(), request, 5_000);

    assertThat(answer.timedOut()).as(what + ": answered within 5 s").isFalse();
    assertThat(answer.status()).as(what + ": " + answer.body()).isBetween(400, 499);
    assertThat(answer.header("Content-Type")).as(what).startsWith("application/problem+json");
    JsonNode body = Json.MAPPER.readTree(answer.body());
    assertThat(body.get("status").asInt()).as(what).isEqualTo(answer.status());
    assertThat(body.get("code").asText()).as(what).matches("[a-z_]+");
    assertThat(body.get("title").asText()).as(what).isNotBlank();
    assertThat(answer.body())
        .as(what)
        .doesNotContain("Exception")
        .doesNotContain("<html")
        .doesNotContain("jetty");
  }
}
