package io.kinhub.server.abuse;

import io.kinhub.redis.ratelimit.Bandwidth;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The rate limits of one endpoint: for each dimension (client IP, login, phone, authenticated user)
 * one or more bandwidths. Written as {@code phone:1/60s+10/1d,ip:20/1h}: per phone one per 60 s and
 * ten per day, per IP twenty per hour.
 *
 * @param name the policy name: Redis group and prefix of the header policy names
 * @param method HTTP method of the endpoint
 * @param path path of the endpoint
 * @param limits the dimensions and their bandwidths
 * @param failOpen whether requests pass when Redis cannot decide (else {@code 503})
 */
public record RateLimitPolicy(
    String name, String method, String path, List<Limit> limits, boolean failOpen) {

  /** What a bucket counts per. */
  public enum Dimension {
    IP,
    LOGIN,
    PHONE,
    /**
     * The caller's user id; requests without a valid session are counted by their other dimensions
     * only.
     */
    USER;

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** The bandwidths of one dimension. */
  public record Limit(Dimension dimension, List<Bandwidth> bandwidths) {}

  private static final Pattern BANDWIDTH = Pattern.compile("(\\d{1,9})/(\\d{1,9})(ms|s|m|h|d)");

  /**
   * The defaults: SMS, login and password change fail closed, registration and QR tickets fail
   * open.
   */
  public static List<RateLimitPolicy> defaults() {
    return List.of(
        parse("sms-codes", "POST", "/api/v1/sms-codes", "phone:1/60s+10/1d,ip:20/1h", false),
        parse("sessions", "POST", "/api/v1/sessions", "ip:10/1m,login:10/1m", false),
        parse("accounts", "POST", "/api/v1/accounts", "ip:10/1h", true),
        parse("qr-logins", "POST", "/api/v1/qr-logins", "ip:30/1m", true),
        parse("invitations", "POST", "/api/v1/invitations/{code}/accept", "ip:30/1m", true),
        parse("gedcom-imports", "POST", "/api/v1/families/{id}/gedcom", "ip:30/1h", true),
        // each attempt costs an Argon2id hash and is a guess at the current password
        parse(
            "password-changes", "PUT", "/api/v1/me/password", "user:5/15m+20/1d,ip:20/1h", false));
  }

  /** The policy written back in its specification syntax. */
  public String spec() {
    StringBuilder out = new StringBuilder();
    for (Limit limit : limits) {
      if (!out.isEmpty()) {
        out.append(',');
      }
      out.append(limit.dimension().label()).append(':');
      for (int i = 0; i < limit.bandwidths().size(); i++) {
        Bandwidth b = limit.bandwidths().get(i);
        out.append(i == 0 ? "" : "+").append(b.capacity()).append('/').append(period(b.period()));
      }
    }
    return out.toString();
  }

  private static String period(Duration d) {
    long ms = d.toMillis();
    if (ms % 86_400_000 == 0) {
      return ms / 86_400_000 + "d";
    }
    if (ms % 3_600_000 == 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms % 60_000 == 0 && ms >= 600_000) {
      return ms / 60_000 + "m";
    }
    return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
  }

  /** Parses a policy specification; the message of a failure quotes the bad part. */
  public static RateLimitPolicy parse(
      String name, String method, String path, String spec, boolean failOpen) {
    List<Limit> limits = new ArrayList<>();
    for (String part : spec.split(",", 0)) {
      String p = part.strip();
      int colon = p.indexOf(':');
      if (colon < 0) {
        throw new IllegalArgumentException("rate limit '" + p + "' must look like ip:10/1m");
      }
      Dimension dimension;
      try {
        dimension = Dimension.valueOf(p.substring(0, colon).strip().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "unknown rate limit dimension in '" + p + "' (ip, login, phone or user)");
      }
      List<Bandwidth> bandwidths = new ArrayList<>();
      for (String b : p.substring(colon + 1).split("\\+", 0)) {
        Matcher m = BANDWIDTH.matcher(b.strip());
        if (!m.matches() || Long.parseLong(m.group(1)) < 1 || Long.parseLong(m.group(2)) < 1) {
          throw new IllegalArgumentException(
              "rate '"
                  + b.strip()
                  + "' must look like 10/1m (count/period, period in ms, s, m, h or d)");
        }
        long n = Long.parseLong(m.group(2));
        Duration period =
            switch (m.group(3)) {
              case "ms" -> Duration.ofMillis(n);
              case "s" -> Duration.ofSeconds(n);
              case "m" -> Duration.ofMinutes(n);
              case "h" -> Duration.ofHours(n);
              default -> Duration.ofDays(n);
            };
        bandwidths.add(Bandwidth.of(Long.parseLong(m.group(1)), period));
      }
      limits.add(new Limit(dimension, List.copyOf(bandwidths)));
    }
    if (limits.isEmpty()) {
      throw new IllegalArgumentException("a rate limit policy needs at least one limit");
    }
    return new RateLimitPolicy(name, method, path, List.copyOf(limits), failOpen);
  }

  /** Whether a login or phone must be read from the request body. */
  boolean needsBody() {
    return limits.stream()
        .anyMatch(l -> l.dimension() == Dimension.LOGIN || l.dimension() == Dimension.PHONE);
  }
}
