package io.kinhub.bench;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The {@code wrk} HTTP load generator (a separate process), parsed from its text output. */
final class Wrk implements LoadDriver {
  static final String INSTALL_HINT = "apt-get update && apt-get install -y wrk";
  private static final Pattern RPS = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
  private static final Pattern TOTAL = Pattern.compile("(\\d+) requests in ");
  private static final Pattern NON2XX = Pattern.compile("Non-2xx or 3xx responses:\\s+(\\d+)");
  private static final Pattern SOCKET_ERRORS =
      Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");
  private static final Pattern PERCENTILE =
      Pattern.compile("^\\s*(50|99)(?:\\.000)?%\\s+([0-9.]+)(us|ms|s)\\s*$", Pattern.MULTILINE);

  private final int threads;
  private final int connections;

  Wrk(int threads, int connections) {
    this.threads = threads;
    this.connections = connections;
  }

  static boolean installed() {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String dir : path.split(File.pathSeparator)) {
      File f = new File(dir, "wrk");
      if (f.isFile() && f.canExecute()) {
        return true;
      }
    }
    return false;
  }

  static String version() {
    try {
      Process p = new ProcessBuilder("wrk", "-v").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor(5, TimeUnit.SECONDS);
      return out.lines().findFirst().orElse("wrk").strip();
    } catch (IOException e) {
      return "wrk (version unknown)";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "wrk (version unknown)";
    }
  }

  @Override
  public String describe() {
    return "`"
        + version()
        + "`, `wrk -t"
        + threads
        + " -c"
        + connections
        + " -d<duration>s --latency` (separate process)";
  }

  /** The command line of one run (the token shortened when it is shown). */
  List<String> command(String url, String token, int seconds) {
    return command(url, token, null, seconds);
  }

  /**
   * The command line of one run with one more request header ({@code "Name: value"}) when it is not
   * null.
   */
  List<String> command(String url, String token, String header, int seconds) {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "wrk",
                "-t" + threads,
                "-c" + connections,
                "-d" + seconds + "s",
                "--timeout",
                "10s",
                "--latency"));
    if (token != null) {
      cmd.add("-H");
      cmd.add("Authorization: Bearer " + token);
    }
    if (header != null) {
      cmd.add("-H");
      cmd.add(header);
    }
    cmd.add(url);
    return cmd;
  }

  @Override
  public Result run(String url, String token, int seconds) {
    return run(url, token, null, seconds);
  }

  /** One run with one more request header ({@code "Name: value"}) when it is not null. */
  Result run(String url, String token, String header, int seconds) {
    List<String> cmd = command(url, token, header, seconds);
    String out;
    File log = null;
    try {
      log = File.createTempFile("kinhub-bench-wrk", ".txt");
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log).start();
      if (!p.waitFor(seconds + 60L, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        throw new IllegalStateException("wrk did not finish within " + (seconds + 60) + " s");
      }
      out = Files.readString(log.toPath(), StandardCharsets.UTF_8);
      if (p.exitValue() != 0) {
        throw new IllegalStateException(
            "wrk exited with status " + p.exitValue() + ": " + Api.abbreviate(out));
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run wrk: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } finally {
      if (log != null) {
        log.delete();
      }
    }
    return parse(out);
  }

  static Result parse(String out) {
    Matcher rps = RPS.matcher(out);
    Matcher total = TOTAL.matcher(out);
    if (!rps.find() || !total.find()) {
      throw new IllegalStateException("cannot read wrk's output: " + Api.abbreviate(out));
    }
    long non2xx = 0;
    Matcher n = NON2XX.matcher(out);
    if (n.find()) {
      non2xx = Long.parseLong(n.group(1));
    }
    long errors = 0;
    Matcher e = SOCKET_ERRORS.matcher(out);
    if (e.find()) {
      for (int i = 1; i <= 4; i++) {
        errors += Long.parseLong(e.group(i));
      }
    }
    double p50 = Double.NaN;
    double p99 = Double.NaN;
    Matcher p = PERCENTILE.matcher(out);
    while (p.find()) {
      double v = Double.parseDouble(p.group(2));
      double ms =
          switch (p.group(3)) {
            case "us" -> v / 1000;
            case "s" -> v * 1000;
            default -> v;
          };
      if (p.group(1).equals("50")) {
        p50 = ms;
      } else {
        p99 = ms;
      }
    }
    return new Result(
        Double.parseDouble(rps.group(1)), Long.parseLong(total.group(1)), non2xx, errors, p50, p99);
  }
}
