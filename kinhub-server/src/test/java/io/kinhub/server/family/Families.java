package io.kinhub.server.family;

import static org.assertj.core.api.Assertions.assertThat;

import io.kinhub.server.system.Api;
import io.kinhub.server.system.Api.User;
import java.util.Map;

/** Test steps through the HTTP API: create a family, bring people in, give them roles. */
public final class Families {
  private Families() {}

  public static String create(Api api, User originator, String name, boolean isPublic) {
    Api.Response r =
        api.post("/api/v1/families", originator.token(), Map.of("name", name, "public", isPublic));
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    return r.json().get("id").asText();
  }

  /** {@code inviter} invites {@code joiner}, who accepts. */
  public static void join(Api api, User inviter, String familyId, User joiner) {
    Api.Response invitation =
        api.post("/api/v1/families/" + familyId + "/invitations", inviter.token(), Map.of());
    assertThat(invitation.status()).as(invitation.text()).isEqualTo(201);
    Api.Response accepted =
        api.post(
            "/api/v1/invitations/" + invitation.json().get("code").asText() + "/accept",
            joiner.token(),
            Map.of());
    assertThat(accepted.status()).as(accepted.text()).isEqualTo(200);
  }

  public static void setRole(Api api, User by, String familyId, User member, String role) {
    Api.Response r =
        api.put(
            "/api/v1/families/" + familyId + "/members/" + member.id() + "/role",
            by.token(),
            Map.of("role", role));
    assertThat(r.status()).as(r.text()).isEqualTo(200);
  }

  /** Adds a person and returns their id. */
  public static String person(Api api, User by, String familyId, Map<String, Object> fields) {
    Api.Response r = api.post("/api/v1/families/" + familyId + "/persons", by.token(), fields);
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    return r.json().get("id").asText();
  }
}
