package io.kinhub.redis.nearcache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.kinhub.redis.events.Delivery;
import io.kinhub.redis.events.EventBus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.slf4j.LoggerFactory;

/**
 * An in-process cache in front of Redis whose entries are dropped on every node when {@link
 * #invalidateEverywhere} returns, and which is never read while the node may have missed an
 * invalidation.
 *
 * <p>Entries are served only while the {@link EventBus} trusts itself; otherwise every read goes to
 * the loader (Redis). Deafness flushes the whole cache. Every entry also expires after a short
 * maximum age. A load races an invalidation of the same key: the value is stored, then kept only if
 * no invalidation or flush happened since the load began (the generation counter), so a value read
 * from Redis before a revocation is never resurrected after it. Loads begun while the bus did not
 * trust itself are not stored.
 *
 * @param <V> immutable cached values
 */
public final class NearCache<V> {
  private static final String ALL = "*";

  private final String name;
  private final String topic;
  private final EventBus bus;
  private final Cache<String, V> cache;
  private final AtomicLong generation = new AtomicLong();
  private final ConcurrentHashMap<String, Flight<V>> flights = new ConcurrentHashMap<>();
  private final List<Consumer<List<String>>> invalidationListeners = new CopyOnWriteArrayList<>();
  private final Counter coalesced;
  private final Counter hits;
  private final Counter misses;
  private final Counter bypasses;
  private final Counter invalidations;

  private NearCache(
      String name, EventBus bus, long maximumSize, Duration maximumAge, MeterRegistry meters) {
    this.name = name;
    this.topic = "nearcache:" + name;
    this.bus = bus;
    this.cache =
        Caffeine.newBuilder().maximumSize(maximumSize).expireAfterWrite(maximumAge).build();
    this.hits = counter(meters, name, "hit");
    this.misses = counter(meters, name, "miss");
    this.bypasses = counter(meters, name, "bypass");
    this.coalesced =
        Counter.builder("kinhub_nearcache_coalesced_loads_total")
            .description(
                "misses that waited for a load of the same key already in flight on this node (single flight)")
            .tag("cache", name)
            .register(meters);
    this.invalidations =
        Counter.builder("kinhub_nearcache_invalidations_total")
            .description("keys invalidated on every node")
            .tag("cache", name)
            .register(meters);
    Gauge.builder("kinhub_nearcache_size", cache, Cache::estimatedSize)
        .description("entries held on this node")
        .tag("cache", name)
        .register(meters);
  }

  private static Counter counter(MeterRegistry meters, String name, String result) {
    return Counter.builder("kinhub_nearcache_requests_total")
        .description("near cache reads by result: hit, miss, or bypass (cache not trusted)")
        .tag("cache", name)
        .tag("result", result)
        .register(meters);
  }

  /**
   * Creates a cache whose invalidations travel on {@code bus}.
   *
   * @param name unique per bus; also the metrics tag
   * @param maximumSize entries kept at most
   * @param maximumAge safety net: no entry is served older than this
   */
  public static <V> NearCache<V> create(
      String name, EventBus bus, long maximumSize, Duration maximumAge, MeterRegistry meters) {
    if (name.isEmpty() || name.contains("|")) {
      throw new IllegalArgumentException(
          "near cache name must be non-empty and free of '|' but was '" + name + "'");
    }
    NearCache<V> nearCache = new NearCache<>(name, bus, maximumSize, maximumAge, meters);
    bus.subscribe(nearCache.topic, nearCache::onInvalidation);
    bus.onDeafness(
        reason -> {
          nearCache.invalidateAllLocally();
          nearCache.notifyListeners(List.of());
        });
    return nearCache;
  }

  public String name() {
    return name;
  }

  /**
   * Returns the cached value when the cache is trusted, else loads it. {@code loader} returns null
   * for "absent", which is not cached.
   */
  public V get(String key, Function<String, V> loader) {
    boolean trusted = bus.trusted();
    if (trusted) {
      V cached = cache.getIfPresent(key);
      if (cached != null) {
        hits.increment();
        return cached;
      }
      misses.increment();
    } else {
      bypasses.increment();
    }
    return loadOnce(key, loader, trusted);
  }

