package io.kinhub.server.system;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Errors Jetty answers itself, before Javalin sees the request (an undecodable path, a malformed request
 * line, oversized headers): problem+json like every other error, never an HTML page.
 */
final class ProblemErrorHandler extends org.eclipse.jetty.ee10.servlet.ErrorHandler {

  @Override
  protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
      Callback callback) {
    Problem attached = ProblemResponses.attached(request);
    byte[] body = attached != null && attached.status() == code ? ProblemResponses.body(attached) : body(code);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/problem+json");
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, Integer.toString(body.length));
    response.write(true, ByteBuffer.wrap(body), callback);
  }

  @Override
  protected boolean generateAcceptableResponse(Request request, Response response, Callback callback, String contentType,
      java.util.List<java.nio.charset.Charset> charsets, int code, String message, Throwable cause) {
    generateResponse(request, response, code, message, cause, callback);
    return true;
  }

  @Override
  public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
    fields.put(HttpHeader.CONTENT_TYPE, "application/problem+json");
    return ByteBuffer.wrap(body(status));
  }

  private static byte[] body(int status) {
    String code = switch (status) {
      case 404 -> Problem.NOT_FOUND;
      case 405 -> Problem.METHOD_NOT_ALLOWED;
      case 413 -> Problem.TOO_LARGE;
      case 415 -> Problem.UNSUPPORTED_MEDIA_TYPE;
      case 503 -> Problem.UNAVAILABLE;
      default -> status >= 500 ? Problem.INTERNAL : Problem.INVALID_REQUEST;
    };
    String detail = status == 400 ? "The request could not be understood (malformed request line, path or headers)." : Problem.title(status) + ".";
    String json = "{\"type\":\"https://kinhub.dev/problems/" + code.replace('_', '-') + "\",\"title\":\"" + Problem.title(status)
        + "\",\"status\":" + status + ",\"detail\":\"" + detail + "\",\"code\":\"" + code + "\"}";
    return json.getBytes(StandardCharsets.UTF_8);
  }
}
