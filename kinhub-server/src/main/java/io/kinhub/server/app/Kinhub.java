package io.kinhub.server.app;

import io.javalin.Javalin;
import io.kinhub.redis.connection.RedisConnections;
import io.kinhub.redis.events.EventBus;
import io.kinhub.redis.jobs.JobQueue;
import io.kinhub.redis.jobs.JobWorker;
import io.kinhub.redis.lock.RedisLocks;
import io.kinhub.redis.ratelimit.RateLimiter;
import io.kinhub.server.abuse.ClientIp;
import io.kinhub.server.abuse.Lockout;
import io.kinhub.server.abuse.RateLimits;
import io.kinhub.server.account.AccountRoutes;
import io.kinhub.server.account.AccountStore;
import io.kinhub.server.account.PasswordHasher;
import io.kinhub.server.account.PasswordStrength;
import io.kinhub.server.backing.Database;
import io.kinhub.server.config.Config;
import io.kinhub.server.family.FamilyRoutes;
import io.kinhub.server.family.FamilyStore;
import io.kinhub.server.feed.Feed;
import io.kinhub.server.feed.FeedRoutes;
import io.kinhub.server.genealogy.GenealogyRoutes;
import io.kinhub.server.genealogy.KinGraphs;
import io.kinhub.server.http.Http;
import io.kinhub.server.http.OpenSockets;
import io.kinhub.server.http.Problem;
import io.kinhub.server.node.Health;
import io.kinhub.server.node.NodeRegistry;
import io.kinhub.server.node.Singleton;
import io.kinhub.server.permission.Permissions;
import io.kinhub.server.qrlogin.QrRoutes;
import io.kinhub.server.session.Authentication;
import io.kinhub.server.session.SessionRoutes;
import io.kinhub.server.session.Sessions;
import io.kinhub.server.sms.OutboxPruning;
import io.kinhub.server.sms.SmsRoutes;
import io.kinhub.server.sms.SmsSender;
import io.kinhub.server.tree.GedcomExport;
import io.kinhub.server.tree.GedcomImport;
import io.kinhub.server.tree.GedcomRoutes;
import io.kinhub.server.tree.PersonStore;
import io.kinhub.server.tree.TreeJson;
import io.kinhub.server.tree.TreeRoutes;
import io.kinhub.server.tree.TreeVersions;
import io.kinhub.server.web.PageRoutes;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jetty.server.AbstractNetworkConnector;
import org.eclipse.jetty.server.Connector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running Kinhub node: every part wired explicitly, in start order, and stopped in reverse
 * order (HTTP first, so requests drain while Redis and PostgreSQL are still there; the embedded
 * servers last).
 */
