package io.kinhub.server.feed;

import static com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import io.kinhub.redis.connection.RedisConnections;
import io.kinhub.redis.events.EventBus;
import io.kinhub.redis.jobs.Job;
import io.kinhub.redis.jobs.JobQueue;
import io.kinhub.redis.nearcache.NearCache;
import io.kinhub.redis.script.LuaScript;
import io.kinhub.redis.script.Scripts;
import io.kinhub.server.backing.Database;
import io.kinhub.server.http.Json;
import io.kinhub.server.http.Problem;
import io.kinhub.server.permission.FamilyPermission;
import io.kinhub.server.permission.Permissions;
import io.kinhub.server.permission.Roles.FamilyRole;
import io.kinhub.server.session.Session;
import io.lettuce.core.ScriptOutputType;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.slf4j.LoggerFactory;

/**
 * The feed: posts, timelines with fan-out on write (and pull at read time for big families), likes,
 * comments, follows and notifications. PostgreSQL holds the records; Redis the timelines, counters
 * and follow sets; the near caches the immutable post bodies and user profiles. See docs/feed.md
 * for the design.
 */
public final class Feed {
  static final String TOPIC = "feed";
  private static final LuaScript ID = LuaScript.fromResource(Feed.class, "feed_id.lua");
  private static final LuaScript POST_ADD = LuaScript.fromResource(Feed.class, "feed_post_add.lua");
  private static final LuaScript REBUILD = LuaScript.fromResource(Feed.class, "feed_rebuild.lua");
  private static final LuaScript READ = LuaScript.fromResource(Feed.class, "feed_read.lua");
  private static final LuaScript COUNTS = LuaScript.fromResource(Feed.class, "feed_counts.lua");
  private static final LuaScript LIKE = LuaScript.fromResource(Feed.class, "feed_like.lua");
  private static final LuaScript COUNT = LuaScript.fromResource(Feed.class, "feed_count.lua");
  private static final LuaScript FOLLOW = LuaScript.fromResource(Feed.class, "feed_follow.lua");
  private static final LuaScript SET_LOAD = LuaScript.fromResource(Feed.class, "feed_set_load.lua");
  private static final Duration REBUILD_LEASE = Duration.ofSeconds(10);
  private static final Duration BODY_TTL = Duration.ofDays(1);

  /** An immutable post body as cached. */
  record PostBody(
      long id, long familyId, long authorId, String authorName, String text, Instant createdAt) {}

  /** A user's public profile as cached. */
  record Profile(long id, String displayName) {}

  /** A post with its counters as the API shows it. */
  record PostView(PostBody body, long likes, long comments, boolean likedByMe) {
    PostJson json() {
      return new PostJson(
          Long.toString(body.id()),
          Long.toString(body.familyId()),
          new UserRef(Long.toString(body.authorId()), body.authorName()),
          body.text(),
          Json.time(body.createdAt()),
          likes,
          comments,
          likedByMe);
    }
  }

  /** A user as posts, comments and notifications name them. */
  record UserRef(String id, String displayName) {}

  /** A post as the API and the live channel show it. */
  record PostJson(
      String id,
      String familyId,
      UserRef author,
      String text,
      String createdAt,
      long likeCount,
      long commentCount,
      boolean likedByMe) {}

  /** A comment as the API and the live channel show it. */
  record CommentJson(String id, UserRef author, String text, String createdAt) {}

  /** A user's profile with the follow counts. */
  record UserJson(
      String id,
      String displayName,
      long followerCount,
      long followingCount,
      boolean followedByMe) {}

  /** A notification; {@code commentId} only on a comment's. */
  record NotificationJson(
      String id,
      String type,
      UserRef actor,
      String postId,
      @JsonInclude(NON_NULL) String commentId,
      String createdAt,
      boolean read) {}

  /** A page of posts and the cursor of the next one (null at the end). */
  record Page(List<PostView> items, String next) {}

