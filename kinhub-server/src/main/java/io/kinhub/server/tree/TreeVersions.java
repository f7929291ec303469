package io.kinhub.server.tree;

import io.kinhub.redis.RedisUnavailableException;
import io.kinhub.redis.events.EventBus;
import io.kinhub.redis.nearcache.NearCache;
import io.kinhub.server.genealogy.Versions;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The current version of each family's tree (its ETag), near-cached so that {@code GET /tree} — a
 * 304 above all — needs no database round trip. Every change to a tree commits in PostgreSQL and
 * then calls {@link #changed} (the stores that change trees call it themselves), which drops the
 * version on every node before the editing request returns.
 */
public final class TreeVersions implements Versions {
  private static final Logger log = LoggerFactory.getLogger(TreeVersions.class);

  private final PersonStore persons;
  private final NearCache<Long> cache;

  public TreeVersions(
      PersonStore persons,
      EventBus bus,
      long cacheSize,
      Duration cacheMaxAge,
      MeterRegistry meters) {
    this.persons = persons;
    this.cache = NearCache.create("tree-versions", bus, cacheSize, cacheMaxAge, meters);
    persons.onChange(this::changed);
  }

  /** The family's tree version; empty when the family does not exist (not cached). */
  @Override
  public Optional<Long> version(long familyId) {
    return Optional.ofNullable(
        cache.get(Long.toString(familyId), k -> persons.version(familyId).orElse(null)));
  }

  /**
   * After a committed change: every node forgets the old version. If Redis cannot carry the
   * invalidation, the nodes stop trusting their near caches anyway (they read PostgreSQL until the
   * bus is healthy again), so the committed change is reported as done rather than as a failure.
   */
  @Override
  public void changed(long familyId) {
    try {
      cache.invalidateEverywhere(List.of(Long.toString(familyId)));
    } catch (RedisUnavailableException e) {
      log.warn(
          "tree version of family {} not invalidated on other nodes ({}); they bypass their caches while Redis is away",
          familyId,
          e.getMessage());
    }
  }
}
