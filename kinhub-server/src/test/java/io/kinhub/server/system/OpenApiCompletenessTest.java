package io.kinhub.server.system;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kinhub.server.app.Kinhub;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Every route the server registers is in {@code /openapi.json}, and the document names no route
 * that does not exist.
 */
class OpenApiCompletenessTest {

  @Test
  void openApiDocument_describesExactlyTheRegisteredRoutes() {
    try (Kinhub node = TestBackends.get().startNode(TestBackends.newPrefix())) {
      Api.Response r = Api.of(node).get("/openapi.json", null);
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.json().get("openapi").asText()).isEqualTo("3.1.0");

      Set<String> documented = new TreeSet<>();
      Iterator<Map.Entry<String, JsonNode>> paths = r.json().get("paths").fields();
      while (paths.hasNext()) {
        Map.Entry<String, JsonNode> path = paths.next();
        path.getValue()
            .fieldNames()
            .forEachRemaining(
                method -> {
                  if (Set.of("get", "put", "post", "delete", "patch", "head", "options")
                      .contains(method)) {
                    documented.add(method.toUpperCase(Locale.ROOT) + " " + path.getKey());
                  }
                });
      }
      Set<String> registered = new TreeSet<>(node.routes());

      assertThat(documented).isEqualTo(registered);
    }
  }
}