  private final RedisConnections redis;
  private final Scripts scripts;
  private final FeedKeys keys;
  private final FeedStore store;
  private final Permissions permissions;
  private final EventBus bus;
  private final FeedSettings settings;
  private final NearCache<PostBody> posts;
  private final NearCache<Profile> profiles;
  private final NearCache<long[]> bigFamilies;
  private final FanOut fanOut;
  private JobQueue fanoutQueue;

  public Feed(
      RedisConnections redis,
      Database database,
      Permissions permissions,
      EventBus bus,
      FeedSettings settings,
      long cacheSize,
      Duration cacheMaxAge,
      MeterRegistry meters) {
    this.redis = redis;
    this.scripts = new Scripts(redis);
    this.keys = new FeedKeys(redis);
    this.fanOut = new FanOut(redis, settings.timelineCap());
    this.store = new FeedStore(database);
    this.permissions = permissions;
    this.bus = bus;
    this.settings = settings;
    this.posts = NearCache.create("posts", bus, cacheSize, cacheMaxAge, meters);
    this.profiles = NearCache.create("profiles", bus, cacheSize, cacheMaxAge, meters);
    this.bigFamilies = NearCache.create("feed-big-families", bus, cacheSize, cacheMaxAge, meters);
    // a membership change (heard on every node) may change which big families a user's feed pulls
    permissions.onChange(
        changed -> {
          if (changed.isEmpty()) {
            bigFamilies.invalidateAllLocally();
            return;
          }
          bigFamilies.invalidateLocally(
              changed.stream().map(k -> k.substring(0, Math.max(0, k.indexOf(':')))).toList());
        });
  }

  /**
   * Wires the fan-out queue (created by the node, so tests and benchmarks can run its workers
   * elsewhere).
   */
  public void useQueue(JobQueue queue) {
    this.fanoutQueue = queue;
  }

  FeedStore store() {
    return store;
  }

  FeedSettings settings() {
    return settings;
  }

  Permissions permissions() {
    return permissions;
  }

  // ---- posts
  // ---------------------------------------------------------------------------------------------

  long nextId() {
    for (int attempt = 0; ; attempt++) {
      Long id = scripts.run(ID, ScriptOutputType.INTEGER, List.of(keys.idSeq()));
      if (id != null && id > 0) {
        return id;
      }
      if (attempt > 3) {
        throw Problem.of(503, Problem.UNAVAILABLE, "Cannot allocate an id right now.");
      }
    }
  }

  PostView create(Session session, long familyId, String text) {
    permissions.require(session, FamilyPermission.postToFeed(familyId));
    long id = nextId();
    Instant createdAt = Ids.createdAt(id);
    store.insertPost(id, familyId, session.userId(), text, createdAt);
    scripts.run(
        POST_ADD,
        ScriptOutputType.INTEGER,
        List.of(keys.post(id), keys.family(familyId)),
        Long.toString(id),
        Long.toString(familyId),
        Long.toString(session.userId()),
        Integer.toString(settings.timelineCap()));
    PostBody body =
        new PostBody(
            id,
            familyId,
            session.userId(),
            profile(session.userId()).map(Profile::displayName).orElse(session.displayName()),
            text,
            createdAt);
    writeBody(body);
    fanoutQueue.enqueue(
        "plan|" + id + "|" + familyId + "|" + session.userId(),
        Duration.ZERO,
        "plan:" + id,
        Duration.ofHours(1));
    PostView view = new PostView(body, 0, 0, false);
    publish(
        Map.of(
            "t",
            "post",
            "id",
            Long.toString(id),
            "f",
            familyId,
            "a",
            session.userId(),
            "post",
            view.json()));
    return view;
  }

  /**
   * The post if it exists and the user may read its family; else a 404 (a post one may not see is
   * not revealed).
   */
  PostBody readable(Session session, long postId) {
    PostBody body = body(postId).orElseThrow(() -> Problem.notFound("No such post."));
    if (!mayRead(session.userId(), body.familyId())) {
      throw Problem.notFound("No such post.");
    }
    return body;
  }