  /**
   * Single flight: concurrent misses of one key on this node share one load. A caller joins a load
   * in flight only if no invalidation or flush happened since it began (same generation and epoch);
   * otherwise it starts its own, so a load that began before an invalidation is never handed to a
   * caller that came after it.
   */
  private V loadOnce(String key, Function<String, V> loader, boolean trusted) {
    long generationAtStart = generation.get();
    long epochAtStart = bus.epoch();
    Flight<V> mine = new Flight<>(generationAtStart, epochAtStart);
    Flight<V> running =
        flights.compute(
            key,
            (k, current) ->
                current != null
                        && current.generation == generationAtStart
                        && current.epoch == epochAtStart
                    ? current
                    : mine);
    if (running != mine) {
      coalesced.increment();
      return running.await();
    }
    try {
      V loaded = loader.apply(key);
      if (loaded != null
          && trusted
          && generation.get() == generationAtStart
          && bus.epoch() == epochAtStart) {
        cache.put(key, loaded);
        if (generation.get() != generationAtStart || bus.epoch() != epochAtStart) {
          cache.asMap().remove(key, loaded); // only our value: a newer load stored since stays
        }
      }
      mine.result.complete(loaded);
      return loaded;
    } catch (RuntimeException | Error e) {
      mine.result.completeExceptionally(e);
      throw e;
    } finally {
      flights.remove(key, mine);
    }
  }

  private static final class Flight<V> {
    final long generation;
    final long epoch;
    final CompletableFuture<V> result = new CompletableFuture<>();

    Flight(long generation, long epoch) {
      this.generation = generation;
      this.epoch = epoch;
    }

    V await() {
      try {
        return result.join();
      } catch (CompletionException e) {
        if (e.getCause() instanceof RuntimeException r) {
          throw r;
        }
        if (e.getCause() instanceof Error err) {
          throw err;
        }
        throw e;
      }
    }
  }

  /** Replaces a cached value only if the key is still cached (never re-adds an invalidated key). */
  public void updateIfPresent(String key, UnaryOperator<V> update) {
    cache.asMap().computeIfPresent(key, (k, v) -> update.apply(v));
  }

  /** Drops keys on this node only. */
  public void invalidateLocally(Collection<String> keys) {
    generation.incrementAndGet();
    cache.invalidateAll(keys);
  }

  /**
   * Runs {@code listener} (quickly; on the bus thread for invalidations from other nodes) with the
   * keys of every invalidation this node hears of, its own included; an empty list means everything
   * was dropped (a flush or deafness). Lets a feature react to what the cache forgets, e.g. end
   * work tied to a revoked key.
   */
  public void onInvalidation(Consumer<List<String>> listener) {
    invalidationListeners.add(listener);
  }

  private void notifyListeners(List<String> keys) {
    for (Consumer<List<String>> listener : invalidationListeners) {
      try {
        listener.accept(keys);
      } catch (RuntimeException e) {
        LoggerFactory.getLogger(NearCache.class)
            .warn("near cache {}: invalidation listener failed: {}", name, e.toString());
      }
    }
  }

  /**
   * Drops keys here and on every node, returning once no node can serve them from its cache any
   * more. Call it after the source of truth in Redis has changed.
   *
   * @throws io.kinhub.redis.RedisUnavailableException when the invalidation could not be published
   */
  public Delivery invalidateEverywhere(Collection<String> keys) {
    for (String key : keys) {
      if (key.isEmpty() || key.contains("\n") || ALL.equals(key)) {
        throw new IllegalArgumentException(
            "near cache key must be non-empty, one line, and not '*' but was '" + key + "'");
      }
    }
    invalidateLocally(keys);
    invalidations.increment(keys.size());
    return bus.publishAndAwait(
        topic, String.join("\n", keys)); // listeners here hear it with every node, from the bus
  }

  /** Drops everything here and on every node. */
  public Delivery invalidateAllEverywhere() {
    invalidateAllLocally();
    return bus.publishAndAwait(topic, ALL);
  }

  private void onInvalidation(String payload) {
    if (ALL.equals(payload)) {
      invalidateAllLocally();
      notifyListeners(List.of());
      return;
    }
    List<String> keys = List.of(payload.split("\n"));
    invalidateLocally(keys);
    notifyListeners(keys);
  }

  /** Drops everything on this node only. */
  public void invalidateAllLocally() {
    generation.incrementAndGet();
    cache.invalidateAll();
  }

  /** Approximate number of cached entries. */
  public long size() {
    return cache.estimatedSize();
  }
}
