package io.kinhub.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * The benchmark's command-line options. Every scenario is bounded by one of them (a count or a
 * duration); {@code --quick} replaces the defaults by tiny values for a smoke test.
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
    List<String> scenarios,
    int limiterDurationSeconds,
    int limiterWarmupSeconds,
    int limiterRounds,
    int limiterKeys,
    List<Integer> limiterCallers,
    int qrLogins,
    int qrIdleSockets,
    int qrConcurrency,
    List<Integer> qrSteps,
    int qrStepLogins,
    int qrStepSeconds,
    boolean quick) {

  /** Every scenario, in the order they run: the default of {@code --scenarios}. */
  static final List<String> SCENARIOS =
      List.of("hotpath", "commands", "revocation", "login", "qr", "limiter");

  /**
   * The scenarios that need the Kinhub nodes (and PostgreSQL); {@code limiter} needs Redis only.
   */
  static final List<String> NODE_SCENARIOS =
      List.of("hotpath", "commands", "revocation", "login", "qr");

  static final String USAGE =
      """
      Usage: ./kinhub bench main [options]

      Starts an embedded Redis and PostgreSQL and two Kinhub nodes (A and B) in this JVM, all on 127.0.0.1,
      runs six measurements and prints a Markdown summary (also written to --out).

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
        --scenarios LIST        comma-separated subset of hotpath,commands,revocation,login,qr,limiter (default all);
                                without any of the first five, neither PostgreSQL nor the nodes are started
        --only NAME             the same as --scenarios NAME
        --limiter-duration S    seconds per rate-limiter case (default 5)
        --limiter-warmup S      seconds of warm-up before each rate-limiter case, first round only (default 2)
        --limiter-rounds N      rounds of all rate-limiter cases; medians are reported (default 3)
        --limiter-keys N        keys of the "many keys" rate-limiter cases (default 10000)
        --limiter-callers LIST  comma-separated concurrent callers of the rate-limiter cases (default 1,8,64)
        --qr-logins N           the largest step of the QR concurrency curve: N browser WebSockets open on node A,
                                N phones scanning and confirming on node B at once (default 1000); the steps are
                                1, 10, 100, ... below N, then N
        --qr-steps LIST         comma-separated concurrencies of the QR curve instead (e.g. 1,10,100,1000)
        --qr-step-logins N      QR logins per step at least: rounds of <concurrency> logins until N are done
                                (default 200; a step of higher concurrency runs one round)
        --qr-step-seconds S     no new round of a QR step starts after S seconds (default 30)
        --qr-idle-sockets M     idle QR WebSockets held open on node A by a client process (default 10000)
        --qr-concurrency N      concurrent ticket creations for the idle QR sockets (default 32)
        --quick                 tiny values for a smoke test (2 rounds of 2 s, 2000 requests, 20 revocations,
                                QR steps 1,10,100 of 50 logins, 1000 idle QR sockets, one round of 1 s rate-limiter cases after
                                1 s warm-ups)
        --help                  this text
      """;

  private static final List<String> KNOWN =
      List.of(
          "--out",
          "--rounds",
          "--duration",
          "--warmup",
          "--connections",
          "--threads",
          "--driver",
          "--requests",
          "--request-concurrency",
          "--revocations",
          "--login-concurrency",
          "--login-duration",
          "--scenarios",
          "--only",
          "--limiter-duration",
          "--limiter-warmup",
          "--limiter-rounds",
          "--limiter-keys",
          "--limiter-callers",
          "--qr-logins",
          "--qr-idle-sockets",
          "--qr-concurrency",
          "--qr-steps",
          "--qr-step-logins",
          "--qr-step-seconds");

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
    List<String> scenarios = SCENARIOS;
    Integer limiterDuration = null;
    Integer limiterWarmup = null;
    Integer limiterRounds = null;
    int limiterKeys = 10_000;
    List<Integer> limiterCallers = List.of(1, 8, 64);
    Integer qrLogins = null;
    Integer qrIdleSockets = null;
    int qrConcurrency = 32;
    List<Integer> qrSteps = null;
    Integer qrStepLogins = null;
    int qrStepSeconds = 30;
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
            case "--scenarios", "--only" -> scenarios = scenarios(name, value);
            case "--limiter-duration" -> limiterDuration = positive(name, value, 3600);
            case "--limiter-warmup" -> limiterWarmup = nonNegative(name, value, 3600);
            case "--limiter-rounds" -> limiterRounds = positive(name, value, 100);
            case "--limiter-keys" -> limiterKeys = positive(name, value, 1_000_000);
            case "--limiter-callers" -> limiterCallers = callers(name, value, 1024);
            case "--qr-logins" -> qrLogins = positive(name, value, 100_000);
            case "--qr-idle-sockets" -> qrIdleSockets = positive(name, value, 1_000_000);
            case "--qr-concurrency" -> qrConcurrency = positive(name, value, 1024);
            case "--qr-steps" -> qrSteps = callers(name, value, 10_000);
            case "--qr-step-logins" -> qrStepLogins = positive(name, value, 100_000);
            case "--qr-step-seconds" -> qrStepSeconds = positive(name, value, 3600);
            default -> throw new UsageException("unknown option " + name);
          }
        }
      }
    }
    int d = or(duration, quick ? 2 : 10);
    int t = or(threads, 2);
    int c = or(connections, 32);
    if (c < t) {
      throw new UsageException(
          "--connections must be at least --threads (wrk needs one connection per thread)");
    }
    return new Options(
        out,
        or(rounds, quick ? 2 : 5),
        d,
        or(warmup, quick ? 1 : 5),
        c,
        t,
        driver,
        or(requests, quick ? 2000 : 20_000),
        or(requestConcurrency, 8),
        or(revocations, quick ? 20 : 1000),
        or(loginConcurrency, cores),
        or(loginDuration, d),
        scenarios,
        or(limiterDuration, quick ? 1 : 5),
        or(limiterWarmup, quick ? 1 : 2),
        or(limiterRounds, quick ? 1 : 3),
        limiterKeys,
        limiterCallers,
        or(qrLogins, quick ? 100 : 1000),
        or(qrIdleSockets, quick ? 1000 : 10_000),
        qrConcurrency,
        qrSteps != null ? qrSteps : qrCurve(or(qrLogins, quick ? 100 : 1000)),
        or(qrStepLogins, quick ? 50 : 200),
        qrStepSeconds,
        quick);
  }

  /** 1, 10, 100, ... below {@code top}, then {@code top}. */
  static List<Integer> qrCurve(int top) {
    List<Integer> steps = new ArrayList<>();
    for (int c = 1; c < top; c *= 10) {
      steps.add(c);
    }
    steps.add(top);
    return List.copyOf(steps);
  }

  boolean runs(String scenario) {
    return scenarios.contains(scenario);
  }

  /** Whether a selected scenario needs the nodes A and B (and so PostgreSQL). */
  boolean needsNodes() {
    return scenarios.stream().anyMatch(NODE_SCENARIOS::contains);
  }

  private static List<String> scenarios(String name, String value) {
    Set<String> chosen = new HashSet<>();
    for (String part : value.split(",")) {
      String s = part.trim().toLowerCase(Locale.ROOT);
      if (s.isEmpty()) {
        continue;
      }
      if (!SCENARIOS.contains(s)) {
        throw new UsageException(
            name + ": unknown scenario '" + s + "' (known: " + String.join(",", SCENARIOS) + ")");
      }
      chosen.add(s);
    }
    if (chosen.isEmpty()) {
      throw new UsageException(name + " needs at least one scenario");
    }
    return SCENARIOS.stream().filter(chosen::contains).toList();
  }

  private static List<Integer> callers(String name, String value, int max) {
    TreeSet<Integer> chosen = new TreeSet<>();
    for (String part : value.split(",")) {
      if (!part.isBlank()) {
        chosen.add(positive(name, part, max));
      }
    }
    if (chosen.isEmpty()) {
      throw new UsageException(name + " needs at least one number");
    }
    return List.copyOf(chosen);
  }

  /** A generous upper bound of the whole run, for the watchdog. */
  long timeLimitSeconds() {
    long hot =
        runs("hotpath")
            ? 2L * warmupSeconds + 2L * rounds * durationSeconds + 30L * (2L * rounds + 2)
            : 0;
    long me = runs("commands") ? 2L * (meRequests / 100 + 10) : 0;
    long revocation =
        runs("revocation")
            ? revocations / 4 + revocations / 5 + 60
            : 0; // logins >= 4/s, iterations >= 5/s
    long login = runs("login") ? warmupSeconds + loginDurationSeconds + 120 : 0;
    long qr = runs("qr") ? QrScenario.plannedSeconds(this) : 0;
    long limiter = runs("limiter") ? LimiterScenario.plannedSeconds(this) + 120 : 0;
    return 2 * (hot + me + revocation + login + qr + limiter) + 300;
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
