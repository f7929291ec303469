package io.kinhub.server.abuse;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.kinhub.redis.RedisUnavailableException;
import io.kinhub.redis.ratelimit.Bandwidth;
import io.kinhub.redis.ratelimit.Bucket;
import io.kinhub.redis.ratelimit.Decision;
import io.kinhub.redis.ratelimit.RateLimiter;
import io.kinhub.server.backing.Digests;
import io.kinhub.server.http.JsonBody;
import io.kinhub.server.http.Problem;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the rate-limit policies in one place: a before-handler per limited endpoint makes one
 * decision over all of the endpoint's buckets (one Lua call), answers {@code 429 rate_limited} with
 * {@code Retry-After}, {@code RateLimit-Policy} and {@code RateLimit} when any bucket is empty, and
 * puts the two {@code RateLimit*} fields on successful responses too.
 */
public final class RateLimits {
  private static final Logger log = LoggerFactory.getLogger(RateLimits.class);

  private static final String DECISION = "kinhub.ratelimit";

  private final RateLimiter limiter;
  private final ClientIp clientIp;
  private final List<RateLimitPolicy> policies;
  private final MeterRegistry meters;
  private final Function<Context, Optional<String>> user;

  /**
   * @param user the id of the caller's user when the request carries a valid session (for the
   *     {@code user} dimension), else empty
   */
  public RateLimits(
      RateLimiter limiter,
      ClientIp clientIp,
      List<RateLimitPolicy> policies,
      MeterRegistry meters,
      Function<Context, Optional<String>> user) {
    this.limiter = limiter;
    this.clientIp = clientIp;
    this.policies = policies;
    this.meters = meters;
    this.user = user;
  }

  public void register(RoutesConfig routes) {
    for (RateLimitPolicy policy : policies) {
      routes.before(
          policy.path(),
          ctx -> {
            if (ctx.method().name().equals(policy.method())) {
              apply(policy, ctx);
            }
          });
    }
  }

  /**
   * The rate-limit decision taken for this request, if its endpoint is limited and Redis could
   * decide.
   */
  public static Optional<Decision> decisionOf(Context ctx) {
    return Optional.ofNullable(ctx.attribute(DECISION));
  }

  private void apply(RateLimitPolicy policy, Context ctx) {
    List<Bucket> buckets = buckets(policy, ctx);
    if (buckets.isEmpty()) {
      return; // only per-user limits and no user: the route answers 401 itself
    }
    Decision decision;
    try {
      decision = limiter.tryConsume(policy.name(), buckets, 1);
    } catch (RedisUnavailableException e) {
      count(policy, "error");
      if (policy.failOpen()) {
        log.warn(
            "rate limit {} could not be checked ({}); failing open", policy.name(), e.getMessage());
        return;
      }
      throw e;
    }
    ctx.attribute(DECISION, decision);
    ctx.header("RateLimit-Policy", RateLimitHeaders.policy(decision.buckets()));
    ctx.header("RateLimit", RateLimitHeaders.state(decision.buckets()));
    if (!decision.allowed()) {
      count(policy, "refused");
      ctx.header("Retry-After", Long.toString(decision.retryAfterSeconds()));
      throw Problem.of(
          429,
          Problem.RATE_LIMITED,
          "Too many requests; retry after " + decision.retryAfterSeconds() + " s.");
    }
    count(policy, "allowed");
  }

  private void count(RateLimitPolicy policy, String outcome) {
    Counter.builder("kinhub_ratelimit_decisions_total")
        .tag("policy", policy.name())
        .tag("outcome", outcome)
        .register(meters)
        .increment();
  }

  private List<Bucket> buckets(RateLimitPolicy policy, Context ctx) {
    Optional<JsonBody> body = policy.needsBody() ? JsonBody.peek(ctx) : Optional.empty();
    List<Bucket> buckets = new ArrayList<>();
    for (RateLimitPolicy.Limit limit : policy.limits()) {
      String subject =
          switch (limit.dimension()) {
            case IP -> ClientIp.rateLimitSubject(clientIp.of(ctx));
            case LOGIN ->
                body.flatMap(b -> b.rawString("login"))
                    .map(l -> l.strip().toLowerCase(Locale.ROOT))
                    .orElse("");
            case PHONE -> body.flatMap(b -> b.rawString("phone")).map(String::strip).orElse("");
            // without a session there is no user to count: a shared "" bucket would let anyone
            // empty it for everyone
            case USER -> user.apply(ctx).orElse(null);
          };
      if (subject == null) {
        continue;
      }
      for (Bandwidth bandwidth : limit.bandwidths()) {
        String name =
            policy.name() + "-" + limit.dimension().label() + "-" + windowLabel(bandwidth);
        buckets.add(new Bucket(name, keyPart(subject), bandwidth));
      }
    }
    return buckets;
  }

  private static String windowLabel(Bandwidth bandwidth) {
    long ms = bandwidth.period().toMillis();
    return ms % 1000 == 0 ? (ms / 1000) + "s" : ms + "ms";
  }

  /**
   * Short subjects are kept readable; long or odd ones are hashed so keys stay small and printable.
   */
  private static String keyPart(String subject) {
    if (subject.length() <= 64
        && subject.chars().allMatch(c -> c > ' ' && c < 127 && c != '{' && c != '}')) {
      return subject;
    }
    return "h" + Digests.sha256Hex(subject, 16);
  }
}
