package io.kinhub.server.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.kinhub.server.app.Kinhub;
import io.kinhub.server.http.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

/** A tiny real-HTTP client for tests: JSON in, status + JSON out. */
public final class Api {
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final String base;

  public Api(String base) {
    this.base = base;
  }

  public static Api of(Kinhub node) {
    return new Api(node.baseUrl());
  }

  /**
   * A response: status, headers, raw body and the body parsed as JSON (missing node when not JSON).
   */
  public record Response(int status, HttpResponse<byte[]> raw, JsonNode json) {
    public String header(String name) {
      return raw.headers().firstValue(name).orElse(null);
    }

    public String text() {
      return new String(raw.body(), StandardCharsets.UTF_8);
    }

    public String contentType() {
      return header("Content-Type");
    }
  }

  public Response get(String path, String token) {
    return send(builder(path, token).GET().build());
  }

  public Response delete(String path, String token) {
    return send(builder(path, token).DELETE().build());
  }

  public Response post(String path, String token, Object body) {
    return send(
        builder(path, token)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json(body)))
            .build());
  }

  public Response put(String path, String token, Object body) {
    return send(
        builder(path, token)
            .header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString(json(body)))
            .build());
  }

  public Response patch(String path, String token, Object body) {
    return send(
        builder(path, token)
            .header("Content-Type", "application/json")
            .method("PATCH", HttpRequest.BodyPublishers.ofString(json(body)))
            .build());
  }

  /**
   * Reads (or long-polls, with a query such as {@code ?waitSeconds=20&known=pending}) a QR login
   * with its secret.
   */
  public Response pollQr(String id, String secret, String query) {
    return send(
        HttpRequest.newBuilder(URI.create(base + "/api/v1/qr-logins/" + id + query))
            .timeout(Duration.ofSeconds(45))
            .header("X-QR-Secret", secret)
            .GET()
            .build());
  }

  /**
   * Redeems a confirmed QR login: {@code POST /api/v1/qr-logins/{id}/session} with the browser's
   * secret.
   */
  public Response redeemQr(String id, String secret) {
    return redeemQr(id, secret, null);
  }

  /** Redeems a confirmed QR login with an {@code Idempotency-Key} (null: none). */
  public Response redeemQr(String id, String secret, String idempotencyKey) {
    HttpRequest.Builder b =
        builder("/api/v1/qr-logins/" + id + "/session", null).header("X-QR-Secret", secret);
    if (idempotencyKey != null) {
      b.header("Idempotency-Key", idempotencyKey);
    }
    return send(b.POST(HttpRequest.BodyPublishers.noBody()).build());
  }

  /** Sends raw bytes with any method and content type. */
  public Response raw(String method, String path, String token, String contentType, byte[] body) {
    HttpRequest.Builder b = builder(path, token);
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    return send(
        b.method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body))
            .build());
  }

  private HttpRequest.Builder builder(String path, String token) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return b;
  }

  private static String json(Object body) {
    if (body instanceof String s) {
      return s;
    }
    try {
      return Json.MAPPER.writeValueAsString(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Response send(HttpRequest request) {
    try {
      HttpResponse<byte[]> r = CLIENT.send(request, HttpResponse.BodyHandlers.ofByteArray());
      JsonNode json;
      try {
        json = r.body().length == 0 ? MissingNode.getInstance() : Json.MAPPER.readTree(r.body());
      } catch (IOException e) {
        json = MissingNode.getInstance();
      }
      return new Response(r.statusCode(), r, json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A unique e-mail login. */
  public static String newLogin() {
    return "u" + UUID.randomUUID().toString().replace("-", "").substring(0, 16) + "@example.org";
  }

  /** Creates an account and returns its login. */
  public String register(String login, String password) {
    Response r =
        post(
            "/api/v1/accounts",
            null,
            Map.of("login", login, "password", password, "displayName", "Test User"));
    if (r.status() != 201) {
      throw new IllegalStateException("registration failed: " + r.status() + " " + r.text());
    }
    return login;
  }

  /** A registered, logged-in test user. */
  public record User(String login, String token, String id, String displayName) {}

  /** Registers a fresh account with this display name and logs it in. */
  public User newUser(String displayName) {
    String login = newLogin();
    Response r =
        post(
            "/api/v1/accounts",
            null,
            Map.of("login", login, "password", "password " + login, "displayName", displayName));
    if (r.status() != 201) {
      throw new IllegalStateException("registration failed: " + r.status() + " " + r.text());
    }
    return new User(
        login, login(login, "password " + login), r.json().get("id").asText(), displayName);
  }

  /** Logs in and returns the token. */
  public String login(String login, String password) {
    Response r =
        post(
            "/api/v1/sessions",
            null,
            Map.of("login", login, "password", password, "device", "test"));
    if (r.status() != 201) {
      throw new IllegalStateException("login failed: " + r.status() + " " + r.text());
    }
    return r.json().get("token").asText();
  }
}
