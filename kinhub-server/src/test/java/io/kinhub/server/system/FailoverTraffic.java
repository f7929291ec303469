package io.kinhub.server.system;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Client traffic on two nodes while Redis fails over, recording every request's outcome: password
 * logins with a cross-node revocation check (logout on B, the token must then be refused on A), QR
 * logins (browser on A, phone on B; every step retried like a real client until it completes),
 * SMS-code logins (a rate limit, a job, the outbox) and authenticated reads with sessions made
 * before the failover. An answer that breaks the contract (a revoked token accepted, a session or
 * QR login forgotten) is a violation; a 5xx or a failed connection is an error the clients saw.
 */
public final class FailoverTraffic implements AutoCloseable {
  private static final Pattern CODE = Pattern.compile("\\b(\\d{6})\\b");
  private static final String PASSWORD = "failover traffic password";

  /**
   * A session a client holds and expects to keep working; {@code createdAt} is when its login
   * returned.
   */
  public record Held(String token, long createdAt) {}

  private final Api a;
  private final Api b;
  private final String phoneToken;
  private final List<String> logins;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final List<Thread> threads = new ArrayList<>();
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  private final AtomicLong errorsAfterKill = new AtomicLong();
  private final AtomicLong firstErrorAfterKill = new AtomicLong(Long.MAX_VALUE);
  private final AtomicLong lastErrorAfterKill = new AtomicLong(Long.MIN_VALUE);
  private final AtomicLong qrCompleted = new AtomicLong();
  private final AtomicLong smsCompleted = new AtomicLong();
  private final AtomicLong revocationsChecked = new AtomicLong();
  private final AtomicLong rateLimited = new AtomicLong();
  private final Queue<String> violations = new ConcurrentLinkedQueue<>();
  private final Queue<Held> held = new ConcurrentLinkedQueue<>();
  private volatile long killedAt = Long.MAX_VALUE;

  private FailoverTraffic(Api a, Api b, String phoneToken, List<String> logins) {
    this.a = a;
    this.b = b;
    this.phoneToken = phoneToken;
    this.logins = logins;
  }

