package io.kinhub.server.tree;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kinhub.server.family.Families;
import io.kinhub.server.system.Api;
import io.kinhub.server.system.Api.User;
import io.kinhub.server.system.ExternalTools;
import io.kinhub.server.system.Kinhub;
import io.kinhub.server.system.TestBackends;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The nginx example (deploy/nginx/kinhub.conf) with a real nginx: GEDCOM imports above its general 2 MiB body
 * limit pass (that path alone allows the import limit), other paths keep the small limit, and it listens on IPv6.
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
    Path binary = ExternalTools.nginx();
    String site = Files.readString(Path.of("..", "deploy", "nginx", "kinhub.conf"))
        .replaceAll("(?m)^\\s*server 127\\.0\\.0\\.1:808[12];", "        server 127.0.0.1:" + node.port() + ";")
        .replace("listen 8080;", "listen 127.0.0.1:" + port + ";")
        .replace("listen [::]:8080;", "listen [::1]:" + port + ";");
    assertThat(site).contains("listen [::1]:" + port);
    Files.createDirectories(dir.resolve("logs"));
    Path conf = dir.resolve("nginx.conf");
    // large bodies go to client_body_temp_path: its workers must be able to write the test's directory
    String user = "root".equals(System.getProperty("user.name")) ? "user root;\n" : "";
    Files.writeString(conf, user + "daemon off;\nworker_processes 1;\npid " + dir.resolve("nginx.pid") + ";\n"
        + "error_log " + dir.resolve("logs/error.log") + " warn;\nevents { worker_connections 64; }\n"
        + "http {\n access_log " + dir.resolve("logs/access.log") + ";\n client_body_temp_path " + dir.resolve("body") + ";\n"
        + " proxy_temp_path " + dir.resolve("proxy") + ";\n fastcgi_temp_path " + dir.resolve("fcgi") + ";\n"
        + " uwsgi_temp_path " + dir.resolve("uwsgi") + ";\n scgi_temp_path " + dir.resolve("scgi") + ";\n"
        + site + "\n}\n");
    Process p = new ProcessBuilder(binary.toString(), "-c", conf.toString(), "-p", dir.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("logs/stdout.log").toFile()).start();
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      assertThat(p.isAlive()).as(() -> read(dir.resolve("logs/stdout.log"))).isTrue();
      try (Socket ignored = new Socket(InetAddress.getLoopbackAddress(), port)) {
        return true;
      } catch (IOException e) {
        return false;
      }
    });
    return p;
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      return e.toString();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Test
  void gedcomImportAboveTwoMiB_passes_otherLargeBodiesDoNot_andIpv6Listens(@TempDir Path dir) throws Exception {
    int port = freePort();
    Process nginx = nginx(dir, port);
    try {
      Api proxy = new Api("http://127.0.0.1:" + port);
      User owner = proxy.newUser("Behind nginx");
      String family = Families.create(proxy, owner, "Proxied", false);
      StringBuilder gedcom = new StringBuilder("0 HEAD\n1 CHAR UTF-8\n");
      for (int i = 1; gedcom.length() < 3 * 1024 * 1024; i++) {
        gedcom.append("0 @I").append(i).append("@ INDI\n1 NAME Person ").append(i).append(" /Proxied/\n1 NOTE ")
            .append("n".repeat(200)).append('\n');
      }
      byte[] body = gedcom.append("0 TRLR\n").toString().getBytes(UTF_8);
      Api.Response imported = proxy.raw("POST", "/api/v1/families/" + family + "/gedcom", owner.token(), "text/plain", body);
      assertThat(imported.status()).as(imported.text()).isEqualTo(200);
      assertThat(imported.json().get("imported").get("persons").asInt()).isGreaterThan(10_000);

      Api.Response elsewhere = proxy.raw("POST", "/api/v1/families", owner.token(), "application/json", body);
      assertThat(elsewhere.status()).isEqualTo(413);

      assertThat(new Api("http://[::1]:" + port).get("/health", null).status()).isEqualTo(200);
    } finally {
      nginx.destroy();
      nginx.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
