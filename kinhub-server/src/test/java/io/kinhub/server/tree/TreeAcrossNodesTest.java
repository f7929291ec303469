package io.kinhub.server.tree;

import static org.assertj.core.api.Assertions.assertThat;

import io.kinhub.server.app.Kinhub;
import io.kinhub.server.family.Families;
import io.kinhub.server.system.Api;
import io.kinhub.server.system.Api.User;
import io.kinhub.server.system.TestBackends;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Tree versions are near-cached on every node: an edit on node A changes the tree's ETag on node B
 * by the time the edit returns, although B had just answered 304 from its cache.
 */
class TreeAcrossNodesTest {

  @Test
  void anEditOnOneNodeChangesTheEtagOnTheOtherAtOnce() throws Exception {
    String prefix = TestBackends.newPrefix();
    try (Kinhub a = TestBackends.get().startNode(prefix);
        Kinhub b = TestBackends.get().startNode(prefix)) {
      Api onA = Api.of(a);
      User owner = onA.newUser("Keeper");
      String family = Families.create(onA, owner, "Two nodes", false);
      HttpClient client = HttpClient.newHttpClient();
      String path = "/api/v1/families/" + family + "/tree";
      String etag = Api.of(b).get(path, owner.token()).header("ETag");
      for (int round = 0; round < 20; round++) {
        HttpRequest conditional =
            HttpRequest.newBuilder(URI.create(b.baseUrl() + path))
                .header("Authorization", "Bearer " + owner.token())
                .header("If-None-Match", etag)
                .build();
        assertThat(client.send(conditional, HttpResponse.BodyHandlers.ofString()).statusCode())
            .isEqualTo(304);
        Families.person(onA, owner, family, Map.of("name", "Person " + round));
        HttpResponse<String> changed =
            client.send(conditional, HttpResponse.BodyHandlers.ofString());
        assertThat(changed.statusCode()).as("round %d", round).isEqualTo(200);
        assertThat(changed.body()).contains("Person " + round);
        etag = changed.headers().firstValue("ETag").orElseThrow();
      }
    }
  }
}
