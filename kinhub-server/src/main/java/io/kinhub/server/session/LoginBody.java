package io.kinhub.server.session;

import io.kinhub.server.http.Json;
import java.util.Map;

/** The body of every successful login: password, SMS, QR, and password change. */
public final class LoginBody {
  private LoginBody() {}

  public static Map<String, Object> of(Sessions.Login login) {
    Session s = login.session();
    return Map.of(
        "token", login.token(),
        "expiresAt", Json.time(s.absoluteExpiresAt()),
        "session", Map.of("id", s.id(), "device", s.device(), "createdAt", Json.time(s.createdAt())),
        "user", Map.of("id", Long.toString(s.userId()), "displayName", s.displayName()));
  }
}
