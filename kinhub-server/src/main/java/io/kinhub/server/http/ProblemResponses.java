package io.kinhub.server.http;

import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.eclipse.jetty.server.Request;

/**
 * Problems answered where Javalin's exception mapping does not reach (a WebSocket upgrade refused
 * in Jetty's upgrade filter): the refusing code attaches the {@link Problem} to the request and
 * calls {@code sendError}; {@link ProblemErrorHandler} then writes exactly that problem, code and
 * detail included.
 */
public final class ProblemResponses {
  private static final String ATTRIBUTE = ProblemResponses.class.getName();

  private ProblemResponses() {}

  /** Attaches {@code problem} to {@code request}, for the error handler to answer with. */
  public static void attach(HttpServletRequest request, Problem problem) {
    request.setAttribute(ATTRIBUTE, problem);
  }

  /** The problem attached to {@code request}, or null. */
  static Problem attached(Request request) {
    Object attached = request.getAttribute(ATTRIBUTE);
    return attached instanceof Problem p ? p : null;
  }

  /** The problem+json body of {@code problem}. */
  static byte[] body(Problem problem) {
    ProblemBody body =
        ProblemBody.of(problem.status(), problem.code(), problem.detail(), problem.field());
    try {
      return Json.MAPPER.writeValueAsBytes(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
