package io.kinhub.bench;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The benchmark's command-line options. Every scenario is bounded by one of them (a count or a duration);
 * {@code --quick} replaces the defaults by tiny values for a smoke test.
 */
record Options(
    Path out,
    int rounds,
    int durationSeconds,
    int warmupSeconds,
    int connections,
    int wrkThreads,
    String driver,
    int meRequests,
    int meConcurrency,
    int revocations,
    int loginConcurrency,
    int loginDurationSeconds,
    boolean quick) {

  static final String USAGE = """
      Usage: java -cp kinhub-bench/target/kinhub-bench.jar io.kinhub.bench.BenchMain [options]

      Starts an embedded Redis and PostgreSQL and two Kinhub nodes (A and B) in this JVM, all on 127.0.0.1,
      runs four measurements and prints a Markdown summary (also written to --out).

        --out FILE              also write the Markdown summary to FILE (parent directories are created)
        --rounds N              hot-path rounds, each one /health run and one /me run (default 5)
        --duration S            seconds per hot-path run and of the login run (default 10)
        --warmup S              seconds of each warm-up run (default 5)
        --connections N         concurrent connections of the load driver (default 32)
        --threads N             wrk threads (default 2)
        --driver auto|wrk|java  hot-path load driver; auto uses wrk when installed (default auto)
        --requests N            GET /api/v1/me requests counted against Redis INFO commandstats (default 20000)
        --request-concurrency N concurrent clients for those requests (default 8)
        --revocations N         revocation iterations across nodes A and B (default 1000)
        --login-concurrency N   concurrent password-login clients (default: number of cores)
        --login-duration S      seconds of the password-login run (default: --duration)
        --quick                 tiny values for a smoke test (2 rounds of 2 s, 2000 requests, 20 revocations)
        --help                  this text
      """;

  private static final List<String> KNOWN = List.of("--out", "--rounds", "--duration", "--warmup", "--connections",
      "--threads", "--driver", "--requests", "--request-concurrency", "--revocations", "--login-concurrency",
      "--login-duration");

  static Options parse(List<String> args, int cores) {
    Path out = null;
    Integer rounds = null;
    Integer duration = null;
    Integer warmup = null;
    Integer connections = null;
    Integer threads = null;
    String driver = "auto";
    Integer requests = null;
    Integer requestConcurrency = null;
    Integer revocations = null;
    Integer loginConcurrency = null;
    Integer loginDuration = null;
    boolean quick = false;
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      String name = arg;
      String value = null;
      int eq = arg.indexOf('=');
      if (arg.startsWith("--") && eq > 0) {
        name = arg.substring(0, eq);
        value = arg.substring(eq + 1);
      }
      switch (name) {
        case "--help", "-h" -> throw new UsageException(null);
        case "--quick" -> quick = true;
        default -> {
          if (!KNOWN.contains(name)) {
            throw new UsageException("unknown option " + name);
          }
          if (value == null) {
            if (i + 1 >= args.size()) {
              throw new UsageException(name + " needs a value");
            }
            value = args.get(++i);
          }
          switch (name) {
            case "--out" -> out = Path.of(value);
            case "--rounds" -> rounds = positive(name, value, 1000);
            case "--duration" -> duration = positive(name, value, 3600);
            case "--warmup" -> warmup = nonNegative(name, value, 3600);
            case "--connections" -> connections = positive(name, value, 10_000);
            case "--threads" -> threads = positive(name, value, 256);
            case "--driver" -> {
              driver = value.toLowerCase(Locale.ROOT);
              if (!List.of("auto", "wrk", "java").contains(driver)) {
                throw new UsageException("--driver must be auto, wrk or java");
              }
            }
            case "--requests" -> requests = positive(name, value, 100_000_000);
            case "--request-concurrency" -> requestConcurrency = positive(name, value, 10_000);
            case "--revocations" -> revocations = positive(name, value, 1_000_000);
            case "--login-concurrency" -> loginConcurrency = positive(name, value, 10_000);
            case "--login-duration" -> loginDuration = positive(name, value, 3600);
            default -> throw new UsageException("unknown option " + name);
          }
        }
      }
    }
    int d = or(duration, quick ? 2 : 10);
    int t = or(threads, 2);
    int c = or(connections, 32);
    if (c < t) {
      throw new UsageException("--connections must be at least --threads (wrk needs one connection per thread)");
    }
    return new Options(out, or(rounds, quick ? 2 : 5), d, or(warmup, quick ? 1 : 5), c, t, driver,
        or(requests, quick ? 2000 : 20_000), or(requestConcurrency, 8), or(revocations, quick ? 20 : 1000),
        or(loginConcurrency, cores), or(loginDuration, d), quick);
  }

  /** A generous upper bound of the whole run, for the watchdog. */
  long timeLimitSeconds() {
    long hot = 2L * warmupSeconds + 2L * rounds * durationSeconds + 30L * (2L * rounds + 2);
    long me = 2L * (meRequests / 100 + 10);
    long revocation = revocations / 4 + revocations / 5 + 60; // logins at >= 4/s, iterations at >= 5/s
    long login = warmupSeconds + loginDurationSeconds + 120;
    return 2 * (hot + me + revocation + login) + 300;
  }

  private static int or(Integer value, int fallback) {
    return value == null ? fallback : value;
  }

  private static int positive(String name, String value, int max) {
    int v = integer(name, value);
    if (v < 1 || v > max) {
      throw new UsageException(name + " must be from 1 to " + max);
    }
    return v;
  }

  private static int nonNegative(String name, String value, int max) {
    int v = integer(name, value);
    if (v < 0 || v > max) {
      throw new UsageException(name + " must be from 0 to " + max);
    }
    return v;
  }

  private static int integer(String name, String value) {
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new UsageException(name + " must be an integer but was '" + value + "'");
    }
  }

  /** A bad command line; a null message means "print the usage". */
  static final class UsageException extends RuntimeException {
    UsageException(String message) {
      super(message);
    }
  }
}
