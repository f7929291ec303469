package io.kinhub.server.session;

import io.kinhub.server.backing.Digests;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * Bearer tokens: 256 bits from {@link SecureRandom}, base64url without padding (43 characters),
 * shown to the client once. Only their SHA-256 is ever stored.
 */
public final class Tokens {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
  private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]{43}");
  private static final Pattern SESSION_ID = Pattern.compile("[A-Za-z0-9_-]{22}");

  private Tokens() {}

  /** A new token. */
  public static String newToken() {
    return random(32);
  }

  /** A new session id: 128 random bits, base64url. */
  static String newSessionId() {
    return random(16);
  }

  private static String random(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return B64URL.encodeToString(b);
  }

  /** Whether the text can be a token at all; anything else is refused without a lookup. */
  public static boolean wellFormed(String token) {
    return token != null && TOKEN.matcher(token).matches();
  }

  static boolean wellFormedSessionId(String id) {
    return id != null && SESSION_ID.matcher(id).matches();
  }

  /** Lowercase hex SHA-256 of the token. */
  public static String hash(String token) {
    return Digests.sha256Hex(token);
  }
}
