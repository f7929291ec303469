package io.kinhub.server.tree;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.kinhub.server.app.Kinhub;
import io.kinhub.server.config.Config;
import io.kinhub.server.family.Families;
import io.kinhub.server.system.Api;
import io.kinhub.server.system.Api.User;
import io.kinhub.server.system.Metrics;
import io.kinhub.server.system.TestBackends;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /tree} keeps the serialised, gzip-compressed body per tree version (issue 12, finding
 * 11).
 */
class TreeCacheApiTest {
  private static final HttpClient CLIENT = HttpClient.newHttpClient();
  private static Kinhub node;
  private static Api api;
  private static User owner;

  @BeforeAll
  static void start() {
    Map<String, String> env = TestBackends.get().env(TestBackends.newPrefix());
    env.put("KINHUB_TREE_CACHE_MIB", "1"); // the JSON below is larger than this; compressed it fits
    node = Kinhub.start(Config.from(env));
    api = Api.of(node);
    owner = api.newUser("Reader");
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static HttpResponse<byte[]> tree(String family, String acceptEncoding) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(node.baseUrl() + "/api/v1/families/" + family + "/tree"))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + owner.token());
    if (acceptEncoding != null) {
      b.header("Accept-Encoding", acceptEncoding);
    }
    return CLIENT.send(b.GET().build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static double builds() {
    return Metrics.sum(api, "kinhub_tree_builds_total", "");
  }

  @Test
  void repeatGetsOfAnUnchangedTree_doNoReserialisation_andGzipIsServedWhenAccepted()
      throws Exception {
    String family = Families.create(api, owner, "Big", false);
    StringBuilder gedcom = new StringBuilder("0 HEAD\n1 CHAR UTF-8\n");
    for (int i = 1; i <= 8_000; i++) {
      gedcom
          .append("0 @I")
          .append(i)
          .append("@ INDI\n1 NAME Person")
          .append(i)
          .append(" /Family")
          .append(i % 50)
          .append("/\n1 BIRT\n2 DATE ")
          .append(1800 + i % 200)
          .append("\n2 PLAC Town number ")
          .append(i % 300)
          .append('\n');
    }
    Api.Response imported =
        api.raw(
            "POST",
            "/api/v1/families/" + family + "/gedcom",
            owner.token(),
            "text/plain",
            gedcom.append("0 TRLR\n").toString().getBytes(UTF_8));
    assertThat(imported.status()).as(imported.text()).isEqualTo(200);

    double before = builds();
    HttpResponse<byte[]> plain = tree(family, null);
    assertThat(plain.statusCode()).isEqualTo(200);
    assertThat(plain.headers().firstValue("Content-Encoding")).isEmpty();
    assertThat(plain.body().length).isGreaterThan(1024 * 1024);
    HttpResponse<byte[]> gzipped = tree(family, "br;q=1.0, gzip;q=0.8");
    assertThat(gzipped.statusCode()).isEqualTo(200);
    assertThat(gzipped.headers().firstValue("Content-Encoding")).hasValue("gzip");
    assertThat(gzipped.headers().firstValue("Vary"))
        .hasValueSatisfying(v -> assertThat(v).containsIgnoringCase("Accept-Encoding"));
    assertThat(gzipped.body().length).isLessThan(plain.body().length / 4);
    byte[] unzipped = new GZIPInputStream(new ByteArrayInputStream(gzipped.body())).readAllBytes();
    assertThat(new String(unzipped, UTF_8)).isEqualTo(new String(plain.body(), UTF_8));
    for (int i = 0; i < 5; i++) {
      assertThat(tree(family, i % 2 == 0 ? "gzip" : "identity").statusCode()).isEqualTo(200);
    }
    assertThat(tree(family, "gzip;q=0").headers().firstValue("Content-Encoding")).isEmpty();
    assertThat(builds() - before).isEqualTo(1.0);

    Families.person(api, owner, family, Map.of("name", "Newcomer"));
    assertThat(new String(tree(family, null).body(), UTF_8)).contains("Newcomer");
    assertThat(tree(family, "gzip").statusCode()).isEqualTo(200);
    assertThat(builds() - before).isEqualTo(2.0);
  }
}
