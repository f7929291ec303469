package io.kinhub.server.account;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.concurrent.Semaphore;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Argon2id password hashing (BouncyCastle, pure Java) at OWASP's minimum: 19 MiB, 2 iterations,
 * parallelism 1, 16-byte salt, 32-byte hash, stored as a PHC string ({@code
 * $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>}). Verification reads the parameters from the stored
 * string, so they can be raised later without invalidating old hashes.
 *
 * <p>Each hash needs 19 MiB; a semaphore bounds how many run at once so a login flood cannot
 * exhaust memory (virtual threads would otherwise start one per request).
 */
public final class PasswordHasher {
  static final int MEMORY_KIB = 19 * 1024;
  static final int ITERATIONS = 2;
  static final int PARALLELISM = 1;
  private static final int SALT_BYTES = 16;
  private static final int HASH_BYTES = 32;
  private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getDecoder();

  private final SecureRandom random = new SecureRandom();
  private final Semaphore permits;
  private final String dummyHash;

  public PasswordHasher(int concurrency) {
    this.permits = new Semaphore(concurrency, true);
    this.dummyHash = hash("kinhub dummy password for timing equalisation " + random.nextLong());
  }

  /** Hashes a new password. */
  public String hash(String password) {
    byte[] salt = new byte[SALT_BYTES];
    random.nextBytes(salt);
    byte[] hash = compute(password, salt, MEMORY_KIB, ITERATIONS, PARALLELISM, HASH_BYTES);
    return "$argon2id$v=19$m="
        + MEMORY_KIB
        + ",t="
        + ITERATIONS
        + ",p="
        + PARALLELISM
        + "$"
        + B64.encodeToString(salt)
        + "$"
        + B64.encodeToString(hash);
  }

  /**
   * Checks a password against a stored hash; a null or unreadable hash verifies nothing (after
   * equal work).
   */
  public boolean verify(String password, String stored) {
    if (stored == null) {
      verify(password, dummyHash);
      return false;
    }
    String[] parts = stored.split("\\$", 0);
    // "", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash
    if (parts.length != 6 || !parts[1].equals("argon2id") || !parts[2].equals("v=19")) {
      verify(password, dummyHash);
      return false;
    }
    int m;
    int t;
    int p;
    byte[] salt;
    byte[] expected;
    try {
      String[] params = parts[3].split(",", 0);
      m = Integer.parseInt(params[0].substring(2));
      t = Integer.parseInt(params[1].substring(2));
      p = Integer.parseInt(params[2].substring(2));
      salt = B64D.decode(parts[4]);
      expected = B64D.decode(parts[5]);
    } catch (RuntimeException e) {
      verify(password, dummyHash);
      return false;
    }
    byte[] actual = compute(password, salt, m, t, p, expected.length);
    return MessageDigest.isEqual(actual, expected);
  }

  /** Spends the same work as a real verification, for logins that do not exist. */
  public void verifyDummy(String password) {
    verify(password, dummyHash);
  }

  private byte[] compute(
      String password, byte[] salt, int memoryKib, int iterations, int parallelism, int length) {
    Argon2Parameters params =
        new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
            .withVersion(Argon2Parameters.ARGON2_VERSION_13)
            .withMemoryAsKB(memoryKib)
            .withIterations(iterations)
            .withParallelism(parallelism)
            .withSalt(salt)
            .build();
    Argon2BytesGenerator generator = new Argon2BytesGenerator();
    generator.init(params);
    byte[] out = new byte[length];
    permits.acquireUninterruptibly();
    try {
      generator.generateBytes(password.getBytes(StandardCharsets.UTF_8), out);
    } finally {
      permits.release();
    }
    return out;
  }
}
