package io.kinhub.server.session;

import io.kinhub.server.http.Json;

/** The body of every successful login: password, SMS, QR, and password change. */
public record LoginBody(String token, String expiresAt, SessionPart session, UserPart user) {
  /** The session just created. */
  public record SessionPart(String id, String device, String createdAt) {}

  /** Who is logged in. */
  public record UserPart(String id, String displayName) {}

  public static LoginBody of(Sessions.Login login) {
    Session s = login.session();
    return new LoginBody(
        login.token(),
        Json.time(s.absoluteExpiresAt()),
        new SessionPart(s.id(), s.device(), Json.time(s.createdAt())),
        new UserPart(Long.toString(s.userId()), s.displayName()));
  }
}
