package io.kinhub.server.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kinhub.server.app.Kinhub;
import io.kinhub.server.system.Api;
import io.kinhub.server.system.TestBackends;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Authentication happens once per route, before the handler, for exactly the operations {@code
 * /openapi.json} marks with {@code bearerAuth}: each answers a missing or unknown token with the
 * same 401 problem (body bytes, content type, {@code WWW-Authenticate}); every other API operation
 * stays public (never that 401).
 */
class RouteAuthenticationTest {
  private static final String UNAUTHENTICATED =
      "{\"type\":\"https://kinhub.dev/problems/unauthenticated\",\"title\":"
          + "\"Unauthorized\",\"status\":401,\"detail\":\"A valid bearer token is required.\",\"code\":\"unauthenticated\"}";
  private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch");

  private record Operation(String method, String path, boolean needsSession) {}

  @Test
  void routesMarkedBearerAuth_answer401Alike_andOtherApiRoutesStayPublic() {
    try (Kinhub node = TestBackends.get().startNode(TestBackends.newPrefix())) {
      Api api = Api.of(node);
      List<Operation> operations = operations(api.get("/openapi.json", null).json());
      assertThat(operations.stream().filter(Operation::needsSession).count()).isGreaterThan(40);
      for (Operation op : operations) {
        String path = op.path().replaceAll("\\{[^}]+}", "1");
        byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
        if (op.needsSession()) {
          for (String token : new String[] {null, "not-a-session-token"}) {
            Api.Response r = api.raw(op.method(), path, token, "application/json", body);
            String what = op.method() + " " + op.path() + " with token " + token;
            assertThat(r.status()).as(what).isEqualTo(401);
            assertThat(r.text()).as(what).isEqualTo(UNAUTHENTICATED);
            assertThat(r.contentType()).as(what).startsWith("application/problem+json");
            assertThat(r.header("WWW-Authenticate")).as(what).isEqualTo("Bearer realm=\"kinhub\"");
          }
        } else {
          Api.Response r = api.raw(op.method(), path, null, "application/json", body);
          assertThat(r.json().path("code").asText())
              .as(op.method() + " " + op.path())
              .isNotEqualTo("unauthenticated");
        }
      }
    }
  }

  private static List<Operation> operations(JsonNode openApi) {
    List<Operation> out = new ArrayList<>();
    Iterator<Map.Entry<String, JsonNode>> paths = openApi.get("paths").fields();
    while (paths.hasNext()) {
      Map.Entry<String, JsonNode> path = paths.next();
      if (!path.getKey().startsWith("/api/v1/")) {
        continue;
      }
      path.getValue()
          .fields()
          .forEachRemaining(
              op -> {
                if (METHODS.contains(op.getKey())) {
                  boolean bearer = false;
                  for (JsonNode requirement : op.getValue().path("security")) {
                    bearer |= requirement.has("bearerAuth");
                  }
                  out.add(
                      new Operation(op.getKey().toUpperCase(Locale.ROOT), path.getKey(), bearer));
                }
              });
    }
    return out;
  }
}
