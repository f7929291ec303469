package io.kinhub.server.http;

import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Errors Jetty answers itself, before Javalin sees the request (a NUL or dot segments in the path,
 * bad percent-encoding, a malformed request line or header, a head over the size limit):
 * problem+json like every other error, whatever the method and {@code Accept} header, never an
 * empty body or an HTML page. Jetty's 505 for an unreadable protocol version becomes 400: it is the
 * client's mistake.
 */
final class ProblemErrorHandler extends ErrorHandler {

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    int status = response.getStatus();
    if (request.getAttribute(ERROR_EXCEPTION) instanceof HttpException e) {
      status = e.getCode();
    }
    status = clientStatus(status);
    response.setStatus(status);
    response.getHeaders().put(ERROR_CACHE_CONTROL);
    if (HttpStatus.hasNoBody(status)) {
      callback.succeeded();
      return true;
    }
    byte[] body = body(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/problem+json");
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, Integer.toString(body.length));
    response.write(
        true,
        "HEAD".equals(request.getMethod()) ? ByteBuffer.allocate(0) : ByteBuffer.wrap(body),
        callback);
    return true;
  }

  @Override
  public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
    fields.put(HttpHeader.CONTENT_TYPE, "application/problem+json");
    return ByteBuffer.wrap(body(clientStatus(status)));
  }

  private static int clientStatus(int status) {
    return status == HttpStatus.HTTP_VERSION_NOT_SUPPORTED_505 ? 400 : status;
  }

  static byte[] body(int status) {
    String code =
        switch (status) {
          case 404 -> Problem.NOT_FOUND;
          case 405 -> Problem.METHOD_NOT_ALLOWED;
          case 413 -> Problem.TOO_LARGE;
          case 415 -> Problem.UNSUPPORTED_MEDIA_TYPE;
          case 503 -> Problem.UNAVAILABLE;
          default -> status >= 500 ? Problem.INTERNAL : Problem.INVALID_REQUEST;
        };
    String detail =
        switch (status) {
          case 400 ->
              "The request could not be understood (malformed request line, path or headers).";
          case 414 -> "The request target is too long.";
          case 431 -> "The request headers are too large.";
          default -> Problem.title(status) + ".";
        };
    String json =
        "{\"type\":\"https://kinhub.dev/problems/"
            + code.replace('_', '-')
            + "\",\"title\":\""
            + Problem.title(status)
            + "\",\"status\":"
            + status
            + ",\"detail\":\""
            + detail
            + "\",\"code\":\""
            + code
            + "\"}";
    return json.getBytes(StandardCharsets.UTF_8);
  }

  /** The same answers for errors raised inside the servlet context. */
  static final class ForServlets extends org.eclipse.jetty.ee10.servlet.ErrorHandler {
    /**
     * Jetty writes error bodies for GET, POST and HEAD only; a DELETE deserves its problem+json
     * too.
     */
    @Override
    public boolean errorPageForMethod(String method) {
      return true;
    }

    @Override
    protected void generateResponse(
        Request request,
        Response response,
        int code,
        String message,
        Throwable cause,
        Callback callback) {
      // a refusal that attached its own problem (e.g. a WebSocket upgrade) is answered with exactly
      // that problem
      Problem attached = ProblemResponses.attached(request);
      byte[] body =
          attached != null && attached.status() == code
              ? ProblemResponses.body(attached)
              : body(code);
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/problem+json");
      response.getHeaders().put(HttpHeader.CONTENT_LENGTH, Integer.toString(body.length));
      response.write(true, ByteBuffer.wrap(body), callback);
    }

    @Override
    protected boolean generateAcceptableResponse(
        Request request,
        Response response,
        Callback callback,
        String contentType,
        List<Charset> charsets,
        int code,
        String message,
        Throwable cause) {
      generateResponse(request, response, code, message, cause, callback);
      return true;
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
      fields.put(HttpHeader.CONTENT_TYPE, "application/problem+json");
      return ByteBuffer.wrap(body(status));
    }
  }
}