public final class Kinhub implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Kinhub.class);

  private final Deque<AutoCloseable> closeInOrder = new ArrayDeque<>();
  private final Config config;
  private final Clock clock;
  private Javalin http;
  private EventBus bus;
  private QrRoutes qr;
  private Permissions permissions;
  private FeedRoutes feedRoutes;
  private Singleton singleton;
  private KinGraphs kinGraphs;
  private boolean closed;
  private final Drain drain = new Drain();
  private final OpenSockets openSockets = new OpenSockets();
  private NodeRegistry registry;
  private JobWorker smsWorker;

  private Kinhub(Config config, Clock clock) {
    this.config = config;
    this.clock = clock;
  }

  /**
   * Starts a node; on failure everything started so far is stopped again before the exception
   * leaves.
   */
  public static Kinhub start(Config config) {
    return start(config, Clock.systemUTC());
  }

  /**
   * Starts a node whose own clock is {@code clock}. Only local bookkeeping reads it (near-cache
   * expiry checks); every decision that must agree across nodes (rate limits, lockouts, session
   * expiry) takes its time from Redis.
   */
  public static Kinhub start(Config config, Clock clock) {
    Kinhub kinhub = new Kinhub(config, clock);
    try {
      kinhub.startAll();
      return kinhub;
    } catch (RuntimeException | Error e) {
      kinhub.close();
      throw e;
    }
  }

  private void startAll() {
    long started = System.nanoTime();
    PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    meters.config().commonTags("node", config.node().id());
    // Lettuce tags command latencies with the Redis address; /metrics need not tell anyone where
    // Redis is
    meters.config().meterFilter(MeterFilter.ignoreTags("remote"));
    new JvmMemoryMetrics().bindTo(meters);
    new JvmThreadMetrics().bindTo(meters);
    new ProcessorMetrics().bindTo(meters);

    Backends backends = Backends.open(config, Backends.Role.NODE, meters, closeInOrder);
    Database database = backends.database;
    RedisConnections redis = backends.redis;
    bus = backends.bus;

    PasswordHasher hasher = new PasswordHasher(config.sessions().passwordHashConcurrency());
    AccountStore accounts = new AccountStore(database);
    Sessions sessions =
        new Sessions(
            redis,
            bus,
            meters,
            clock,
            config.sessions().idleTimeout(),
            config.sessions().absoluteLifetime(),
            config.sessions().perUser(),
            config.nearCache().size(),
            config.nearCache().maxAge());
    Authentication auth = new Authentication(sessions);
    Health health =
        new Health(config.node().id(), redis, bus, database, meters, config.metrics().token());
    closeInOrder.push(health);
    String nodeVersion =
        Objects.requireNonNullElse(Kinhub.class.getPackage().getImplementationVersion(), "dev");
    registry =
        new NodeRegistry(
            database,
            redis,
            config.redis().prefix(),
            config.node().id(),
            bus.instanceId(),
            nodeVersion,
            config.node().settings());
    closeInOrder.push(registry);
    health.watch(registry, drain::draining);
    // a QR page on a degraded node would wait forever for a phone confirming on the other Redis:
    // end its socket now
    registry.onDegraded(
        () -> openSockets.closeAll("qr", OpenSockets.TRY_AGAIN_LATER, Problem.NODE_DEGRADED));
    registry.start();

    ClientIp clientIp = config.http().clientIp();
    RateLimits rateLimits =
        new RateLimits(
            new RateLimiter(redis), clientIp, config.abuse().rateLimits(), meters, auth::userIdOf);
    Lockout lockout = new Lockout(redis, config.abuse().lockout());
    SessionRoutes sessionRoutes = new SessionRoutes(sessions);

    RedisLocks locks = new RedisLocks(redis);
    closeInOrder.push(locks);
    singleton = new Singleton(locks, database, config.node().id());
    closeInOrder.push(singleton);
    if (config.sms().provider().equals("outbox")) {
      singleton.every(
          OutboxPruning.TASK,
          Duration.ofMinutes(10),
          Duration.ofSeconds(30),
          new OutboxPruning(OutboxPruning.RETENTION));
    }

    JobQueue smsQueue = new JobQueue("sms", redis, config.jobs().withConcurrency(8), meters);
    SmsSender smsSender =
        SmsRoutes.sender(
            config.sms().provider(),
            database,
            config.sms().httpUrl().orElse(null),
            config.sms().httpSecret(),
            config.sms().httpConnections());
    smsWorker = smsQueue.startWorker(bus.instanceId(), SmsRoutes.handler(smsSender));
    closeInOrder.push(smsWorker);
    SmsRoutes smsRoutes =
        SmsRoutes.create(
            redis,
            smsQueue,
            accounts,
            sessions,
            config.sms().codeTtl(),
            config.sms().provider().equals("outbox") ? Optional.of(database) : Optional.empty(),
            config.sms().devEndpoints());
    AccountRoutes accountRoutes =
        new AccountRoutes(accounts, hasher, sessions, lockout, clientIp, new PasswordStrength());
    QrRoutes qrRoutes =
        new QrRoutes(
            redis,
            bus,
            sessions,
            accounts,
            clientIp,
            this::publicBaseUrl,
            this::ownOrigins,
            config.qr().scanTimeout(),
            config.qr().confirmTimeout(),
            config.http().webSocketIdleTimeout(),
            config.qr().socketsPerIp(),
            meters,
            openSockets,
            this::qrRefusal);
    closeInOrder.push(qrRoutes);
    this.qr = qrRoutes;
    permissions =
        new Permissions(
            database, bus, config.nearCache().size(), config.nearCache().maxAge(), meters);
    FamilyRoutes familyRoutes =
        new FamilyRoutes(new FamilyStore(database, permissions), permissions);
    PersonStore personStore = new PersonStore(database);
    TreeVersions treeVersions =
        new TreeVersions(
            personStore, bus, config.nearCache().size(), config.nearCache().maxAge(), meters);
    // kinship graphs (privacy, relationships, generations) share the tree cache's byte budget as a
    // second, equal bound
    kinGraphs = new KinGraphs(database, config.tree().settings().treeCacheBytes(), clock, meters);
    TreeRoutes treeRoutes =
        new TreeRoutes(
            personStore,
            treeVersions,
            new TreeJson(database, kinGraphs, config.tree().settings().treeCacheBytes(), meters),
            kinGraphs,
            permissions);
    GenealogyRoutes genealogyRoutes =
        new GenealogyRoutes(database, kinGraphs, treeVersions, permissions);
    familyRoutes.extend(genealogyRoutes);
    Feed feed =
        new Feed(
            redis,
            database,
            permissions,
            bus,
            config.feed(),
            config.nearCache().size(),
            config.nearCache().maxAge(),
            meters);
    JobQueue fanoutQueue =
        new JobQueue("feed-fanout", redis, config.jobs().withConcurrency(4), meters);
    feed.useQueue(fanoutQueue);
    closeInOrder.push(fanoutQueue.startWorker(bus.instanceId(), feed::handle));
    feedRoutes =
        new FeedRoutes(
            feed,
            sessions,
            bus,
            clientIp,
            this::ownOrigins,
            config.http().webSocketIdleTimeout(),
            meters,
            openSockets,
            singleton);
    closeInOrder.push(feedRoutes);
    String version =
        Objects.requireNonNullElse(Kinhub.class.getPackage().getImplementationVersion(), "dev");
    GedcomRoutes gedcomRoutes =
        new GedcomRoutes(
            new GedcomImport(database, config.tree().settings().limits(), treeVersions),
            new GedcomExport(database, version, kinGraphs),
            permissions,
            config.tree().gedcomMaxBytes(),
            config.tree().settings(),
            config.node().dataDir().resolve("tmp"));
    http =
        Http.create(
            config.http().host(),
            config.http().port(),
            config.tree().gedcomMaxBytes(),
            meters,
            cfg -> {
              cfg.jetty.modifyServer(
                  server -> server.setHandler(drain)); // Javalin puts its handlers inside
              rateLimits.register(cfg.routes);
              auth.register(cfg.routes);
              health.register(cfg.routes);
              accountRoutes.register(cfg.routes);
              sessionRoutes.register(cfg.routes);
              smsRoutes.register(cfg.routes);
              qrRoutes.register(cfg.routes);
              qrRoutes.configureJetty(cfg);
              familyRoutes.register(cfg.routes);
              treeRoutes.register(cfg.routes);
              gedcomRoutes.register(cfg.routes);
              feedRoutes.register(cfg.routes);
              feedRoutes.configureJetty(cfg);
              new PageRoutes(this::publicBaseUrl).register(cfg.routes);
              genealogyRoutes.register(cfg.routes);
            });
    http.start();
    closeInOrder.push(http::stop);
    log.info(
        "Kinhub node {} listening on {} port {} (started in {} ms)",
        config.node().id(),
        config.http().host(),
        http.port(),
        (System.nanoTime() - started) / 1_000_000);
    if (config.http().publicUrl().isEmpty() && !loopbackBound()) {
      log.warn(
          "KINHUB_PUBLIC_URL is not set: QR codes and socket URLs point at {}, and only pages of that origin may open "
              + "WebSockets; set it to the address users reach (e.g. https://kin.example.org)",
          publicBaseUrl());
    }
  }

  private Optional<Problem> qrRefusal() {
    if (registry == null || !registry.degraded()) {
      return Optional.empty();
    }
    return Optional.of(
        Problem.of(
                503,
                Problem.NODE_DEGRADED,
                "This server is misconfigured: it talks to another Redis "
                    + "than the other servers of this site, so a QR login started here could never complete. The operators are told; "
                    + "log in with a password or an SMS code, or try again later.")
            .withHeaders(Map.of("Retry-After", "30")));
  }

  /**
   * The graceful part of stopping: new requests get 503 with {@code Connection: close} and new
   * connections are refused, {@code /health} answers {@code draining}, every WebSocket is told to
   * reconnect elsewhere (1012), the job worker stops claiming and hands back what it cannot finish,
   * and running requests get up to {@code KINHUB_DRAIN_TIMEOUT}.
   */
  private void drain() {
    Duration timeout = config.node().drainTimeout();
    long deadline = System.nanoTime() + timeout.toNanos();
    log.info(
        "node {} draining: refusing new requests, waiting up to {} ms for {} running ones",
        config.node().id(),
        timeout.toMillis(),
        drain.inFlight());
    drain.beginDraining();
    if (registry != null) {
      registry.draining();
    }
    for (Connector connector : http.jettyServer().server().getConnectors()) {
      if (connector instanceof AbstractNetworkConnector network) {
        // closes the listening socket: a balancer's next connection goes to another node; nothing
        // to wait for here (the drain that follows waits for the requests in flight)
        var unused = network.shutdown();
      }
    }
    openSockets.closeAllForRestart();
    Thread jobs =
        smsWorker == null
            ? null
            : Thread.ofVirtual().name("kinhub-drain-jobs").start(() -> smsWorker.close(timeout));
    while (drain.inFlight() > 0 && System.nanoTime() < deadline) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    if (jobs != null) {
      try {
        jobs.join(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())).plusSeconds(10));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    int unfinished = drain.inFlight();
    if (unfinished > 0) {
      log.warn(
          "node {} drained with {} requests still running after {} ms; they are cut off",
          config.node().id(),
          unfinished,
          timeout.toMillis());
    } else {
      log.info("node {} drained", config.node().id());
    }
    if (registry != null) {
      registry.leave();
    }
  }

  /** The HTTP port actually bound (useful with port 0). */
  public int port() {
    return http.port();
  }

  /** The base URL of this node's HTTP server as reachable from this host. */
  public String baseUrl() {
    String host = config.http().host();
    if (host.equals("0.0.0.0")) {
      host = "127.0.0.1";
    } else if (host.equals("::")) {
      host = "::1";
    }
    return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port();
  }

  /**
   * The deployment's public base URL: {@code KINHUB_PUBLIC_URL}, else this node's own address.
   * Never a request's Host.
   */
  public String publicBaseUrl() {
    return config.http().publicUrl().orElseGet(this::baseUrl);
  }

  /**
   * The origins of this deployment's own pages: the public URL's, and when this node listens on
   * loopback, the loopback names of its port (a developer's browser on the same machine).
   */
  Set<String> ownOrigins() {
    Set<String> origins = new HashSet<>();
    origins.add(origin(publicBaseUrl()));
    if (loopbackBound()) {
      for (String host : List.of("127.0.0.1", "localhost", "[::1]")) {
        origins.add("http://" + host + ":" + port());
        origins.add("https://" + host + ":" + port());
      }
    }
    return origins;
  }

  private boolean loopbackBound() {
    String host = config.http().host();
    try {
      return host.equals("localhost") || InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private static String origin(String url) {
    URI uri = URI.create(url);
    String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
    int port = uri.getPort();
    boolean defaultPort =
        port == -1
            || (scheme.equals("http") && port == 80)
            || (scheme.equals("https") && port == 443);
    return scheme
        + "://"
        + uri.getHost().toLowerCase(Locale.ROOT)
        + (defaultPort ? "" : ":" + port);
  }

  /** Every HTTP route as "METHOD path", for the OpenAPI completeness check. */
  public List<String> routes() {
    return http.unsafe.internalRouter.allHttpHandlers().stream()
        .map(e -> e.endpoint.method.name() + " " + e.endpoint.path)
        .filter(r -> r.matches("(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) .*"))
        .toList();
  }

  public Config config() {
    return config;
  }

  /** This node's instance id on the event bus. */
  public String busInstance() {
    return bus.instanceId();
  }

  /** QR socket re-reads queued or running on this node (at most one per socket). */
  public int qrSocketRefreshesInFlight() {
    return qr.socketRefreshesInFlight();
  }

  /** HTTP requests running on this node now (a graceful stop waits for them). */
  public int requestsInFlight() {
    return drain.inFlight();
  }

  /** Open QR-login WebSockets on this node. */
  public int openQrSockets() {
    return qr.openSockets();
  }

  /** This node's QR-login routes (tests reach its sockets' keep-alive through them). */
  public QrRoutes qr() {
    return qr;
  }

  /** This node's feed routes (tests flush counters and count live sockets through them). */
  public FeedRoutes feed() {
    return feedRoutes;
  }

  /** This node's kinship graphs (benchmarks measure relationship searches directly). */
  public KinGraphs kinGraphs() {
    return kinGraphs;
  }

  /** This node's permission checks (benchmarks measure them directly). */
  public Permissions permissions() {
    return permissions;
  }

  /** Work that one node of the deployment at a time does, with fenced PostgreSQL writes. */
  public Singleton singleton() {
    return singleton;
  }

  /** Whether this node currently trusts its near caches. */
  public boolean cacheTrusted() {
    return bus != null && bus.trusted();
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (http != null) {
      try {
        drain();
      } catch (RuntimeException e) {
        log.warn("while draining: {}", e.toString());
      }
    }
    while (!closeInOrder.isEmpty()) {
      AutoCloseable next = closeInOrder.pop();
      try {
        next.close();
      } catch (Exception e) {
        log.warn("while stopping: {}", e.toString());
      }
    }
  }
}
