package io.kinhub.bench;

/** Drives GET requests at one URL with a fixed concurrency for a fixed time. */
interface LoadDriver extends AutoCloseable {

  /** The result of one run. Latencies in milliseconds; NaN when the driver does not report them. */
  record Result(
      double requestsPerSecond,
      long requests,
      long non2xx,
      long errors,
      double p50Ms,
      double p99Ms) {
    boolean clean() {
      return non2xx == 0 && errors == 0;
    }
  }

  /**
   * Runs GET {@code url} (with {@code Authorization: Bearer token} when the token is not null) for
   * {@code seconds} seconds.
   */
  Result run(String url, String token, int seconds);

  /** What the driver is and how it is parameterised, for the report. */
  String describe();

  @Override
  default void close() {}

  /** wrk when it is installed (or when asked for), else the Java driver. */
  static LoadDriver choose(Options options, StringBuilder notes) {
    boolean wrk = Wrk.installed();
    switch (options.driver()) {
      case "wrk" -> {
        if (!wrk) {
          throw new IllegalStateException(
              "--driver wrk but wrk is not installed; install it with: " + Wrk.INSTALL_HINT);
        }
        return new Wrk(options.wrkThreads(), options.connections());
      }
      case "java" -> {
        return new JavaLoad(options.connections());
      }
      default -> {
        if (wrk) {
          return new Wrk(options.wrkThreads(), options.connections());
        }
        String hint =
            "wrk is not installed; falling back to the Java load driver. For the intended driver install it with: "
                + Wrk.INSTALL_HINT;
        System.err.println("bench: " + hint);
        notes.append(hint);
        return new JavaLoad(options.connections());
      }
    }
  }
}
