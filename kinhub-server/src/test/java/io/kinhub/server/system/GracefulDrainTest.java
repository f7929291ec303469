package io.kinhub.server.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.kinhub.server.app.Kinhub;
import io.kinhub.server.config.Config;
import io.kinhub.server.http.Json;
import io.kinhub.server.http.OpenSockets;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A node stopped on purpose (SIGTERM runs {@link Kinhub#close()}) drains: what runs finishes, what
 * is new is sent elsewhere, and nothing is lost. Before, close() stopped Jetty at once: a slow
 * request was cut off, sockets got 1001 without a hint to reconnect elsewhere, and {@code /health}
 * never said the node was going away.
 */
class GracefulDrainTest {

  @Test
  void aStoppingNode_finishesItsSlowRequest_refusesNewOnes_sendsSocketsAway_andHandsBackItsJob()
      throws Exception {
    CountDownLatch gatewayHangs = new CountDownLatch(1);
    List<String> deliveries = new CopyOnWriteArrayList<>();
    HttpServer gateway =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    gateway.setExecutor(Executors.newFixedThreadPool(4));
    gateway.createContext(
        "/send",
        exchange -> {
          JsonNode body = Json.MAPPER.readTree(exchange.getRequestBody().readAllBytes());
          deliveries.add(body.get("id").asText());
          if (deliveries.size() == 1) {
            try {
              gatewayHangs.await(
                  60, TimeUnit.SECONDS); // the first delivery never finishes while its node runs
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    gateway.start();
    String prefix = TestBackends.newPrefix();
    Map<String, String> env = TestBackends.get().env(prefix);
    env.put("KINHUB_SMS_PROVIDER", "http");
    env.put("KINHUB_SMS_HTTP_URL", "http://127.0.0.1:" + gateway.getAddress().getPort() + "/send");
    env.put("KINHUB_SMS_HTTP_SECRET", "s3cret");
    env.put("KINHUB_DRAIN_TIMEOUT", "6s");
    env.put("KINHUB_REDIS_TIMEOUT", "5s"); // a busy CI machine; nothing here measures Redis
    env.put("KINHUB_NODE_HEARTBEAT", "200ms");
    env.put("KINHUB_NODE_STALE_AFTER", "3s");
    Kinhub node = Kinhub.start(Config.from(env));
    Kinhub other = null;
    try {
      Api api = Api.of(node);
      int port = node.port();
      // a job being worked: the SMS gateway holds its first message
      assertThat(
              api.post(
                      "/api/v1/sms-codes",
                      null,
                      Map.of("phone", "+4915100000777", "purpose", "login"))
                  .status())
          .isEqualTo(202);
      await().atMost(Duration.ofSeconds(20)).until(() -> deliveries.size() == 1);
      // a browser on a QR socket
      JsonNode ticket = api.post("/api/v1/qr-logins", null, Map.of()).json();
      ClosingSocket socket = ClosingSocket.connect(ticket.get("wsUrl").asText());
      // a page on the live channel
      String liveTicket =
          api.post("/api/v1/live-tickets", api.newUser("Live reader").token(), Map.of())
              .json()
              .get("ticket")
              .asText();
      ClosingSocket live =
          ClosingSocket.connect(
              node.baseUrl().replaceFirst("^http", "ws") + "/ws/live?ticket=" + liveTicket);
      // a slow request in flight: a long poll that waits 3 s for a change that does not come
      CompletableFuture<Api.Response> slow =
          CompletableFuture.supplyAsync(
              () ->
                  api.pollQr(
                      ticket.get("id").asText(),
                      ticket.get("secret").asText(),
                      "?waitSeconds=3&known=pending"));
      await().atMost(Duration.ofSeconds(10)).until(() -> node.requestsInFlight() >= 1);
      // two keep-alive connections in use before the stop, as a balancer holds them
      Socket forHealth = new Socket(InetAddress.getLoopbackAddress(), port);
      Socket forApi = new Socket(InetAddress.getLoopbackAddress(), port);
      assertThat(keepAlive(forHealth, "GET /health HTTP/1.1\r\nHost: node\r\n\r\n"))
          .startsWith("HTTP/1.1 200");
      assertThat(keepAlive(forApi, "GET /health HTTP/1.1\r\nHost: node\r\n\r\n"))
          .startsWith("HTTP/1.1 200");

      CompletableFuture<Void> stopping = CompletableFuture.runAsync(node::close);

      // new connections are refused as soon as the drain begins
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThatThrownBy(
                          () -> new Socket(InetAddress.getLoopbackAddress(), port).close())
                      .isInstanceOf(ConnectException.class));
      // the QR page is told to reconnect elsewhere
      assertThat(socket.closed().get(10, TimeUnit.SECONDS)).isEqualTo(OpenSockets.SERVICE_RESTART);
      assertThat(live.closed().get(10, TimeUnit.SECONDS))
          .as("the live channel too")
          .isEqualTo(OpenSockets.SERVICE_RESTART);
      // a balancer's health check says draining; a new request on an open connection gets 503 and
      // the connection closes
      String health = exchange(forHealth, "GET /health HTTP/1.1\r\nHost: node\r\n\r\n");
      assertThat(health)
          .startsWith("HTTP/1.1 503")
          .containsIgnoringCase("connection: close")
          .contains("\"status\":\"draining\"");
      String refused = exchange(forApi, "GET /api/v1/me HTTP/1.1\r\nHost: node\r\n\r\n");
      assertThat(refused)
          .startsWith("HTTP/1.1 503")
          .containsIgnoringCase("connection: close")
          .containsIgnoringCase("retry-after: 1")
          .contains("\"code\":\"unavailable\"");
      // the slow request was allowed to finish
      Api.Response finished = slow.get(20, TimeUnit.SECONDS);
      assertThat(finished.status()).as(finished.text()).isEqualTo(200);
      assertThat(finished.json().get("state").asText()).isEqualTo("pending");
      stopping.get(30, TimeUnit.SECONDS);

      // the job the stopped node held is handed back: another node delivers it
      other = Kinhub.start(Config.from(TestBackends.copy(env)));
      await().atMost(Duration.ofSeconds(30)).until(() -> deliveries.size() >= 2);
      assertThat(deliveries.get(1)).isEqualTo(deliveries.get(0));
    } finally {
      gatewayHangs.countDown();
      node.close();
      if (other != null) {
        other.close();
      }
      gateway.stop(0);
    }
  }

  /** Writes one request and reads its answer (by Content-Length), leaving the connection open. */
  private static String keepAlive(Socket socket, String request) throws IOException {
    socket.setSoTimeout(10_000);
    socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
    InputStream in = socket.getInputStream();
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b == -1) {
        throw new IOException("connection closed after " + head);
      }
      head.write(b);
    }
    String headers = head.toString(StandardCharsets.ISO_8859_1);
    Matcher length = Pattern.compile("(?im)^content-length:\\s*(\\d+)").matcher(headers);
    assertThat(length.find()).as(headers).isTrue();
    byte[] body = in.readNBytes(Integer.parseInt(length.group(1)));
    return headers + new String(body, StandardCharsets.UTF_8);
  }

  /**
   * Writes one request on an already open connection and reads the answer until the server closes
   * it.
   */
  private static String exchange(Socket socket, String request) throws IOException {
    socket.setSoTimeout(10_000);
    socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
    ByteArrayOutputStream answer = new ByteArrayOutputStream();
    InputStream in = socket.getInputStream();
    byte[] buffer = new byte[4096];
    for (int n; (n = in.read(buffer)) != -1; ) {
      answer.write(buffer, 0, n);
    }
    socket.close();
    return answer.toString(StandardCharsets.UTF_8);
  }
}
