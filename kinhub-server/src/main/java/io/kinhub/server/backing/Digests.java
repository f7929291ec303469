package io.kinhub.server.backing;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256 in lowercase hex: how Kinhub stores secrets (tokens, QR secrets) and keys derived from
 * user input.
 */
public final class Digests {
  private Digests() {}

  /** The full SHA-256 of the UTF-8 text, 64 hex digits. */
  public static String sha256Hex(String text) {
    return HexFormat.of().formatHex(sha256(text));
  }

  /** The first {@code bytes} bytes of the SHA-256, for compact Redis keys. */
  public static String sha256Hex(String text, int bytes) {
    return HexFormat.of().formatHex(sha256(text), 0, bytes);
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  }
}
