package io.kinhub.server.tree;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.kinhub.server.app.Kinhub;
import io.kinhub.server.family.Families;
import io.kinhub.server.system.Api;
import io.kinhub.server.system.Api.User;
import io.kinhub.server.system.NginxFixture;
import io.kinhub.server.system.TestBackends;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The nginx example (deploy/nginx/kinhub.conf) with a real nginx: GEDCOM imports above its general
 * 2 MiB body limit pass (that path alone allows the import limit), other paths keep the small
 * limit, and it listens on IPv6.
 */
class GedcomThroughNginxTest {
  private static Kinhub node;

  @BeforeAll
  static void start() {
    node = TestBackends.get().startNode(TestBackends.newPrefix());
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static Process nginx(Path dir, int port) throws IOException {
    String site = NginxFixture.exampleSite(port, node.port());
    assertThat(site).contains("listen [::1]:" + port);
    return NginxFixture.start(dir, port, site);
  }

  private static int freePort() {
    return NginxFixture.freePort();
  }

  @Test
  void gedcomImportAboveTwoMiB_passes_otherLargeBodiesDoNot_andIpv6Listens(@TempDir Path dir)
      throws Exception {
    int port = freePort();
    Process nginx = nginx(dir, port);
    try {
      Api proxy = new Api("http://127.0.0.1:" + port);
      User owner = proxy.newUser("Behind nginx");
      String family = Families.create(proxy, owner, "Proxied", false);
      StringBuilder gedcom = new StringBuilder("0 HEAD\n1 CHAR UTF-8\n");
      for (int i = 1; gedcom.length() < 3 * 1024 * 1024; i++) {
        gedcom
            .append("0 @I")
            .append(i)
            .append("@ INDI\n1 NAME Person ")
            .append(i)
            .append(" /Proxied/\n1 NOTE ")
            .append("n".repeat(200))
            .append('\n');
      }
      byte[] body = gedcom.append("0 TRLR\n").toString().getBytes(UTF_8);
      Api.Response imported =
          proxy.raw(
              "POST", "/api/v1/families/" + family + "/gedcom", owner.token(), "text/plain", body);
      assertThat(imported.status()).as(imported.text()).isEqualTo(200);
      assertThat(imported.json().get("imported").get("persons").asInt()).isGreaterThan(10_000);

      Api.Response elsewhere =
          proxy.raw("POST", "/api/v1/families", owner.token(), "application/json", body);
      assertThat(elsewhere.status()).isEqualTo(413);

      assertThat(new Api("http://[::1]:" + port).get("/health", null).status()).isEqualTo(200);
    } finally {
      nginx.destroy();
      nginx.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
