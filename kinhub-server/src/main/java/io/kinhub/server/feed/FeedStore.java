package io.kinhub.server.feed;

import io.kinhub.server.backing.Database;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.RowMapper;

/**
 * Posts, comments, likes, follows and notifications in PostgreSQL: the records the Redis structures
 * are rebuilt from.
 */
final class FeedStore {
  /** A post as stored (counters as last flushed). */
  record PostRow(
      long id,
      long familyId,
      long authorId,
      String authorName,
      String text,
      Instant createdAt,
      long likes,
      long comments) {}

  /** A comment as stored. */
  record CommentRow(
      long id, long postId, long authorId, String authorName, String text, Instant createdAt) {}

  /** A notification as stored. */
  record NotificationRow(
      long id,
      String kind,
      long actorId,
      String actorName,
      long postId,
      Long commentId,
      Instant createdAt,
      boolean read) {}

  private static final String POST_COLUMNS =
      "p.id, p.family_id, p.author_id, a.display_name, p.text, p.created_at, "
          + "p.like_count, p.comment_count";
  private static final RowMapper<PostRow> POST =
      (rs, ctx) ->
          new PostRow(
              rs.getLong("id"),
              rs.getLong("family_id"),
              rs.getLong("author_id"),
              rs.getString("display_name"),
              rs.getString("text"),
              rs.getTimestamp("created_at").toInstant(),
              rs.getLong("like_count"),
              rs.getLong("comment_count"));
  private static final RowMapper<CommentRow> COMMENT =
      (rs, ctx) ->
          new CommentRow(
              rs.getLong("id"),
              rs.getLong("post_id"),
              rs.getLong("author_id"),
              rs.getString("display_name"),
              rs.getString("text"),
              rs.getTimestamp("created_at").toInstant());

  private final Database db;

  FeedStore(Database db) {
    this.db = db;
  }

  void insertPost(long id, long familyId, long authorId, String text, Instant createdAt) {
    db.withHandle(
        h ->
            h.createUpdate(
                    "INSERT INTO post (id, family_id, author_id, text, created_at) "
                        + "VALUES (:id, :family, :author, :text, :created)")
                .bind("id", id)
                .bind("family", familyId)
                .bind("author", authorId)
                .bind("text", text)
                .bind("created", Timestamp.from(createdAt))
                .execute());
  }

  Optional<PostRow> post(long id) {
    return db.withHandle(
        h ->
            h.createQuery(
                    "SELECT "
                        + POST_COLUMNS
                        + " FROM post p JOIN account a ON a.id = p.author_id "
                        + "WHERE p.id = :id")
                .bind("id", id)
                .map(POST)
                .findOne());
  }

  boolean deletePost(long id) {
    return db.withHandle(
            h -> h.createUpdate("DELETE FROM post WHERE id = :id").bind("id", id).execute())
        > 0;
  }

  /** A family's posts, newest first, strictly below {@code before} (0: from the newest). */
  List<PostRow> familyPosts(long familyId, long before, int limit) {
    return db.withHandle(
        h ->
            h.createQuery(
                    "SELECT "
                        + POST_COLUMNS
                        + " FROM post p JOIN account a ON a.id = p.author_id "
                        + "WHERE p.family_id = :family AND (:before = 0 OR p.id < :before) ORDER BY p.id DESC LIMIT :limit")
                .bind("family", familyId)
                .bind("before", before)
                .bind("limit", limit)
                .map(POST)
                .list());
  }

