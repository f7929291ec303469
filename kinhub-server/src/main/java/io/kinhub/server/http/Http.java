package io.kinhub.server.http;

import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.kinhub.redis.RedisUnavailableException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.UriCompliance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP server: Javalin on Jetty with virtual threads, the request pipeline shared by every
 * route (request id, body limit, metrics) and the one place where exceptions become problem+json
 * responses.
 */
public final class Http {
  private static final Logger log = LoggerFactory.getLogger(Http.class);
  private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final String STARTED = "kinhub.started";
  private static final String ANSWERED = "kinhub.answered";
  static final String REQUEST_ID_HEADER = "X-Request-Id";

  /**
   * The one endpoint whose bodies may exceed 1 MiB (up to KINHUB_GEDCOM_MAX_MIB, checked by its
   * route).
   */
  private static final Pattern LARGE_BODY = Pattern.compile("/api/v1/families/[^/]+/gedcom/?");

  private Http() {}

  /**
   * The server listening on {@code host}:{@code port}; {@code largeBodyMaxBytes} bounds the one
   * endpoint whose bodies may exceed 1 MiB (GEDCOM imports).
   */
  public static Javalin create(
      String host,
      int port,
      long largeBodyMaxBytes,
      MeterRegistry meters,
      Consumer<JavalinConfig> routes) {
    return Javalin.create(
        cfg -> {
          cfg.startup.showJavalinBanner = false;
          cfg.startup.showOldJavalinVersionWarning = false;
          cfg.concurrency.useVirtualThreads = true;
          cfg.jetty.host = host;
          cfg.jetty.port = port;
          // JSON bodies are limited to 1 MiB by JsonBody itself; only GEDCOM imports may be larger
          cfg.http.maxRequestSize = Math.max(JsonBody.MAX_BYTES, largeBodyMaxBytes);
          cfg.http.generateEtags = false;
          cfg.router.ignoreTrailingSlashes = true;
          cfg.jetty.modifyServer(server -> server.setErrorHandler(new ProblemErrorHandler()));
          cfg.jetty.modifyServletContextHandler(
              handler -> {
                handler.setErrorHandler(new ProblemErrorHandler.ForServlets());
                // Kinhub keeps no servlet sessions: no JSESSIONID cookie on WebSocket upgrades
                if (handler.getSessionHandler() != null) {
                  handler.getSessionHandler().setUsingCookies(false);
                }
              });
          cfg.jetty.modifyHttpConfiguration(
              http -> {
                http.setSendServerVersion(false);
                // undecodable UTF-8 in a path reaches the router (and gets a problem+json 404)
                // instead of Jetty's empty 400
                http.setUriCompliance(
                    UriCompliance.DEFAULT.with(
                        "kinhub",
                        UriCompliance.Violation.BAD_UTF8_ENCODING,
                        UriCompliance.Violation.TRUNCATED_UTF8_ENCODING));
                http.setSendXPoweredBy(false);
              });

          cfg.routes.before(
              ctx -> {
                ctx.attribute(STARTED, System.nanoTime());
                String requestId = ctx.header(REQUEST_ID_HEADER);
                ctx.header(
                    REQUEST_ID_HEADER,
                    requestId != null && REQUEST_ID.matcher(requestId).matches()
                        ? requestId
                        : UUID.randomUUID().toString());
                if (ctx.req().getContentLengthLong() > JsonBody.MAX_BYTES
                    && !LARGE_BODY.matcher(ctx.path()).matches()) {
                  throw JsonBody.tooLarge(ctx);
                }
              });
          cfg.routes.after(ctx -> record(meters, ctx));

          routes.accept(cfg);

          cfg.routes.exception(Problem.class, (e, ctx) -> e.answer(ctx));
          cfg.routes.exception(
              UnavailableException.class, (e, ctx) -> unavailable(ctx, e.dependency(), e));
          cfg.routes.exception(
              RedisUnavailableException.class, (e, ctx) -> unavailable(ctx, "redis", e));
          cfg.routes.exception(
              HttpResponseException.class,
              (e, ctx) -> {
                int status = e.getStatus();
                String code =
                    switch (status) {
                      case 400 -> Problem.INVALID_REQUEST;
                      case 404 -> Problem.NOT_FOUND;
                      case 405 -> Problem.METHOD_NOT_ALLOWED;
                      case 413 -> Problem.TOO_LARGE;
                      case 415 -> Problem.UNSUPPORTED_MEDIA_TYPE;
                      case 503 -> Problem.UNAVAILABLE;
                      default -> status >= 500 ? Problem.INTERNAL : Problem.INVALID_REQUEST;
                    };
                problem(
                    ctx,
                    status,
                    code,
                    status == 413
                        ? "Request bodies are limited to 1 MiB."
                        : Problem.title(status) + ".",
                    null);
              });
          cfg.routes.exception(
              Exception.class,
              (e, ctx) -> {
                log.error(
                    "unexpected failure in {} {} (request {})",
                    ctx.method(),
                    ctx.path(),
                    ctx.res().getHeader(REQUEST_ID_HEADER),
                    e);
                problem(ctx, 500, Problem.INTERNAL, null, null);
              });
          cfg.routes.error(
              404,
              ctx -> {
                if (ctx.attribute(ANSWERED) == null) {
                  problem(
                      ctx,
                      404,
                      Problem.NOT_FOUND,
                      "No such resource: " + ctx.method() + " " + ctx.path(),
                      null);
                }
              });
          cfg.routes.error(
              405,
              ctx -> {
                if (ctx.attribute(ANSWERED) == null) {
                  problem(
                      ctx,
                      405,
                      Problem.METHOD_NOT_ALLOWED,
                      "This resource does not support " + ctx.method() + ".",
                      null);
                }
              });
        });
  }

  /** Writes an RFC 9457 problem response. */
  static void problem(Context ctx, int status, String code, String detail, String field) {
    ProblemBody body = ProblemBody.of(status, code, detail, field);
    if (status == 401) {
      ctx.header("WWW-Authenticate", "Bearer realm=\"kinhub\"");
    }
    ctx.attribute(ANSWERED, true);
    Json.respond(ctx, status, body);
    ctx.contentType("application/problem+json");
  }

  private static void unavailable(Context ctx, String dependency, Exception e) {
    log.warn("{} unavailable for {} {}: {}", dependency, ctx.method(), ctx.path(), e.getMessage());
    ctx.header("Retry-After", "1");
    problem(
        ctx,
        503,
        Problem.UNAVAILABLE,
        "A backing service is unavailable; try again shortly.",
        null);
  }

  private static void record(MeterRegistry meters, Context ctx) {
    Long started = ctx.attribute(STARTED);
    if (started == null) {
      return;
    }
    var endpoint = ctx.endpoints().matchedHttpEndpoint();
    String route = endpoint == null ? "unmatched" : endpoint.path;
    Timer.builder("http_server_requests")
        .description("HTTP requests by method, route and status")
        .tag("method", ctx.method().name())
        .tag("route", route)
        .tag("status", Integer.toString(ctx.statusCode()))
        .register(meters)
        .record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
  }
}