  boolean mayRead(long userId, long familyId) {
    return permissions
        .access(userId, familyId)
        .map(a -> a.permits(FamilyPermission.read(familyId).permission()))
        .orElse(false);
  }

  boolean isMember(long userId, long familyId) {
    return permissions.access(userId, familyId).map(Permissions.Access::member).orElse(false);
  }

  PostView view(Session session, long postId) {
    PostBody body = readable(session, postId);
    List<Object> c =
        scripts.run(
            COUNT,
            ScriptOutputType.MULTI,
            List.of(keys.post(postId), keys.dirty()),
            "v",
            "1",
            Long.toString(postId));
    if (c.isEmpty()) {
      throw Problem.notFound("No such post.");
    }
    Boolean liked =
        redis.call(
            "SISMEMBER likers",
            () -> redis.sync().sismember(keys.likers(postId), Long.toString(session.userId())));
    return new PostView(body, (Long) c.get(0), (Long) c.get(1), Boolean.TRUE.equals(liked));
  }

  void delete(Session session, long postId) {
    PostBody body = readable(session, postId);
    Optional<FamilyRole> role =
        permissions.access(session.userId(), body.familyId()).map(Permissions.Access::role);
    boolean allowed =
        body.authorId() == session.userId()
            || role.filter(r -> r == FamilyRole.ADMIN || r == FamilyRole.ORIGINATOR).isPresent();
    if (!allowed) {
      throw Problem.of(
          403,
          Problem.FORBIDDEN,
          "Only the author or an admin of the family may delete this post.");
    }
    store.deletePost(postId);
    // the counter hash is what every feed read checks: once it is gone, no timeline shows the post
    redis.call(
        "DEL post",
        () -> redis.sync().del(keys.post(postId), keys.likers(postId), keys.postBody(postId)));
    redis.call(
        "ZREM family post",
        () -> redis.sync().zrem(keys.family(body.familyId()), Long.toString(postId)));
    posts.invalidateEverywhere(List.of(Long.toString(postId)));
    publish(Map.of("t", "post_deleted", "id", Long.toString(postId), "f", body.familyId()));
  }

  Optional<PostBody> body(long postId) {
    return Optional.ofNullable(posts.get(Long.toString(postId), k -> loadBody(postId)));
  }

  private PostBody loadBody(long postId) {
    String cached = redis.call("GET post body", () -> redis.sync().get(keys.postBody(postId)));
    if (cached != null) {
      return parseBody(cached);
    }
    Optional<FeedStore.PostRow> row = store.post(postId);
    if (row.isEmpty()) {
      return null;
    }
    FeedStore.PostRow r = row.get();
    PostBody body =
        new PostBody(r.id(), r.familyId(), r.authorId(), r.authorName(), r.text(), r.createdAt());
    writeBody(body);
    return body;
  }

