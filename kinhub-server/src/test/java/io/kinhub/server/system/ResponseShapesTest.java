package io.kinhub.server.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.kinhub.server.app.Kinhub;
import io.kinhub.server.config.Config;
import io.kinhub.server.system.Api.User;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/**
 * The JSON shapes of the API's success bodies, written down: every member's name, JSON type and
 * null-or-absent state, recursively (keys sorted), and the member order where the contract's
 * examples fix it. Whatever builds a body (maps or records), clients see exactly these.
 */
class ResponseShapesTest {
  /** Name and JSON type of every member, keys sorted; arrays by their first element. */
  static String shape(JsonNode node) {
    if (node.isObject()) {
      List<String> keys = new ArrayList<>();
      node.fieldNames().forEachRemaining(keys::add);
      keys.sort(null);
      List<String> parts = new ArrayList<>();
      for (String k : keys) {
        parts.add(k + ":" + shape(node.get(k)));
      }
      return "{" + String.join(",", parts) + "}";
    }
    if (node.isArray()) {
      return node.isEmpty() ? "[]" : "[" + shape(node.get(0)) + "]";
    }
    return node.isNull()
        ? "null"
        : node.isTextual()
            ? "s"
            : node.isBoolean() ? "b" : node.isIntegralNumber() ? "i" : node.isNumber() ? "f" : "?";
  }

  private static List<String> order(JsonNode node) {
    List<String> keys = new ArrayList<>();
    node.fieldNames().forEachRemaining(keys::add);
    return keys;
  }

  private static JsonNode ok(Api.Response r, int status) {
    assertThat(r.status()).as(r.text()).isEqualTo(status);
    assertThat(r.contentType()).startsWith("application/json");
    return r.json();
  }

  @Test
  void accountSessionSmsAndQrBodies_keepTheirShapes() {
    Map<String, String> env = TestBackends.get().env(TestBackends.newPrefix());
    env.put("KINHUB_DEV_ENDPOINTS", "true");
    try (Kinhub node = Kinhub.start(Config.from(env))) {
      Api api = Api.of(node);
      String login = Api.newLogin();
      assertThat(
              shape(
                  ok(
                      api.post(
                          "/api/v1/accounts",
                          null,
                          Map.of(
                              "login",
                              login,
                              "password",
                              "password " + login,
                              "displayName",
                              "Shape")),
                      201)))
          .isEqualTo("{displayName:s,id:s,login:s}");
      JsonNode session =
          ok(
              api.post(
                  "/api/v1/sessions",
                  null,
                  Map.of("login", login, "password", "password " + login, "device", "shape test")),
              201);
      String loginShape =
          "{expiresAt:s,session:{createdAt:s,device:s,id:s},token:s,user:{displayName:s,id:s}}";
      assertThat(shape(session)).isEqualTo(loginShape);
      String token = session.get("token").asText();
      assertThat(shape(ok(api.get("/api/v1/me", token), 200)))
          .isEqualTo("{displayName:s,id:s,login:s}");
      assertThat(shape(ok(api.get("/api/v1/me/sessions", token), 200)))
          .isEqualTo("{sessions:[{createdAt:s,current:b,device:s,id:s,lastSeenAt:s}]}");

      String phone = "+4916" + (100_000_000L + ThreadLocalRandom.current().nextLong(899_999_999L));
      assertThat(
              shape(
                  ok(
                      api.post(
                          "/api/v1/sms-codes", null, Map.of("phone", phone, "purpose", "login")),
                      202)))
          .isEqualTo("{expiresAt:s,resendAfter:s}");
      String outbox = "/api/v1/dev/sms-outbox?phone=" + phone.replace("+", "%2B");
      await()
          .atMost(Duration.ofSeconds(15))
          .until(() -> api.get(outbox, null).json().get("messages").size() == 1);
      assertThat(shape(ok(api.get(outbox, null), 200)))
          .isEqualTo("{messages:[{phone:s,sentAt:s,text:s}]}");

      JsonNode ticket = ok(api.post("/api/v1/qr-logins", null, Map.of()), 201);
      assertThat(order(ticket))
          .containsExactly(
              "id",
              "secret",
              "expiresAt",
              "qrContent",
              "imageUrl",
              "wsUrl",
              "pollUrl",
              "sessionUrl");
      assertThat(shape(ticket))
          .isEqualTo(
              "{expiresAt:s,id:s,imageUrl:s,pollUrl:s,qrContent:s,secret:s,sessionUrl:s,wsUrl:s}");
      String id = ticket.get("id").asText();
      String secret = ticket.get("secret").asText();
      JsonNode pending = ok(api.pollQr(id, secret, ""), 200);
      assertThat(order(pending)).containsExactly("state", "expiresAt");
      JsonNode scanned = ok(api.post("/api/v1/qr-logins/" + id + "/scan", token, Map.of()), 200);
      assertThat(order(scanned))
          .containsExactly("state", "device", "createdAt", "expiresAt", "requestedFrom");
      assertThat(shape(scanned))
          .isEqualTo("{createdAt:s,device:s,expiresAt:s,requestedFrom:{ip:s,network:s},state:s}");
      JsonNode polled = ok(api.pollQr(id, secret, ""), 200);
      assertThat(order(polled)).containsExactly("state", "expiresAt", "scannedBy");
      assertThat(shape(polled)).isEqualTo("{expiresAt:s,scannedBy:{displayName:s},state:s}");
      assertThat(shape(ok(api.post("/api/v1/qr-logins/" + id + "/confirm", token, Map.of()), 200)))
          .isEqualTo("{state:s}");
      Api.Response redeemed = api.redeemQr(id, secret, "shape-test-key-1");
      assertThat(shape(ok(redeemed, 201))).isEqualTo(loginShape);
      Api.Response replayed = api.redeemQr(id, secret, "shape-test-key-1");
      assertThat(replayed.status()).isEqualTo(201);
      assertThat(replayed.header("Idempotent-Replayed")).isEqualTo("true");
      assertThat(replayed.text()).isEqualTo(redeemed.text());

      JsonNode other = ok(api.post("/api/v1/qr-logins", null, Map.of()), 201);
      String otherId = other.get("id").asText();
      ok(api.post("/api/v1/qr-logins/" + otherId + "/scan", token, Map.of()), 200);
      assertThat(
              shape(ok(api.post("/api/v1/qr-logins/" + otherId + "/cancel", token, Map.of()), 200)))
          .isEqualTo("{state:s}");
    }
  }