  /**
   * The ids (and families) of a user's feed as PostgreSQL knows it: posts of the families they
   * belong to (only those with at most {@code pullAbove} members when that is positive; bigger ones
   * are merged at read time) and posts of the people they follow in public families, newest first,
   * strictly below {@code before}.
   */
  List<PostRow> feed(long userId, long before, int limit, int pullAbove) {
    return db.withHandle(
        h ->
            h.createQuery(
                    "SELECT "
                        + POST_COLUMNS
                        + " FROM post p JOIN account a ON a.id = p.author_id "
                        + "WHERE (:before = 0 OR p.id < :before) AND ("
                        + "  p.family_id IN (SELECT m.family_id FROM family_member m WHERE m.account_id = :user AND (:pull = 0 OR "
                        + "    (SELECT count(*) FROM family_member c WHERE c.family_id = m.family_id) <= :pull))"
                        + "  OR (p.author_id IN (SELECT followee_id FROM follow WHERE follower_id = :user)"
                        + "      AND p.family_id IN (SELECT id FROM family WHERE public)))"
                        + " ORDER BY p.id DESC LIMIT :limit")
                .bind("user", userId)
                .bind("before", before)
                .bind("limit", limit)
                .bind("pull", pullAbove)
                .map(POST)
                .list());
  }

  /**
   * The user ids a new post of a family goes to: its members (unless the family is pulled) and,
   * when public, the author's followers.
   */
  List<Long> recipients(long familyId, long authorId, boolean membersToo) {
    return db.withHandle(
        h ->
            h.createQuery(
                    """
            SELECT m.account_id FROM family_member m WHERE :members AND m.family_id = :family
            UNION
            SELECT f.follower_id FROM follow f JOIN family fa ON fa.id = :family AND fa.public WHERE f.followee_id = :author""")
                .bind("family", familyId)
                .bind("author", authorId)
                .bind("members", membersToo)
                .mapTo(Long.class)
                .list());
  }

  int memberCount(long familyId) {
    return db.withHandle(
        h ->
            h.createQuery("SELECT count(*) FROM family_member WHERE family_id = :family")
                .bind("family", familyId)
                .mapTo(Integer.class)
                .one());
  }

  /** The families the user belongs to, with their member counts. */
  List<long[]> familiesWithSizes(long userId) {
    return db.withHandle(
        h ->
            h.createQuery(
                    "SELECT m.family_id, (SELECT count(*) FROM family_member c "
                        + "WHERE c.family_id = m.family_id) AS member_count FROM family_member m WHERE m.account_id = :user")
                .bind("user", userId)
                .map((rs, ctx) -> new long[] {rs.getLong("family_id"), rs.getLong("member_count")})
                .list());
  }

  // ---- comments and likes
  // ------------------------------------------------------------------------------------

  void insertComment(long id, long postId, long authorId, String text, Instant createdAt) {
    db.withHandle(
        h ->
            h.createUpdate(
                    "INSERT INTO post_comment (id, post_id, author_id, text, created_at) "
                        + "VALUES (:id, :post, :author, :text, :created)")
                .bind("id", id)
                .bind("post", postId)
                .bind("author", authorId)
                .bind("text", text)
                .bind("created", Timestamp.from(createdAt))
                .execute());
  }

  List<CommentRow> comments(long postId, long before, int limit) {
    return db.withHandle(
        h ->
            h.createQuery(
                    "SELECT c.id, c.post_id, c.author_id, a.display_name, c.text, c.created_at "
                        + "FROM post_comment c JOIN account a ON a.id = c.author_id "
                        + "WHERE c.post_id = :post AND (:before = 0 OR c.id < :before) ORDER BY c.id DESC LIMIT :limit")
                .bind("post", postId)
                .bind("before", before)
                .bind("limit", limit)
                .map(COMMENT)
                .list());
  }

  void like(long postId, long userId, boolean like) {
    db.withHandle(
        h ->
            (like
                    ? h.createUpdate(
                        "INSERT INTO post_like (post_id, account_id) SELECT :post, :user WHERE EXISTS "
                            + "(SELECT 1 FROM post WHERE id = :post) ON CONFLICT DO NOTHING")
                    : h.createUpdate(
                        "DELETE FROM post_like WHERE post_id = :post AND account_id = :user"))
                .bind("post", postId)
                .bind("user", userId)
                .execute());
  }

