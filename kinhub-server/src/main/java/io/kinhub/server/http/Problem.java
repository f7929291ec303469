package io.kinhub.server.http;

import io.javalin.http.Context;
import java.util.Map;

/**
 * An error answered to the client as RFC 9457 problem details with a stable {@code code}. The
 * detail is written for the client and never contains internals.
 */
public final class Problem extends KinhubException {
  /** Stable error codes of the API contract. */
  public static final String INVALID_REQUEST = "invalid_request";

  public static final String UNAUTHENTICATED = "unauthenticated";
  public static final String INVALID_CREDENTIALS = "invalid_credentials";
  public static final String INVALID_CODE = "invalid_code";
  public static final String FORBIDDEN = "forbidden";
  public static final String NOT_FOUND = "not_found";
  public static final String METHOD_NOT_ALLOWED = "method_not_allowed";
  public static final String CONFLICT = "conflict";
  public static final String ACCOUNT_EXISTS = "account_exists";
  public static final String TOO_LARGE = "too_large";
  public static final String REQUEST_TIMEOUT = "request_timeout";
  public static final String UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type";
  public static final String UNAVAILABLE = "unavailable";
  public static final String RATE_LIMITED = "rate_limited";
  public static final String EXPIRED = "expired";
  public static final String UPGRADE_REQUIRED = "upgrade_required";
  public static final String TOO_MANY_ATTEMPTS = "too_many_attempts";
  public static final String INTERNAL = "internal";

  /**
   * This node talks to another Redis than its peers (the stale-configuration incident): QR login
   * cannot work here.
   */
  public static final String NODE_DEGRADED = "node_degraded";

  private static final Map<Integer, String> TITLES =
      Map.ofEntries(
          Map.entry(400, "Bad Request"),
          Map.entry(401, "Unauthorized"),
          Map.entry(403, "Forbidden"),
          Map.entry(404, "Not Found"),
          Map.entry(405, "Method Not Allowed"),
          Map.entry(408, "Request Timeout"),
          Map.entry(409, "Conflict"),
          Map.entry(410, "Gone"),
          Map.entry(412, "Precondition Failed"),
          Map.entry(413, "Content Too Large"),
          Map.entry(415, "Unsupported Media Type"),
          Map.entry(414, "URI Too Long"),
          Map.entry(426, "Upgrade Required"),
          Map.entry(429, "Too Many Requests"),
          Map.entry(431, "Request Header Fields Too Large"),
          Map.entry(500, "Internal Server Error"),
          Map.entry(503, "Service Unavailable"));

  private final int status;
  private final String code;
  private final String detail;
  private final String field;
  private final Map<String, String> headers;

  private Problem(
      int status, String code, String detail, String field, Map<String, String> headers) {
    super(code + ": " + detail, null);
    this.status = status;
    this.code = code;
    this.detail = detail;
    this.field = field;
    this.headers = headers;
  }

  private Problem(int status, String code, String detail, String field) {
    this(status, code, detail, field, Map.of());
  }

  /** The same problem, answered with these extra response headers. */
  public Problem withHeaders(Map<String, String> extra) {
    return new Problem(status, code, detail, field, Map.copyOf(extra));
  }

  /** Response headers that belong to this problem (e.g. {@code Retry-After}). */
  public Map<String, String> headers() {
    return headers;
  }

  public static Problem of(int status, String code, String detail) {
    return new Problem(status, code, detail, null);
  }

  /** {@code 400 invalid_request} blaming one input field. */
  public static Problem invalid(String field, String detail) {
    return new Problem(400, INVALID_REQUEST, detail, field);
  }

  public static Problem badRequest(String detail) {
    return new Problem(400, INVALID_REQUEST, detail, null);
  }

  public static Problem unauthenticated() {
    return new Problem(401, UNAUTHENTICATED, "A valid bearer token is required.", null);
  }

  public static Problem notFound(String detail) {
    return new Problem(404, NOT_FOUND, detail, null);
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public String detail() {
    return detail;
  }

  /** The input field at fault, or null. */
  public String field() {
    return field;
  }

  /**
   * Answers this problem on {@code ctx} exactly as when it is thrown from a handler: for the
   * exception handlers that map a feature's domain exceptions to problems.
   */
  public void answer(Context ctx) {
    headers.forEach(ctx::header);
    Http.problem(ctx, status, code, detail, field);
  }

  public static String title(int status) {
    return TITLES.getOrDefault(status, "Error");
  }

  @Override
  public synchronized Throwable fillInStackTrace() {
    return this; // expected outcomes, not bugs: no stack trace needed
  }
}