  @Test
  void familyBodies_keepTheirShapes() {
    try (Kinhub node = TestBackends.get().startNode(TestBackends.newPrefix())) {
      Api api = Api.of(node);
      User owner = api.newUser("Owner");
      User joiner = api.newUser("Joiner");
      String familyShape =
          "{createdAt:s,description:null,id:s,memberCount:i,myRole:s,name:s,public:b,surname:null}";
      JsonNode created =
          ok(api.post("/api/v1/families", owner.token(), Map.of("name", "Shapes")), 201);
      assertThat(shape(created)).isEqualTo(familyShape);
      List<String> familyOrder =
          List.of(
              "id",
              "name",
              "surname",
              "description",
              "public",
              "myRole",
              "memberCount",
              "createdAt");
      assertThat(order(created)).containsExactlyElementsOf(familyOrder);
      String f = created.get("id").asText();
      assertThat(shape(ok(api.get("/api/v1/families", owner.token()), 200)))
          .isEqualTo("{families:[" + familyShape + "]}");
      String extended =
          "{createdAt:s,description:null,founderPersonId:null,generationPoem:null,id:s,memberCount:i,myPersonId:null,"
              + "myRole:s,name:s,poemStartGeneration:i,privacy:{maxAliveAge:i,showLivingNamesTo:s},public:b,surname:null}";
      JsonNode read = ok(api.get("/api/v1/families/" + f, owner.token()), 200);
      assertThat(shape(read)).isEqualTo(extended);
      List<String> extendedOrder = new ArrayList<>(familyOrder);
      extendedOrder.addAll(
          List.of(
              "privacy", "founderPersonId", "generationPoem", "poemStartGeneration", "myPersonId"));
      assertThat(order(read)).containsExactlyElementsOf(extendedOrder);
      JsonNode updated =
          ok(
              api.patch(
                  "/api/v1/families/" + f,
                  owner.token(),
                  Map.of("surname", "Shape", "public", true)),
              200);
      assertThat(order(updated)).containsExactlyElementsOf(extendedOrder);
      assertThat(shape(updated))
          .isEqualTo(extended.replace("public:b,surname:null", "public:b,surname:s"));
      User visitor = api.newUser("Visitor");
      JsonNode visited = ok(api.get("/api/v1/families/" + f, visitor.token()), 200);
      assertThat(shape(visited))
          .isEqualTo(extended.replace("myPersonId:null,", "").replace("surname:null", "surname:s"));

      JsonNode invitation =
          ok(api.post("/api/v1/families/" + f + "/invitations", owner.token(), Map.of()), 201);
      assertThat(shape(invitation)).isEqualTo("{code:s,expiresAt:s}");
      assertThat(shape(ok(api.get("/api/v1/families/" + f + "/invitations", owner.token()), 200)))
          .isEqualTo(
              "{invitations:[{createdAt:s,createdBy:{displayName:s,userId:s},expiresAt:s,id:s}]}");
      assertThat(
              shape(
                  ok(
                      api.post(
                          "/api/v1/invitations/" + invitation.get("code").asText() + "/accept",
                          joiner.token(),
                          Map.of()),
                      200)))
          .isEqualTo("{familyId:s,role:s}");
      assertThat(shape(ok(api.get("/api/v1/families/" + f + "/members", owner.token()), 200)))
          .isEqualTo("{members:[{displayName:s,joinedAt:s,role:s,userId:s}]}");
      assertThat(
              shape(
                  ok(
                      api.put(
                          "/api/v1/families/" + f + "/members/" + joiner.id() + "/role",
                          owner.token(),
                          Map.of("role", "admin")),
                      200)))
          .isEqualTo("{familyId:s,role:s,userId:s}");
      JsonNode checks =
          ok(
              api.post(
                  "/api/v1/permission-checks",
                  owner.token(),
                  Map.of("permissions", List.of("family:read:" + f, "family:delete:" + f + "0"))),
              200);
      assertThat(shape(checks))
          .isEqualTo("{results:{family:delete:" + f + "0:b,family:read:" + f + ":b}}");
      assertThat(order(checks.get("results")))
          .containsExactly("family:read:" + f, "family:delete:" + f + "0");
    }
  }
}
