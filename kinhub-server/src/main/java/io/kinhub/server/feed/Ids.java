package io.kinhub.server.feed;

import java.time.Instant;

/**
 * Post and comment ids: (Redis milliseconds since 2026-01-01) * 4096 + a per-millisecond sequence,
 * strictly increasing.
 */
final class Ids {
  static final long EPOCH_MS = 1767225600000L;

  private Ids() {}

  static Instant createdAt(long id) {
    return Instant.ofEpochMilli(EPOCH_MS + (id >> 12));
  }

  /** A cursor or id from a request: a positive decimal of at most 18 digits, else -1. */
  static long parse(String text) {
    if (text == null || text.isEmpty() || text.length() > 18 || text.charAt(0) == '0') {
      return -1;
    }
    long id = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      id = id * 10 + (c - '0');
    }
    return id;
  }
}