  /**
   * Writes counters taken from Redis in the caller's (fenced) transaction; absolute values, so a
   * repeated or late flush of the same values is harmless.
   */
  static void flushCounters(Handle h, List<long[]> rows) {
    {
      var batch =
          h.prepareBatch(
              "UPDATE post SET like_count = :l, comment_count = :c, view_count = :v WHERE id = :id");
      for (long[] r : rows) {
        batch.bind("id", r[0]).bind("l", r[1]).bind("c", r[2]).bind("v", r[3]).add();
      }
      batch.execute();
    }
  }

  // ---- follows
  // ------------------------------------------------------------------------------------------------

  /** True when the follow changed (a repeated follow or unfollow is a no-op). */
  boolean follow(long follower, long followee, boolean follow) {
    return db.withHandle(
            h ->
                (follow
                        ? h.createUpdate(
                            "INSERT INTO follow (follower_id, followee_id) VALUES (:a, :b) ON CONFLICT DO NOTHING")
                        : h.createUpdate(
                            "DELETE FROM follow WHERE follower_id = :a AND followee_id = :b"))
                    .bind("a", follower)
                    .bind("b", followee)
                    .execute())
        > 0;
  }

  List<Long> followers(long userId) {
    return db.withHandle(
        h ->
            h.createQuery("SELECT follower_id FROM follow WHERE followee_id = :u")
                .bind("u", userId)
                .mapTo(Long.class)
                .list());
  }

  List<Long> followees(long userId) {
    return db.withHandle(
        h ->
            h.createQuery("SELECT followee_id FROM follow WHERE follower_id = :u")
                .bind("u", userId)
                .mapTo(Long.class)
                .list());
  }

  Optional<String> displayName(long userId) {
    return db.withHandle(
        h ->
            h.createQuery("SELECT display_name FROM account WHERE id = :u")
                .bind("u", userId)
                .mapTo(String.class)
                .findOne());
  }

  // ---- notifications
  // ------------------------------------------------------------------------------------------

  long notify(long userId, String kind, long actorId, long postId, Long commentId) {
    return db.withHandle(
        h ->
            h.createQuery(
                    "INSERT INTO notification (account_id, kind, actor_id, post_id, comment_id) "
                        + "VALUES (:u, :k, :a, :p, :c) RETURNING id")
                .bind("u", userId)
                .bind("k", kind)
                .bind("a", actorId)
                .bind("p", postId)
                .bind("c", commentId)
                .mapTo(Long.class)
                .one());
  }

  List<NotificationRow> notifications(long userId, long before, int limit) {
    return db.withHandle(
        h ->
            h.createQuery(
                    "SELECT n.id, n.kind, n.actor_id, a.display_name, n.post_id, n.comment_id, "
                        + "n.created_at, n.read_at IS NOT NULL AS read FROM notification n JOIN account a ON a.id = n.actor_id "
                        + "WHERE n.account_id = :u AND (:before = 0 OR n.id < :before) ORDER BY n.id DESC LIMIT :limit")
                .bind("u", userId)
                .bind("before", before)
                .bind("limit", limit)
                .map(
                    (rs, ctx) ->
                        new NotificationRow(
                            rs.getLong("id"),
                            rs.getString("kind"),
                            rs.getLong("actor_id"),
                            rs.getString("display_name"),
                            rs.getLong("post_id"),
                            (Long) rs.getObject("comment_id"),
                            rs.getTimestamp("created_at").toInstant(),
                            rs.getBoolean("read")))
                .list());
  }

  long unread(long userId) {
    return db.withHandle(
        h ->
            h.createQuery(
                    "SELECT count(*) FROM notification WHERE account_id = :u AND read_at IS NULL")
                .bind("u", userId)
                .mapTo(Long.class)
                .one());
  }

  /** Marks the given notifications (all when {@code ids} is empty) of the user read. */
  void markRead(long userId, List<Long> ids) {
    db.withHandle(
        h -> {
          var update =
              h.createUpdate(
                      "UPDATE notification SET read_at = now() WHERE account_id = :u AND read_at IS NULL"
                          + (ids.isEmpty() ? "" : " AND id = ANY(:ids)"))
                  .bind("u", userId);
          if (!ids.isEmpty()) {
            update.bindArray("ids", Long.class, ids);
          }
          return update.execute();
        });
  }
}
