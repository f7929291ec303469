package io.kinhub.server.sms;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.kinhub.redis.connection.RedisConnections;
import io.kinhub.redis.jobs.Job;
import io.kinhub.redis.jobs.JobHandler;
import io.kinhub.redis.jobs.JobQueue;
import io.kinhub.redis.ratelimit.Decision;
import io.kinhub.server.abuse.RateLimits;
import io.kinhub.server.account.Account;
import io.kinhub.server.account.AccountStore;
import io.kinhub.server.account.Logins;
import io.kinhub.server.backing.Database;
import io.kinhub.server.http.Json;
import io.kinhub.server.http.JsonBody;
import io.kinhub.server.http.Problem;
import io.kinhub.server.session.LoginBody;
import io.kinhub.server.session.SessionRoutes;
import io.kinhub.server.session.Sessions;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** SMS codes and SMS login; sending is a job on the {@code sms} queue. */
public final class SmsRoutes {
  private static final Logger log = LoggerFactory.getLogger(SmsRoutes.class);

  /** {@code POST /api/v1/sms-codes}: when the code expires and when another may be asked for. */
  record CodeSent(String expiresAt, String resendAfter) {}

  private final SmsCodes codes;
  private final JobQueue queue;
  private final AccountStore accounts;
  private final Sessions sessions;
  private final OutboxSender outbox;
  private final Duration codeTtl;
  private final boolean devEndpoints;

  private SmsRoutes(
      SmsCodes codes,
      JobQueue queue,
      AccountStore accounts,
      Sessions sessions,
      OutboxSender outbox,
      Duration codeTtl,
      boolean devEndpoints) {
    this.codes = codes;
    this.queue = queue;
    this.accounts = accounts;
    this.sessions = sessions;
    this.outbox = outbox;
    this.codeTtl = codeTtl;
    this.devEndpoints = devEndpoints;
  }

  /**
   * Wires the feature; {@code outboxDatabase} is empty when another provider sends. The outbox is
   * served only with {@code devEndpoints}: it hands anyone every login code.
   */
  public static SmsRoutes create(
      RedisConnections redis,
      JobQueue queue,
      AccountStore accounts,
      Sessions sessions,
      Duration codeTtl,
      Optional<Database> outboxDatabase,
      boolean devEndpoints) {
    if (outboxDatabase.isPresent()) {
      log.warn(
          "SMS provider 'outbox': no SMS is sent; every message, login codes included, is written to this log"
              + " (for development; set KINHUB_SMS_PROVIDER=http for real users)");
      if (devEndpoints) {
        log.warn(
            "KINHUB_DEV_ENDPOINTS=true: GET /api/v1/dev/sms-outbox shows anyone every login code; never expose this node");
      }
    }
    return new SmsRoutes(
        new SmsCodes(redis, codeTtl),
        queue,
        accounts,
        sessions,
        outboxDatabase.map(OutboxSender::new).orElse(null),
        codeTtl,
        devEndpoints);
  }

  /** The sender that the {@code sms} queue's handler calls, for the configured provider. */
  public static SmsSender sender(
      String provider, Database db, URI url, String secret, int connections) {
    return provider.equals("http")
        ? new HttpSmsSender(url, secret, connections, Duration.ofSeconds(10))
        : new OutboxSender(db);
  }

  /**
   * The {@code sms} queue's job handler: payload {@code {"phone", "text"}}; the job id
   * de-duplicates.
   */
  public static JobHandler handler(SmsSender sender) {
    return (Job job) -> {
      JsonNode p = Json.MAPPER.readTree(job.payload());
      sender.send(job.id(), p.get("phone").asText(), p.get("text").asText());
    };
  }

  public void register(RoutesConfig routes) {
    routes.post("/api/v1/sms-codes", this::requestCode);
    routes.post("/api/v1/sessions/sms", this::login);
    routes.get("/api/v1/dev/sms-outbox", this::outbox);
  }

  private void requestCode(Context ctx) {
    JsonBody body = JsonBody.read(ctx);
    String phone = Logins.normalizePhone("phone", body.requiredString("phone", 16));
    String purpose = body.requiredString("purpose", 32);
    if (!purpose.equals("login")) {
      throw Problem.invalid("purpose", "'purpose' must be \"login\".");
    }
    SmsCodes.Issued issued = codes.issue(phone);
    String text =
        "Your Kinhub login code is "
            + issued.code()
            + ". It expires in "
            + codeTtl.toMinutes()
            + " minutes. Never share it.";
    try {
      queue.enqueue(Json.MAPPER.writeValueAsString(Map.of("phone", phone, "text", text)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    long now = System.currentTimeMillis();
    long resendAfter = now + RateLimits.decisionOf(ctx).map(SmsRoutes::untilNextToken).orElse(0L);
    Json.respond(ctx, 202, new CodeSent(Json.time(issued.expiresAt()), Json.time(resendAfter)));
  }

  /** Milliseconds until every phone bucket of the decision has a token again. */
  private static long untilNextToken(Decision decision) {
    long wait = 0;
    for (Decision.BucketState s : decision.buckets()) {
      if (s.bucket().name().contains("-phone-") && s.remaining() == 0) {
        long interval =
            s.bucket().bandwidth().period().toMillis() / s.bucket().bandwidth().capacity();
        wait =
            Math.max(
                wait,
                s.untilFull().toMillis() - (s.bucket().bandwidth().capacity() - 1) * interval);
      }
    }
    return Math.max(0, wait);
  }

  private void login(Context ctx) {
    JsonBody body = JsonBody.read(ctx);
    String phone = Logins.normalizePhone("phone", body.requiredString("phone", 16));
    String code = body.requiredString("code", 16);
    String device = SessionRoutes.deviceOf(body, ctx);
    if (!codes.verify(phone, code.strip())) {
      throw Problem.of(
          401,
          Problem.INVALID_CODE,
          "The code is wrong, expired, used or burned; request a new one.");
    }
    Account account =
        accounts
            .findByLogin(phone)
            .or(() -> accounts.create(phone, masked(phone), null))
            .or(() -> accounts.findByLogin(phone))
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "account for a verified phone neither found nor created"));
    Sessions.Login login =
        sessions
            .create(
                account.id(),
                account.login(),
                account.displayName(),
                account.credentialVersion(),
                device)
            .orElseThrow(
                () ->
                    Problem.of(
                        409,
                        Problem.CONFLICT,
                        "The account's credentials changed meanwhile; try again."));
    Json.respond(ctx, 201, LoginBody.of(login));
  }

  /** The display name of an account made by SMS login: the phone with its middle hidden. */
  static String masked(String phone) {
    int keepEnd = 2;
    int keepStart = Math.min(3, phone.length() - keepEnd);
    return phone.substring(0, keepStart)
        + "•".repeat(phone.length() - keepStart - keepEnd)
        + phone.substring(phone.length() - keepEnd);
  }

  private void outbox(Context ctx) {
    if (outbox == null || !devEndpoints) {
      // the same answer as for any unknown route: nothing tells a prober that an outbox exists
      throw Problem.notFound("No such resource: " + ctx.method() + " " + ctx.path());
    }
    String raw = ctx.queryParam("phone");
    if (raw == null || raw.isBlank()) {
      throw Problem.invalid("phone", "Query parameter 'phone' is required.");
    }
    String phone = Logins.normalizePhone("phone", raw);
    Json.respond(ctx, 200, new OutboxSender.Messages(outbox.messages(phone, 50)));
  }
}