  /**
   * Registers the accounts it needs (on a healthy deployment), logs in {@code seedSessions}
   * sessions that the traffic reads with, and starts one client of each kind.
   */
  public static FailoverTraffic start(Api a, Api b, int seedSessions) {
    List<String> logins = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      logins.add(a.register(Api.newLogin(), PASSWORD));
    }
    String phone = a.login(a.register(Api.newLogin(), PASSWORD), PASSWORD);
    FailoverTraffic t = new FailoverTraffic(a, b, phone, logins);
    for (int i = 0; i < seedSessions; i++) {
      t.held.add(new Held(a.login(logins.get(i % logins.size()), PASSWORD), System.nanoTime()));
    }
    t.held.add(new Held(phone, System.nanoTime()));
    for (int i = 0; i < logins.size(); i++) {
      String login = logins.get(i);
      t.spawn("password-" + i, () -> t.passwordRound(login));
    }
    t.spawn("qr", t::qrRound);
    t.spawn("sms", t::smsRound);
    t.spawn("reads", t::readRound);
    return t;
  }

  private void spawn(String name, Runnable round) {
    threads.add(
        Thread.ofPlatform()
            .daemon()
            .name("traffic-" + name)
            .start(
                () -> {
                  while (running.get()) {
                    try {
                      round.run();
                    } catch (RuntimeException e) {
                      error("round " + name + ": " + e);
                      RedisProcess.sleep(50);
                    }
                  }
                }));
  }

  /** Marks the moment Redis was killed: errors after it count into the failover's figures. */
  public void killedNow() {
    killedAt = System.nanoTime();
  }

  private Api.Response call(Supplier<Api.Response> request) {
    requests.incrementAndGet();
    Api.Response r;
    try {
      r = request.get();
    } catch (RuntimeException e) {
      error(e.toString());
      return null;
    }
    if (r.status() >= 500) {
      error(r.status() + " " + r.json().path("code").asText());
      return null;
    }
    return r;
  }

  private void error(String what) {
    errors.incrementAndGet();
    long now = System.nanoTime();
    if (now - killedAt >= 0) {
      errorsAfterKill.incrementAndGet();
      firstErrorAfterKill.accumulateAndGet(now, Math::min);
      lastErrorAfterKill.accumulateAndGet(now, Math::max);
    }
  }

  private void violation(String what) {
    violations.add(what);
  }

  /** Retries a step like a patient client: until it gets a non-5xx answer or 30 s have passed. */
  private Api.Response retried(Supplier<Api.Response> request) {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (System.nanoTime() - deadline < 0) {
      Api.Response r = call(request);
      if (r != null) {
        return r;
      }
      RedisProcess.sleep(100);
    }
    return null;
  }

  private void passwordRound(String login) {
    Api.Response created =
        call(
            () ->
                a.post(
                    "/api/v1/sessions",
                    null,
                    Map.of("login", login, "password", PASSWORD, "device", "traffic")));
    if (created == null) {
      RedisProcess.sleep(50);
      return;
    }
    if (created.status() != 201) {
      violation("password login refused: " + created.status() + " " + created.text());
      return;
    }
    String token = created.json().get("token").asText();
    long createdAt = System.nanoTime();
    Api.Response me = call(() -> b.get("/api/v1/me", token));
    if (me != null && me.status() != 200) {
      violation("fresh session refused by the other node: " + me.status());
    }
    if (ThreadLocalRandom.current().nextBoolean()) {
      held.add(new Held(token, createdAt));
      return;
    }
    Api.Response out = call(() -> b.delete("/api/v1/me/sessions/current", token));
    if (out == null) {
      return; // not confirmed: the client would log out again later
    }
    if (out.status() != 204) {
      violation("logout answered " + out.status());
      return;
    }
    Api.Response after = call(() -> a.get("/api/v1/me", token));
    if (after != null) {
      revocationsChecked.incrementAndGet();
      if (after.status() != 401) {
        violation("token accepted on A after its logout on B returned: " + after.status());
      }
    }
  }

  private void qrRound() {
    Api.Response ticket =
        retried(() -> a.post("/api/v1/qr-logins", null, Map.of("device", "traffic browser")));
    if (ticket == null || ticket.status() != 201) {
      violation("QR ticket not created: " + (ticket == null ? "errors for 30 s" : ticket.status()));
      return;
    }
    String id = ticket.json().get("id").asText();
    String secret = ticket.json().get("secret").asText();
    Api.Response scan =
        retried(() -> b.post("/api/v1/qr-logins/" + id + "/scan", phoneToken, Map.of()));
    if (scan == null || scan.status() != 200) {
      violation(
          "QR scan failed: "
              + (scan == null ? "errors for 30 s" : scan.status() + " " + scan.text()));
      return;
    }
    Api.Response confirm =
        retried(() -> b.post("/api/v1/qr-logins/" + id + "/confirm", phoneToken, Map.of()));
    if (confirm != null && confirm.status() == 409) {
      // an earlier confirm may have gone through although its answer was an error: ask as the
      // browser would
      Api.Response state = retried(() -> a.pollQr(id, secret, ""));
      confirm =
          state != null && state.json().path("state").asText().equals("confirmed")
              ? state
              : confirm;
    }
    if (confirm == null || confirm.status() != 200) {
      violation(
          "QR confirm failed: "
              + (confirm == null ? "errors for 30 s" : confirm.status() + " " + confirm.text()));
      return;
    }
    String key = UUID.randomUUID().toString();
    Api.Response redeemed = retried(() -> a.redeemQr(id, secret, key));
    if (redeemed == null || redeemed.status() != 201) {
      violation(
          "QR redeem failed: "
              + (redeemed == null ? "errors for 30 s" : redeemed.status() + " " + redeemed.text()));
      return;
    }
    String token = redeemed.json().get("token").asText();
    held.add(new Held(token, System.nanoTime()));
    Api.Response me = retried(() -> b.get("/api/v1/me", token));
    if (me == null || me.status() != 200) {
      violation("QR session refused: " + (me == null ? "errors" : me.status()));
      return;
    }
    qrCompleted.incrementAndGet();
  }

  private void smsRound() {
    String phone = "+1555" + String.format("%07d", ThreadLocalRandom.current().nextInt(10_000_000));
    Api.Response sent =
        retried(
            () -> a.post("/api/v1/sms-codes", null, Map.of("phone", phone, "purpose", "login")));
    if (sent != null && sent.status() == 429) {
      return; // an earlier attempt failed after the per-phone limit had counted it: a real client
      // waits, this one moves on
    }
    if (sent == null || sent.status() != 202) {
      violation(
          "SMS code not sent: "
              + (sent == null ? "errors for 30 s" : sent.status() + " " + sent.text()));
      return;
    }
    Api.Response again =
        call(() -> b.post("/api/v1/sms-codes", null, Map.of("phone", phone, "purpose", "login")));
    if (again != null && again.status() == 429) {
      rateLimited.incrementAndGet();
    }
    String code = null;
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (code == null && System.nanoTime() - deadline < 0) {
      Api.Response outbox =
          call(
              () ->
                  b.get(
                      "/api/v1/dev/sms-outbox?phone="
                          + URLEncoder.encode(phone, StandardCharsets.UTF_8),
                      null));
      if (outbox != null && outbox.status() == 200) {
        for (JsonNode m : outbox.json().path("messages")) {
          Matcher matcher = CODE.matcher(m.path("text").asText());
          if (matcher.find()) {
            code = matcher.group(1);
            break; // newest first
          }
        }
      }
      if (code == null) {
        RedisProcess.sleep(50);
      }
    }
    if (code == null) {
      violation("SMS job never delivered for " + phone);
      return;
    }
    String theCode = code;
    Api.Response session =
        retried(
            () -> b.post("/api/v1/sessions/sms", null, Map.of("phone", phone, "code", theCode)));
    if (session == null || session.status() != 201) {
      // a second code sent while the first was in flight replaces it; not a failover issue when it
      // says invalid_code
      if (session == null || !session.json().path("code").asText().equals("invalid_code")) {
        violation(
            "SMS login failed: "
                + (session == null ? "errors for 30 s" : session.status() + " " + session.text()));
      }
      return;
    }
    held.add(new Held(session.json().get("token").asText(), System.nanoTime()));
    smsCompleted.incrementAndGet();
  }

  private void readRound() {
    List<Held> snapshot = new ArrayList<>(held);
    Held h = snapshot.get(ThreadLocalRandom.current().nextInt(Math.min(snapshot.size(), 32)));
    Api api = ThreadLocalRandom.current().nextBoolean() ? a : b;
    Api.Response me = call(() -> api.get("/api/v1/me", h.token()));
    if (me != null && me.status() != 200) {
      violation("a held session was refused: " + me.status());
    }
    RedisProcess.sleep(5);
  }

  /** Stops every client (each finishes its round). */
  @Override
  public void close() {
    running.set(false);
    for (Thread t : threads) {
      try {
        t.join(60_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  public List<String> violations() {
    return List.copyOf(violations);
  }

  public List<Held> held() {
    return List.copyOf(held);
  }

  public long killedAt() {
    return killedAt;
  }

  /** The figures, one line, for the test log and docs/benchmarks.md. */
  public String summary(String what, int sessionsChecked, int sessionsLost) {
    double window =
        errorsAfterKill.get() == 0
            ? 0
            : (lastErrorAfterKill.get() - firstErrorAfterKill.get()) / 1e9;
    double killToLast =
        errorsAfterKill.get() == 0 ? 0 : (lastErrorAfterKill.get() - killedAt) / 1e9;
    return String.format(
        Locale.ROOT,
        "FAILOVER %s: errors seen by clients for %.2f s (kill -> last error %.2f s); %d of %d requests failed; "
            + "sessions lost %d of %d held (%d older than 1 s at the kill); QR logins completed %d, SMS logins %d, "
            + "revocations checked %d, rate-limited resends %d; violations %d",
        what,
        window,
        killToLast,
        errorsAfterKill.get(),
        requests.get(),
        sessionsLost,
        sessionsChecked,
        held.stream().filter(h -> killedAt - h.createdAt() > 1_000_000_000L).count(),
        qrCompleted.get(),
        smsCompleted.get(),
        revocationsChecked.get(),
        rateLimited.get(),
        violations.size());
  }

  public long qrCompleted() {
    return qrCompleted.get();
  }

  public long smsCompleted() {
    return smsCompleted.get();
  }

  public long revocationsChecked() {
    return revocationsChecked.get();
  }
}
