package io.kinhub.server.genealogy;

import static org.assertj.core.api.Assertions.assertThat;

import io.kinhub.server.app.Kinhub;
import io.kinhub.server.family.Families;
import io.kinhub.server.system.Api;
import io.kinhub.server.system.Api.User;
import io.kinhub.server.system.TestBackends;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Bad values of the nested {@code privacy} settings of {@code PATCH /api/v1/families/{id}} are
 * refused with the full path of the field ({@code privacy.maxAliveAge}), in the exact problem
 * bodies of the contract.
 */
class FamilySettingsValidationApiTest {
  private static String invalid(String field, String detail) {
    return "{\"type\":\"https://kinhub.dev/problems/invalid-request\",\"title\":\"Bad Request\",\"status\":400,\"detail\":\""
        + detail
        + "\",\"code\":\"invalid_request\",\"field\":\""
        + field
        + "\"}";
  }

  @Test
  void badPrivacyValues_nameTheNestedField() {
    try (Kinhub node = TestBackends.get().startNode(TestBackends.newPrefix())) {
      Api api = Api.of(node);
      User owner = api.newUser("Settings keeper");
      String path = "/api/v1/families/" + Families.create(api, owner, "Settings", false);
      String age =
          invalid(
              "privacy.maxAliveAge", "'privacy.maxAliveAge' must be a whole number from 1 to 200.");
      for (Object bad : new Object[] {0, 201, 1.5, "90", true, Map.of()}) {
        Api.Response r =
            api.patch(path, owner.token(), Map.of("privacy", Map.of("maxAliveAge", bad)));
        assertThat(r.status()).as(String.valueOf(bad)).isEqualTo(400);
        assertThat(r.text()).as(String.valueOf(bad)).isEqualTo(age);
      }
      String names =
          invalid(
              "privacy.showLivingNamesTo",
              "'privacy.showLivingNamesTo' must be \\\"members\\\" or \\\"everyone\\\".");
      for (Object bad : new Object[] {"nobody", "", 5, "x".repeat(40), "Members", false}) {
        Api.Response r =
            api.patch(path, owner.token(), Map.of("privacy", Map.of("showLivingNamesTo", bad)));
        assertThat(r.status()).as(String.valueOf(bad)).isEqualTo(400);
        assertThat(r.text()).as(String.valueOf(bad)).isEqualTo(names);
      }
      assertThat(api.patch(path, owner.token(), Map.of("privacy", "members")).text())
          .isEqualTo(invalid("privacy", "'privacy' must be an object."));
      Api.Response ok =
          api.patch(
              path,
              owner.token(),
              Map.of("privacy", Map.of("maxAliveAge", 90, "showLivingNamesTo", "everyone")));
      assertThat(ok.status()).as(ok.text()).isEqualTo(200);
      assertThat(ok.json().get("privacy").get("maxAliveAge").asInt()).isEqualTo(90);
      assertThat(ok.json().get("privacy").get("showLivingNamesTo").asText()).isEqualTo("everyone");
    }
  }
}
