package io.kinhub.server.config;

import io.kinhub.redis.connection.RedisConnections;
import io.kinhub.server.abuse.ClientIp;
import io.kinhub.server.backing.RedisChecks;
import io.kinhub.server.config.Config.InvalidConfigException;
import io.kinhub.server.config.Variable.Parser;
import java.net.URI;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parsers of the {@link Variables} table; each failure message names the variable and quotes
 * the value.
 */
final class Parsers {
  private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");

  private Parsers() {}

  static Parser<String> text() {
    return (name, text) -> text;
  }

  /** Empty text is no value; any other text goes to {@code parser}. */
  static <T> Parser<Optional<T>> optional(Parser<T> parser) {
    return (name, text) ->
        text.isEmpty() ? Optional.empty() : Optional.of(parser.parse(name, text));
  }

  static Parser<String> checked(Predicate<String> ok, String expected) {
    return (name, text) -> {
      if (!ok.test(text)) {
        throw new InvalidConfigException(name + " must be " + expected + " but was '" + text + "'");
      }
      return text;
    };
  }

  /** Like {@link #checked} but the message leaves the value out. */
  static Parser<String> secret(Predicate<String> ok, String expected) {
    return (name, text) -> {
      if (!ok.test(text)) {
        throw new InvalidConfigException(name + " must be " + expected + " (value not shown)");
      }
      return text;
    };
  }

  static Parser<String> lowerCaseOneOf(String... values) {
    List<String> allowed = List.of(values);
    Parser<String> check = checked(allowed::contains, String.join(" or ", allowed));
    return (name, text) -> check.parse(name, text.toLowerCase(Locale.ROOT));
  }

  static Parser<Boolean> bool() {
    return (name, text) ->
        switch (text.toLowerCase(Locale.ROOT)) {
          case "true" -> true;
          case "false" -> false;
          default ->
              throw new InvalidConfigException(
                  name + " must be true or false but was '" + text + "'");
        };
  }

  static Parser<Integer> integer(int min, int max) {
    return (name, text) -> {
      try {
        int parsed = Integer.parseInt(text);
        if (parsed >= min && parsed <= max) {
          return parsed;
        }
      } catch (NumberFormatException e) {
        // fall through to the message
      }
      throw new InvalidConfigException(
          name + " must be an integer from " + min + " to " + max + " but was '" + text + "'");
    };
  }

  /** {@code auto} (any case) is {@code auto}; anything else goes to {@code parser}. */
  static Parser<Integer> autoOr(int auto, Parser<Integer> parser) {
    return (name, text) -> text.equalsIgnoreCase("auto") ? auto : parser.parse(name, text);
  }

  /** A whole number of MiB, in bytes. */
  static Parser<Long> mebibytes(int min, int max) {
    return integer(min, max).map(mib -> mib * 1024L * 1024L);
  }

  /**
   * {@code 500ms}, {@code 30s}, {@code 15m}, {@code 12h} or {@code 7d}, from {@code min} to {@code
   * max}.
   */
  static Parser<Duration> duration(Duration min, Duration max) {
    return (name, text) -> {
      Matcher m = DURATION.matcher(text.toLowerCase(Locale.ROOT));
      if (m.matches()) {
        long n = Long.parseLong(m.group(1));
        Duration d =
            switch (m.group(2)) {
              case "ms" -> Duration.ofMillis(n);
              case "s" -> Duration.ofSeconds(n);
              case "m" -> Duration.ofMinutes(n);
              case "h" -> Duration.ofHours(n);
              default -> Duration.ofDays(n);
            };
        if (d.compareTo(min) >= 0 && d.compareTo(max) <= 0) {
          return d;
        }
      }
      throw new InvalidConfigException(
          name
              + " must be a duration like 500ms, 30s, 15m, 12h or 7d between "
              + min
              + " and "
              + max
              + " but was '"
              + text
              + "'");
    };
  }

  /** An absolute, normalised path. */
  static Parser<Path> path() {
    return (name, text) -> {
      try {
        return Path.of(text).toAbsolutePath().normalize();
      } catch (InvalidPathException e) {
        throw new InvalidConfigException(
            name + " must be a file system path but was '" + text + "'");
      }
    };
  }

  static Parser<String> httpUrl() {
    return checked(Parsers::isHttpUrl, "an http(s) URL");
  }

  /**
   * A Redis URI Kinhub can use: standalone, Sentinel or Cluster, never a database number other than
   * 0.
   */
  static Parser<String> redisUrl() {
    Parser<String> scheme =
        checked(
            s ->
                s.startsWith("redis://")
                    || s.startsWith("rediss://")
                    || s.startsWith("redis-sentinel://")
                    || RedisConnections.isCluster(s),
            "a redis://, rediss://, redis-sentinel:// or redis-cluster:// URI");
    return (name, text) -> {
      scheme.parse(name, text);
      if (RedisConnections.isCluster(text)) {
        try {
          RedisConnections.checkClusterUri(text);
        } catch (IllegalArgumentException e) {
          throw new InvalidConfigException(name + ": " + e.getMessage());
        }
      } else {
        RedisChecks.refuseDatabaseNumber(text)
            .ifPresent(
                message -> {
                  throw new InvalidConfigException(name + " " + message);
                });
      }
      return text;
    };
  }

  /** A Redis key prefix: it must not contain a hash tag or the separator of composite keys. */
  static Parser<String> redisPrefix() {
    return checked(
        s ->
            !s.isEmpty()
                && s.length() <= 64
                && s.chars().noneMatch(c -> c <= ' ' || c == '{' || c == '}' || c == '|'),
        "1 to 64 visible characters without braces or '|'");
  }

  /** Comma-separated CIDRs of trusted reverse proxies. */
  static Parser<ClientIp> trustedProxies() {
    return (name, text) -> {
      try {
        return ClientIp.trusting(text);
      } catch (IllegalArgumentException e) {
        throw new InvalidConfigException(name + ": " + e.getMessage());
      }
    };
  }

  private static boolean isHttpUrl(String s) {
    try {
      URI uri = URI.create(s);
      return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
          && uri.getHost() != null;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
