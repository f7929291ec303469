package io.kinhub.bench.jmh;

import io.kinhub.server.account.PasswordHasher;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Password logins per second in isolation: one {@link PasswordHasher#verify} (Argon2id, m = 19 MiB,
 * t = 2, p = 1, BouncyCastle) of the right password against a stored hash, the work a password
 * login spends on the CPU, with no HTTP, database or Redis around it. Run at 1 and 2 threads
 * ({@code -t}) to see how it scales per core:
 *
 * <pre>
 *   java -cp kinhub-bench/target/kinhub-bench.jar org.openjdk.jmh.Main Argon2 -f 1 -wi 3 -i 5 -w 5s -r 5s -t 1
 *   java -cp kinhub-bench/target/kinhub-bench.jar org.openjdk.jmh.Main Argon2 -f 1 -wi 3 -i 5 -w 5s -r 5s -t 2
 * </pre>
 *
 * Not final: JMH generates subclasses of its benchmark classes.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1)
public class Argon2Benchmark {
  private static final String PASSWORD = "correct horse battery staple";

  private PasswordHasher hasher;
  private String stored;

  @Setup
  public void setUp() {
    // as many permits as JMH threads can use: the semaphore must not be what is measured
    hasher = new PasswordHasher(Runtime.getRuntime().availableProcessors() * 4);
    stored = hasher.hash(PASSWORD);
  }

  /** One login's password check; returns the result so it is not optimised away. */
  @Benchmark
  public boolean verify() {
    return hasher.verify(PASSWORD, stored);
  }
}
