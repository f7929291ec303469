package io.kinhub.server.abuse;

import io.kinhub.redis.ratelimit.Decision;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The IETF {@code RateLimit-Policy} and {@code RateLimit} fields
 * (draft-ietf-httpapi-ratelimit-headers), structured-field lists with one item per bucket: {@code
 * RateLimit-Policy: "sessions-ip-60s";q=10;w=60} and {@code RateLimit: "sessions-ip-60s";r=9;t=6}
 * ({@code q} quota, {@code w} window in seconds, {@code r} remaining, {@code t} seconds until full
 * again).
 */
final class RateLimitHeaders {
  private RateLimitHeaders() {}

  static String policy(List<Decision.BucketState> states) {
    return states.stream()
        .map(
            s ->
                quote(s.bucket().name())
                    + ";q="
                    + s.bucket().bandwidth().capacity()
                    + ";w="
                    + s.bucket().bandwidth().windowSeconds())
        .collect(Collectors.joining(", "));
  }

  static String state(List<Decision.BucketState> states) {
    return states.stream()
        .map(
            s ->
                quote(s.bucket().name())
                    + ";r="
                    + s.remaining()
                    + ";t="
                    + ceilSeconds(s.untilFull().toNanos()))
        .collect(Collectors.joining(", "));
  }

  static long ceilSeconds(long nanos) {
    return Math.max(0, (nanos + 999_999_999L) / 1_000_000_000L);
  }

  private static String quote(String name) {
    return "\"" + name.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
