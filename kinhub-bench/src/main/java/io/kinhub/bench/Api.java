package io.kinhub.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * The few Kinhub HTTP calls the scenarios make, on one HTTP/1.1 client (java.net.http, keep-alive,
 * virtual-thread executor). Every call has a timeout.
 */
final class Api implements AutoCloseable {
  static final String PASSWORD = "bench-password-0123456789";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final HttpClient client;

  Api() {
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .executor(Executors.newVirtualThreadPerTaskExecutor())
            .build();
  }

  HttpClient client() {
    return client;
  }

  /** A response's status and body. */
  record Response(int status, String body) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new IllegalStateException("not JSON (status " + status + "): " + abbreviate(body), e);
      }
    }
  }

  Response get(String url, String token) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT).GET();
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return send(b.build());
  }

  Response delete(String url, String token) {
    return send(
        HttpRequest.newBuilder(URI.create(url))
            .timeout(TIMEOUT)
            .DELETE()
            .header("Authorization", "Bearer " + token)
            .build());
  }

  Response post(String url, Map<String, String> body) {
    return send(
        HttpRequest.newBuilder(URI.create(url))
            .timeout(TIMEOUT)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(toJson(body)))
            .build());
  }

  /** Status only, body discarded: for the measured calls. */
  int status(HttpRequest request) {
    try {
      return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      throw new IllegalStateException(request.method() + " " + request.uri() + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  static HttpRequest meRequest(String base, String token) {
    return HttpRequest.newBuilder(URI.create(base + "/api/v1/me"))
        .timeout(TIMEOUT)
        .header("Authorization", "Bearer " + token)
        .GET()
        .build();
  }

  static HttpRequest logoutRequest(String base, String token) {
    return HttpRequest.newBuilder(URI.create(base + "/api/v1/me/sessions/current"))
        .timeout(TIMEOUT)
        .header("Authorization", "Bearer " + token)
        .DELETE()
        .build();
  }

  static HttpRequest loginRequest(String base, String login, String password, String device) {
    return HttpRequest.newBuilder(URI.create(base + "/api/v1/sessions"))
        .timeout(TIMEOUT)
        .header("Content-Type", "application/json")
        .POST(
            HttpRequest.BodyPublishers.ofString(
                toJson(Map.of("login", login, "password", password, "device", device))))
        .build();
  }

  private Response send(HttpRequest request) {
    try {
      HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
      return new Response(r.statusCode(), r.body());
    } catch (IOException e) {
      throw new IllegalStateException(request.method() + " " + request.uri() + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /**
   * Creates an account with {@link #PASSWORD} and returns its id; fails unless the answer is 201.
   */
  long createAccount(String base, String login, String displayName) {
    Response r =
        post(
            base + "/api/v1/accounts",
            Map.of("login", login, "password", PASSWORD, "displayName", displayName));
    if (r.status() != 201) {
      throw new IllegalStateException(
          "POST /api/v1/accounts for "
              + login
              + " answered "
              + r.status()
              + ": "
              + abbreviate(r.body()));
    }
    return Long.parseLong(r.json().path("id").asText());
  }

  /**
   * Creates a private family as the token's user (its originator) and returns its id; fails unless
   * 201.
   */
  long createFamily(String base, String token, String name) {
    Response r =
        send(
            HttpRequest.newBuilder(URI.create(base + "/api/v1/families"))
                .timeout(TIMEOUT)
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(toJson(Map.of("name", name))))
                .build());
    if (r.status() != 201) {
      throw new IllegalStateException(
          "POST /api/v1/families answered " + r.status() + ": " + abbreviate(r.body()));
    }
    return Long.parseLong(r.json().path("id").asText());
  }

  /**
   * POSTs a file as an {@code application/octet-stream} body with its {@code Content-Length},
   * streamed from disk (the client holds only a buffer of it), with a timeout of {@code timeout}.
   */
  Response postFile(String url, String token, Path file, Duration timeout) {
    try {
      return send(
          HttpRequest.newBuilder(URI.create(url))
              .timeout(timeout)
              .header("Authorization", "Bearer " + token)
              .header("Content-Type", "application/octet-stream")
              .POST(HttpRequest.BodyPublishers.ofFile(file))
              .build());
    } catch (FileNotFoundException e) {
      throw new IllegalStateException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** A GET with extra headers whose body is kept as bytes, with its response headers. */
  HttpResponse<byte[]> getBytes(String url, String token, Map<String, String> headers) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(TIMEOUT)
            .GET()
            .header("Authorization", "Bearer " + token);
    headers.forEach(b::header);
    HttpRequest request = b.build();
    try {
      return client.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new IllegalStateException("GET " + url + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Logs in with {@link #PASSWORD} and returns the token; fails unless the answer is 201. */
  String login(String base, String login, String device) {
    Response r =
        post(
            base + "/api/v1/sessions",
            Map.of("login", login, "password", PASSWORD, "device", device));
    if (r.status() != 201) {
      throw new IllegalStateException(
          "POST /api/v1/sessions for "
              + login
              + " answered "
              + r.status()
              + ": "
              + abbreviate(r.body()));
    }
    return r.json().path("token").asText();
  }

  static String toJson(Map<String, String> body) {
    try {
      return JSON.writeValueAsString(body);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static String abbreviate(String s) {
    if (s == null) {
      return "";
    }
    String one = s.replaceAll("\\s+", " ");
    return one.length() <= 300 ? one : one.substring(0, 300) + "...";
  }

  @Override
  public void close() {
    client.shutdownNow();
  }
}
