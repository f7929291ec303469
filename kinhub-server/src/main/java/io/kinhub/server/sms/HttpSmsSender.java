package io.kinhub.server.sms;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.kinhub.server.http.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Semaphore;

/**
 * Sends through an HTTP gateway: {@code POST <url>} with {@code Authorization: Bearer <secret>} and
 * {@code {"id", "to", "text"}}. One {@link HttpClient} (HTTP/1.1, keep-alive) for the whole node
 * and at most {@code connections} requests at once, so the gateway sees a few long-lived
 * connections, not one per message. A non-2xx answer or a timeout throws, so the job retries with
 * backoff.
 */
final class HttpSmsSender implements SmsSender {
  private final URI url;
  private final String secret;
  private final HttpClient client;
  private final Semaphore inFlight;
  private final Duration timeout;

  HttpSmsSender(URI url, String secret, int connections, Duration timeout) {
    this.url = url;
    this.secret = secret;
    this.timeout = timeout;
    this.inFlight = new Semaphore(connections);
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(timeout)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  @Override
  public void send(String messageId, String phone, String text)
      throws IOException, InterruptedException {
    String body;
    try {
      body = Json.MAPPER.writeValueAsString(Map.of("id", messageId, "to", phone, "text", text));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    HttpRequest request =
        HttpRequest.newBuilder(url)
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + secret)
            .header("Idempotency-Key", messageId)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    inFlight.acquire();
    try {
      HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() / 100 != 2) {
        throw new IOException("SMS gateway answered " + response.statusCode());
      }
    } finally {
      inFlight.release();
    }
  }
}
