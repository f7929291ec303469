package io.kinhub.server.config;

import java.time.Duration;
import java.util.Map;

/**
 * The near caches of each node (sessions; permissions per user and family; tree versions).
 *
 * @param size entries of each near cache
 * @param maxAge no entry is served older than this
 */
public record NearCacheConfig(long size, Duration maxAge) {

  static NearCacheConfig from(Map<String, String> env) {
    return new NearCacheConfig(
        Variables.NEAR_CACHE_SIZE.read(env), Variables.NEAR_CACHE_MAX_AGE.read(env));
  }
}
