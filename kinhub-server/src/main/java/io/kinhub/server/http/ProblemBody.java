package io.kinhub.server.http;

import static com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL;

import com.fasterxml.jackson.annotation.JsonInclude;

/** An RFC 9457 problem+json body; {@code detail} and {@code field} only when there is one. */
record ProblemBody(
    String type,
    String title,
    int status,
    @JsonInclude(NON_NULL) String detail,
    String code,
    @JsonInclude(NON_NULL) String field) {

  static ProblemBody of(int status, String code, String detail, String field) {
    return new ProblemBody(
        "https://kinhub.dev/problems/" + code.replace('_', '-'),
        Problem.title(status),
        status,
        detail,
        code,
        field);
  }
}
