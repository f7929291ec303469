package io.kinhub.server.qrlogin;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A redemption's answer sealed for a replay by the same browser: AES-256-GCM under a key derived
 * from the browser's secret and its idempotency key. Redis keeps only SHA-256 hashes of both, so
 * what Redis holds cannot be opened without what only the browser has.
 */
final class SealedAnswer {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int IV_BYTES = 12;
  private static final int TAG_BITS = 128;

  private SealedAnswer() {}

  static String seal(String secret, String idempotencyKey, String answer) {
    byte[] iv = new byte[IV_BYTES];
    RANDOM.nextBytes(iv);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(
          Cipher.ENCRYPT_MODE, key(secret, idempotencyKey), new GCMParameterSpec(TAG_BITS, iv));
      byte[] sealed = cipher.doFinal(answer.getBytes(StandardCharsets.UTF_8));
      return Base64.getEncoder()
          .encodeToString(
              ByteBuffer.allocate(iv.length + sealed.length).put(iv).put(sealed).array());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is part of every JDK", e);
    }
  }

  /**
   * The answer, or empty when {@code sealed} was not made with this secret and key (or is damaged).
   */
  static Optional<String> open(String secret, String idempotencyKey, String sealed) {
    try {
      byte[] all = Base64.getDecoder().decode(sealed);
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(
          Cipher.DECRYPT_MODE,
          key(secret, idempotencyKey),
          new GCMParameterSpec(TAG_BITS, all, 0, IV_BYTES));
      return Optional.of(
          new String(cipher.doFinal(all, IV_BYTES, all.length - IV_BYTES), StandardCharsets.UTF_8));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private static SecretKeySpec key(String secret, String idempotencyKey)
      throws GeneralSecurityException {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    sha.update("kinhub qr-login answer\0".getBytes(StandardCharsets.UTF_8));
    sha.update(secret.getBytes(StandardCharsets.UTF_8));
    sha.update((byte) 0);
    sha.update(idempotencyKey.getBytes(StandardCharsets.UTF_8));
    return new SecretKeySpec(sha.digest(), "AES");
  }
}