  private void writeBody(PostBody body) {
    try {
      String json =
          Json.MAPPER.writeValueAsString(
              Map.of(
                  "id",
                  body.id(),
                  "f",
                  body.familyId(),
                  "a",
                  body.authorId(),
                  "n",
                  body.authorName(),
                  "x",
                  body.text(),
                  "t",
                  body.createdAt().toEpochMilli()));
      redis.call(
          "SET post body",
          () -> redis.sync().psetex(keys.postBody(body.id()), BODY_TTL.toMillis(), json));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static PostBody parseBody(String json) {
    try {
      JsonNode n = Json.MAPPER.readTree(json);
      return new PostBody(
          n.get("id").asLong(),
          n.get("f").asLong(),
          n.get("a").asLong(),
          n.get("n").asText(),
          n.get("x").asText(),
          Instant.ofEpochMilli(n.get("t").asLong()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * After a user's display name changed: every node forgets the cached profile before this returns
   * (delete on write).
   */
  public void profileChanged(long userId) {
    redis.call("DEL profile", () -> redis.sync().del(keys.userBody(userId)));
    profiles.invalidateEverywhere(List.of(Long.toString(userId)));
  }

  Optional<Profile> profile(long userId) {
    return Optional.ofNullable(
        profiles.get(
            Long.toString(userId),
            k -> {
              String cached =
                  redis.call("GET profile", () -> redis.sync().get(keys.userBody(userId)));
              if (cached != null) {
                return new Profile(userId, cached);
              }
              Optional<String> name = store.displayName(userId);
              name.ifPresent(
                  n ->
                      redis.call(
                          "SET profile",
                          () ->
                              redis.sync().psetex(keys.userBody(userId), BODY_TTL.toMillis(), n)));
              return name.map(n -> new Profile(userId, n)).orElse(null);
            }));
  }

  // ---- pages
  // -----------------------------------------------------------------------------------------------

  Page familyPosts(Session session, long familyId, long before, int limit) {
    permissions.require(session, FamilyPermission.read(familyId));
    List<FeedStore.PostRow> rows = store.familyPosts(familyId, before, limit + 1);
    boolean more = rows.size() > limit;
    List<FeedStore.PostRow> page = more ? rows.subList(0, limit) : rows;
    return new Page(
        withCounts(session.userId(), page),
        more ? Long.toString(page.get(page.size() - 1).id()) : null);
  }

  private List<PostView> withCounts(long userId, List<FeedStore.PostRow> rows) {
    if (rows.isEmpty()) {
      return List.of();
    }
    List<String> args = new ArrayList<>();
    args.add(Long.toString(userId));
    args.add(keys.prefix);
    rows.forEach(r -> args.add(Long.toString(r.id())));
    // KEYS[1] only routes the script to the {feed} slot's node on a cluster; the script builds its
    // keys from the prefix
    List<Object> c =
        scripts.run(
            COUNTS, ScriptOutputType.MULTI, List.of(keys.idSeq()), args.toArray(String[]::new));
    List<PostView> out = new ArrayList<>(rows.size());
    for (int i = 0; i < rows.size(); i++) {
      FeedStore.PostRow r = rows.get(i);
      Object likes = c.get(3 * i);
      boolean inRedis = !"-".equals(likes);
      out.add(
          new PostView(
              new PostBody(
                  r.id(), r.familyId(), r.authorId(), r.authorName(), r.text(), r.createdAt()),
              inRedis ? Long.parseLong((String) likes) : r.likes(),
              inRedis ? Long.parseLong((String) c.get(3 * i + 1)) : r.comments(),
              ((Long) c.get(3 * i + 2)) == 1L));
    }
    return out;
  }

  /**
   * My feed: one Redis script reads the timeline merged with my big families' post lists; bodies
   * come from the near cache. A timeline that expired is rebuilt from PostgreSQL by one request
   * (the others, meanwhile, are served from PostgreSQL): never an empty feed by mistake.
   */
  Page feed(Session session, long before, int limit) {
    long user = session.userId();
    for (int attempt = 0; attempt < 2; attempt++) {
      long[] big = bigFamiliesOf(user);
      List<String> k = new ArrayList<>(List.of(keys.timeline(user), keys.rebuildFlag(user)));
      for (long f : big) {
        k.add(keys.family(f));
      }
      List<Object> r =
          scripts.run(
              READ,
              ScriptOutputType.MULTI,
              k,
              before == 0 ? "" : Long.toString(before),
              Integer.toString(limit),
              Long.toString(user),
              Long.toString(settings.activeFor().toMillis()),
              keys.prefix,
              Long.toString(REBUILD_LEASE.toMillis()));
      String status = (String) r.get(0);
      if (status.equals("ok")) {
        return page(user, r);
      }
      if (status.equals("building") || attempt == 1) {
        List<FeedStore.PostRow> rows = store.feed(user, before, limit + 1, 0);
        boolean more = rows.size() > limit;
        List<FeedStore.PostRow> pageRows = more ? rows.subList(0, limit) : rows;
        List<PostView> items =
            withCounts(user, pageRows).stream()
                .filter(v -> mayRead(user, v.body().familyId()))
                .toList();
        return new Page(items, more ? Long.toString(pageRows.get(pageRows.size() - 1).id()) : null);
      }
      rebuild(user);
    }
    throw new IllegalStateException("unreachable");
  }

  private void rebuild(long user) {
    try {
      List<FeedStore.PostRow> rows =
          store.feed(user, 0, settings.timelineCap(), settings.pullAbove());
      List<String> args =
          new ArrayList<>(
              List.of(
                  Integer.toString(settings.timelineCap()),
                  Long.toString(settings.activeFor().toMillis())));
      rows.forEach(row -> args.add(Long.toString(row.id())));
      scripts.run(
          REBUILD,
          ScriptOutputType.INTEGER,
          List.of(keys.timeline(user), keys.rebuildFlag(user)),
          args.toArray(String[]::new));
    } catch (RuntimeException e) {
      redis.call("DEL rebuild flag", () -> redis.sync().del(keys.rebuildFlag(user)));
      throw e;
    }
  }

  private Page page(long user, List<Object> r) {
    boolean more = ((Long) r.get(1)) == 1L;
    List<PostView> items = new ArrayList<>();
    String last = null;
    for (int i = 2; i + 5 < r.size(); i += 6) {
      long id = Long.parseLong((String) r.get(i));
      long family = Long.parseLong((String) r.get(i + 1));
      last = Long.toString(id);
      if (!mayRead(user, family)) {
        continue;
      }
      Optional<PostBody> body = body(id);
      if (body.isEmpty()) {
        continue;
      }
      items.add(
          new PostView(
              body.get(),
              Long.parseLong((String) r.get(i + 3)),
              Long.parseLong((String) r.get(i + 4)),
              ((Long) r.get(i + 5)) == 1L));
    }
    return new Page(items, more && last != null ? last : null);
  }

  /**
   * The families of the user with more members than the pull threshold (their posts are merged at
   * read time).
   */
  long[] bigFamiliesOf(long user) {
    return bigFamilies.get(
        Long.toString(user),
        k ->
            store.familiesWithSizes(user).stream()
                .filter(f -> f[1] > settings.pullAbove())
                .mapToLong(f -> f[0])
                .toArray());
  }

  // ---- fan-out
  // ---------------------------------------------------------------------------------------------

  /**
   * Handles a fan-out job: a plan splits a post's recipients into batches; a batch adds it to their
   * timelines.
   */
  public void handle(Job job) {
    String[] p = job.payload().split("\\|", -1);
    switch (p[0]) {
      case "plan" -> plan(Long.parseLong(p[1]), Long.parseLong(p[2]), Long.parseLong(p[3]));
      case "batch" ->
          fanOut(Long.parseLong(p[1]), p[2].isEmpty() ? List.of() : List.of(p[2].split(",")));
      default -> throw new IllegalArgumentException("unknown fan-out job " + p[0]);
    }
  }

  private void plan(long postId, long familyId, long authorId) {
    boolean pushToMembers = store.memberCount(familyId) <= settings.pullAbove();
    List<Long> recipients = store.recipients(familyId, authorId, pushToMembers);
    int batch = settings.fanoutBatch();
    List<CompletableFuture<String>> enqueued = new ArrayList<>();
    for (int from = 0; from < recipients.size(); from += batch) {
      List<Long> part = recipients.subList(from, Math.min(recipients.size(), from + batch));
      // pipelined on the shared connection; a plan run again (its worker died midway) enqueues its
      // batches again,
      // which costs a second idempotent run of each and changes nothing
      enqueued.add(
          fanoutQueue.enqueueAsync(FanOut.batchPayload(postId, part)).toCompletableFuture());
    }
    for (CompletableFuture<String> f : enqueued) {
      f.join(); // a failure fails the plan job, which is retried
    }
  }

  /**
   * Adds a post to the timelines of {@code users} in one script (idempotent: ZADD of the same
   * member).
   */
  public long fanOut(long postId, List<String> users) {
    return fanOut.add(postId, users);
  }

  // ---- likes and comments
  // --------------------------------------------------------------------------------

  record LikeResult(long likeCount, boolean likedByMe) {}

  LikeResult like(Session session, long postId, boolean like) {
    PostBody body = readable(session, postId);
    List<Object> r =
        scripts.run(
            LIKE,
            ScriptOutputType.MULTI,
            List.of(keys.post(postId), keys.likers(postId), keys.dirty()),
            Long.toString(session.userId()),
            like ? "1" : "0",
            Long.toString(postId));
    long count = (Long) r.get(0);
    if (count < 0) {
      throw Problem.notFound("No such post.");
    }
    if (((Long) r.get(1)) == 1L) {
      store.like(postId, session.userId(), like);
      List<Object> c =
          scripts.run(
              COUNTS,
              ScriptOutputType.MULTI,
              List.of(keys.idSeq()),
              "0",
              keys.prefix,
              Long.toString(postId));
      publishCounts(body, c);
      if (like && body.authorId() != session.userId()) {
        notifyUser(body.authorId(), "like", session.userId(), postId, null);
      }
    }
    return new LikeResult(count, like);
  }

  CommentJson comment(Session session, long postId, String text) {
    PostBody body = readable(session, postId);
    permissions.require(session, FamilyPermission.postToFeed(body.familyId()));
    long id = nextId();
    Instant createdAt = Ids.createdAt(id);
    try {
      store.insertComment(id, postId, session.userId(), text, createdAt);
    } catch (RuntimeException e) {
      if (store.post(postId).isEmpty()) {
        throw Problem.notFound("No such post.");
      }
      throw e;
    }
    List<Object> c =
        scripts.run(
            COUNT,
            ScriptOutputType.MULTI,
            List.of(keys.post(postId), keys.dirty()),
            "c",
            "1",
            Long.toString(postId));
    String name = profile(session.userId()).map(Profile::displayName).orElse(session.displayName());
    CommentJson comment = commentJson(id, session.userId(), name, text, createdAt);
    publish(
        Map.of(
            "t", "comment", "id", Long.toString(postId), "f", body.familyId(), "comment", comment));
    if (!c.isEmpty()) {
      publish(
          Map.of(
              "t",
              "counts",
              "id",
              Long.toString(postId),
              "f",
              body.familyId(),
              "l",
              c.get(0),
              "c",
              c.get(1)));
    }
    if (body.authorId() != session.userId()) {
      notifyUser(body.authorId(), "comment", session.userId(), postId, id);
    }
    return comment;
  }

  static CommentJson commentJson(
      long id, long authorId, String authorName, String text, Instant createdAt) {
    return new CommentJson(
        Long.toString(id),
        new UserRef(Long.toString(authorId), authorName),
        text,
        Json.time(createdAt));
  }

  /** A page of comments, oldest first, and the cursor of the next one (null at the end). */
  record CommentPage(List<CommentJson> items, String next) {}

  CommentPage comments(Session session, long postId, long before, int limit) {
    readable(session, postId);
    List<FeedStore.CommentRow> rows = store.comments(postId, before, limit + 1);
    boolean more = rows.size() > limit;
    List<FeedStore.CommentRow> page = more ? rows.subList(0, limit) : rows;
    return new CommentPage(
        page.stream()
            .map(r -> commentJson(r.id(), r.authorId(), r.authorName(), r.text(), r.createdAt()))
            .toList(),
        more ? Long.toString(page.get(page.size() - 1).id()) : null);
  }

  private void publishCounts(PostBody body, List<Object> c) {
    if (!"-".equals(c.get(0))) {
      publish(
          Map.of(
              "t",
              "counts",
              "id",
              Long.toString(body.id()),
              "f",
              body.familyId(),
              "l",
              Long.parseLong((String) c.get(0)),
              "c",
              Long.parseLong((String) c.get(1))));
    }
  }

  // ---- follows
  // ---------------------------------------------------------------------------------------------

  boolean follow(Session session, long followee, boolean follow) {
    if (followee == session.userId()) {
      throw Problem.invalid("userId", "You cannot follow yourself.");
    }
    if (profile(followee).isEmpty()) {
      throw Problem.notFound("No such user.");
    }
    store.follow(session.userId(), followee, follow);
    scripts.run(
        FOLLOW,
        ScriptOutputType.INTEGER,
        List.of(keys.followers(followee), keys.following(session.userId())),
        Long.toString(session.userId()),
        Long.toString(followee),
        follow ? "1" : "0");
    publish(Map.of("t", "follow", "u", session.userId(), "b", followee, "on", follow));
    return follow;
  }

  UserJson user(Session session, long userId) {
    Profile profile = profile(userId).orElseThrow(() -> Problem.notFound("No such user."));
    long followers = loadedSize(keys.followers(userId), () -> store.followers(userId));
    long following = loadedSize(keys.following(userId), () -> store.followees(userId));
    Boolean followed =
        redis.call(
            "SISMEMBER followers",
            () -> redis.sync().sismember(keys.followers(userId), Long.toString(session.userId())));
    return new UserJson(
        Long.toString(userId),
        profile.displayName(),
        followers,
        following,
        Boolean.TRUE.equals(followed));
  }

  /**
   * The size of a follow set, loading it from PostgreSQL first if Redis does not have it (the
   * sentinel "0" not counted).
   */
  private long loadedSize(String key, Supplier<List<Long>> source) {
    Boolean loaded = redis.call("SISMEMBER sentinel", () -> redis.sync().sismember(key, "0"));
    if (!Boolean.TRUE.equals(loaded)) {
      List<String> members = source.get().stream().map(String::valueOf).toList();
      scripts.run(SET_LOAD, ScriptOutputType.INTEGER, List.of(key), members.toArray(String[]::new));
    }
    return redis.call("SCARD", () -> redis.sync().scard(key)) - 1;
  }

  List<Long> followees(long userId) {
    return store.followees(userId);
  }

  // ---- notifications
  // ---------------------------------------------------------------------------------------

  private void notifyUser(long userId, String kind, long actorId, long postId, Long commentId) {
    long id = store.notify(userId, kind, actorId, postId, commentId);
    String actorName = profile(actorId).map(Profile::displayName).orElse("");
    NotificationJson n =
        notificationJson(id, kind, actorId, actorName, postId, commentId, Instant.now(), false);
    publish(Map.of("t", "notification", "u", userId, "notification", n));
  }

  static NotificationJson notificationJson(
      long id,
      String kind,
      long actorId,
      String actorName,
      long postId,
      Long commentId,
      Instant at,
      boolean read) {
    return new NotificationJson(
        Long.toString(id),
        kind,
        new UserRef(Long.toString(actorId), actorName),
        Long.toString(postId),
        commentId == null ? null : Long.toString(commentId),
        Json.time(at),
        read);
  }

  // ---- events
  // ------------------------------------------------------------------------------------------------

  private void publish(Map<String, ?> event) {
    try {
      bus.publish(TOPIC, Json.MAPPER.writeValueAsString(event));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      // live delivery is best effort: the post, comment or like is stored and every feed read shows
      // it
      LoggerFactory.getLogger(Feed.class).debug("feed event not published: {}", e.toString());
    }
  }

  FeedKeys keys() {
    return keys;
  }

  Scripts scripts() {
    return scripts;
  }

  RedisConnections redis() {
    return redis;
  }
}
