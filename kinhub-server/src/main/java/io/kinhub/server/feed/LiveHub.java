package io.kinhub.server.feed;

import com.fasterxml.jackson.databind.JsonNode;
import io.kinhub.redis.events.EventBus;
import io.kinhub.server.http.Json;
import io.kinhub.server.http.KeepAlive;
import io.kinhub.server.http.OpenSockets;
import io.kinhub.server.session.Sessions;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's live sockets: admission (per user and per client address), the keep-alive ({@link
 * KeepAlive}), delivery of feed events heard on the event bus (from every node, this one included)
 * to the sockets whose users may see them, and session revocation: whenever a session is
 * invalidated anywhere, the sockets it opened are told and closed with 4001.
 */
final class LiveHub implements AutoCloseable {
  private final OpenSockets openSockets;
  private static final Logger log = LoggerFactory.getLogger(LiveHub.class);

  private final Feed feed;
  private final Sessions sessions;
  private final Duration idleTimeout;
  private final FeedSettings settings;
  private final Set<LiveSocket> sockets = ConcurrentHashMap.newKeySet();
  private final ReentrantLock admission = new ReentrantLock();
  private final Map<Long, Integer> perUser = new HashMap<>();
  private final Map<String, Integer> perIp = new HashMap<>();
  private final ExecutorService work =
      Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("live-", 0).factory());

  /**
   * Events are delivered in the order the bus heard them (a comment before the notification about
   * it).
   */
  private final ExecutorService events =
      Executors.newSingleThreadExecutor(Thread.ofVirtual().name("live-events").factory());

  private final KeepAlive keepAlive;

  LiveHub(
      Feed feed,
      Sessions sessions,
      EventBus bus,
      Duration idleTimeout,
      FeedSettings settings,
      OpenSockets openSockets) {
    this.openSockets = openSockets;
    this.feed = feed;
    this.sessions = sessions;
    this.idleTimeout = idleTimeout;
    this.settings = settings;
    bus.subscribe(Feed.TOPIC, payload -> events.execute(() -> dispatch(payload)));
    sessions.onInvalidation(hashes -> work.execute(() -> recheck(hashes)));
    this.keepAlive = new KeepAlive("live", idleTimeout);
  }

  /** The keep-alive of this node's live sockets. */
  KeepAlive keepAlive() {
    return keepAlive;
  }

  Duration idleTimeout() {
    return idleTimeout;
  }

  int queueLimit() {
    return settings.liveQueue();
  }

  int open() {
    return sockets.size();
  }

  /** A new socket, or null with {@code refusal} set when a cap is reached. */
  LiveSocket admit(long userId, String tokenHash, String ip, StringBuilder refusal) {
    admission.lock();
    try {
      if (perUser.getOrDefault(userId, 0) >= settings.liveSocketsPerUser()) {
        refusal
            .append("You already have ")
            .append(settings.liveSocketsPerUser())
            .append(" live connections; close one first.");
        return null;
      }
      if (perIp.getOrDefault(ip, 0) >= settings.liveSocketsPerIp()) {
        log.warn(
            "live socket refused: {} already holds {} live sockets on this node (KINHUB_LIVE_SOCKETS_PER_IP; behind a "
                + "proxy, is KINHUB_TRUSTED_PROXIES set?)",
            ip,
            settings.liveSocketsPerIp());
        refusal.append("Too many live connections from your address; close some and try again.");
        return null;
      }
      perUser.merge(userId, 1, Integer::sum);
      perIp.merge(ip, 1, Integer::sum);
      LiveSocket socket = new LiveSocket(userId, tokenHash, ip, this);
      sockets.add(socket);
      keepAlive.add(socket);
      return socket;
    } finally {
      admission.unlock();
    }
  }

  void remove(LiveSocket socket) {
    openSockets.remove(socket);
    keepAlive.remove(socket);
    if (!sockets.remove(socket)) {
      return;
    }
    admission.lock();
    try {
      perUser.computeIfPresent(socket.userId, (k, n) -> n <= 1 ? null : n - 1);
      perIp.computeIfPresent(socket.ip, (k, n) -> n <= 1 ? null : n - 1);
    } finally {
      admission.unlock();
    }
  }

  /**
   * Greets a new socket; its session is checked again after it was registered, so a revocation
   * cannot fall between.
   */
  void opened(LiveSocket socket) {
    openSockets.add(
        socket,
        "live",
        socket::close); // a stopping node tells the client to reconnect elsewhere (1012)
    work.execute(
        () -> {
          try {
            socket.followees.addAll(feed.followees(socket.userId));
            String name = feed.profile(socket.userId).map(Feed.Profile::displayName).orElse("");
            socket.send(new Hello("hello", new Feed.UserRef(Long.toString(socket.userId), name)));
            if (!sessions.live(socket.tokenHash)) {
              socket.revoked();
            }
          } catch (RuntimeException e) {
            log.debug("live socket of user {}: greeting failed: {}", socket.userId, e.toString());
            socket.close(1011, "try again");
          }
        });
  }

  private void recheck(List<String> hashes) {
    Set<String> wanted = hashes.isEmpty() ? null : Set.copyOf(hashes);
    for (LiveSocket socket : sockets) {
      if (wanted == null || wanted.contains(socket.tokenHash)) {
        try {
          if (!sessions.live(socket.tokenHash)) {
            socket.revoked();
          }
        } catch (RuntimeException e) {
          // Redis away: keep the socket; the bus is untrusted meanwhile and a later flush checks
          // again
          log.debug(
              "live socket of user {}: cannot check its session: {}", socket.userId, e.toString());
        }
      }
    }
  }

  private void dispatch(String payload) {
    if (sockets.isEmpty()) {
      return;
    }
    JsonNode e;
    try {
      e = Json.MAPPER.readTree(payload);
    } catch (IOException ex) {
      log.warn("ignoring a malformed feed event");
      return;
    }
    String type = e.path("t").asText();
    switch (type) {
      case "post" -> {
        long family = e.get("f").asLong();
        long author = e.get("a").asLong();
        PostFrame frame =
            new PostFrame("post", Json.MAPPER.convertValue(e.get("post"), Feed.PostJson.class));
        forEach(
            s ->
                feed.isMember(s.userId, family)
                    || (s.followees.contains(author) && feed.mayRead(s.userId, family)),
            frame);
      }
      case "post_deleted" ->
          forReaders(e, new PostDeletedFrame("post_deleted", e.get("id").asText()));
      case "comment" ->
          forReaders(
              e,
              new CommentFrame(
                  "comment",
                  e.get("id").asText(),
                  Json.MAPPER.convertValue(e.get("comment"), Feed.CommentJson.class)));
      case "counts" -> {
        forReaders(
            e,
            new CountsFrame(
                "counts", e.get("id").asText(), e.get("l").asLong(), e.get("c").asLong()));
      }
      case "notification" -> {
        long user = e.get("u").asLong();
        forEach(
            s -> s.userId == user,
            new NotificationFrame(
                "notification",
                Json.MAPPER.convertValue(e.get("notification"), Feed.NotificationJson.class)));
      }
      case "follow" -> {
        long user = e.get("u").asLong();
        long followee = e.get("b").asLong();
        boolean on = e.get("on").asBoolean();
        for (LiveSocket s : sockets) {
          if (s.userId == user) {
            if (on) {
              s.followees.add(followee);
            } else {
              s.followees.remove(followee);
            }
          }
        }
      }
      default -> log.debug("ignoring feed event {}", type);
    }
  }

  /** The first frame on a live socket: who it is for. */
  record Hello(String type, Feed.UserRef user) {}

  /** A new post for its readers. */
  record PostFrame(String type, Feed.PostJson post) {}

  /** A post that is gone. */
  record PostDeletedFrame(String type, String postId) {}

  /** A new comment on a post. */
  record CommentFrame(String type, String postId, Feed.CommentJson comment) {}

  /** A post's counters now. */
  record CountsFrame(String type, String postId, long likeCount, long commentCount) {}

  /** A notification for its user. */
  record NotificationFrame(String type, Feed.NotificationJson notification) {}

  private void forReaders(JsonNode e, Record frame) {
    long family = e.get("f").asLong();
    forEach(s -> feed.mayRead(s.userId, family), frame);
  }

  private void forEach(Predicate<LiveSocket> who, Record frame) {
    for (LiveSocket s : sockets) {
      try {
        if (who.test(s)) {
          s.send(frame);
        }
      } catch (RuntimeException ex) {
        log.debug("live event not delivered to user {}: {}", s.userId, ex.toString());
      }
    }
  }

  @Override
  public void close() {
    keepAlive.close();
    sockets.forEach(s -> s.close(1001, "server stopping"));
    work.shutdownNow();
    events.shutdownNow();
  }
}
