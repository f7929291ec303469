package io.kinhub.server.feed;

import io.kinhub.redis.connection.RedisConnections;

/**
 * The feed's Redis keys (under the deployment prefix):
 *
 * <pre>
 *   feed:idseq          last issued post/comment id ("ms:seq")
 *   feed:p:&lt;post&gt;      hash f (family), a (author), l (likes), c (comments), v (views); its existence means "alive"
 *   feed:pl:&lt;post&gt;     set of the users who like the post
 *   feed:pb:&lt;post&gt;     the post's immutable body (JSON), cache-aside in front of PostgreSQL
 *   feed:ub:&lt;user&gt;     a user's public profile (JSON), cache-aside in front of PostgreSQL
 *   feed:fz:&lt;family&gt;   zset of the family's newest posts (score = id), capped
 *   feed:tl:&lt;user&gt;     zset timeline (score = id) with the sentinel member "0" (score 0) once built; expires when unread
 *   feed:tlr:&lt;user&gt;    single-flight flag of a timeline rebuild (SET NX PX)
 *   feed:fol:&lt;user&gt;    set of the user's followers, sentinel "0" once loaded from PostgreSQL
 *   feed:fing:&lt;user&gt;   set of the users the user follows, sentinel "0" once loaded
 *   feed:dirty          set of post ids whose counters changed since the last flush
 *   live:t:&lt;sha256&gt;    a live-channel ticket (single use, 30 s)
 * </pre>
 *
 * Scripts touch several of these keys at once (some built inside the script from the prefix), so
 * every feed key carries the hash tag {@code {feed}}: on a Redis Cluster they all live in one slot,
 * which keeps the scripts atomic and working at the price of putting the feed on one shard
 * (docs/feed.md).
 */
final class FeedKeys {
  private final RedisConnections redis;
  final String prefix;

  FeedKeys(RedisConnections redis) {
    this.redis = redis;
    this.prefix = redis.key("{feed}:");
  }

  String idSeq() {
    return prefix + "idseq";
  }

  String post(long id) {
    return prefix + "p:" + id;
  }

  String likers(long id) {
    return prefix + "pl:" + id;
  }

  String postBody(long id) {
    return prefix + "pb:" + id;
  }

  String userBody(long id) {
    return prefix + "ub:" + id;
  }

  String family(long id) {
    return prefix + "fz:" + id;
  }

  String timeline(long user) {
    return prefix + "tl:" + user;
  }

  String rebuildFlag(long user) {
    return prefix + "tlr:" + user;
  }

  String followers(long user) {
    return prefix + "fol:" + user;
  }

  String following(long user) {
    return prefix + "fing:" + user;
  }

  String dirty() {
    return prefix + "dirty";
  }

  String liveTicket(String hash) {
    return redis.key("live:t:" + hash);
  }
}
