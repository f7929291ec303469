package io.kinhub.server.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real nginx (Debian's) running the project's example site, {@code deploy/nginx/kinhub.conf},
 * with its upstreams and ports replaced: the one way tests start nginx.
 */
public final class NginxFixture {
  private NginxFixture() {}

  /** A free loopback port, for the proxy to listen on. */
  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The example site listening on {@code port} (127.0.0.1 and [::1]) in front of these node ports.
   */
  public static String exampleSite(int port, int... upstreams) throws IOException {
    String example = Files.readString(Path.of("..", "deploy", "nginx", "kinhub.conf"));
    Matcher listed =
        Pattern.compile(
                "(?m)^\\s*server 127\\.0\\.0\\.1:8081([^;]*);\\n\\s*server 127\\.0\\.0\\.1:8082[^;]*;\\n")
            .matcher(example);
    assertThat(listed.find()).as("the example lists the nodes 127.0.0.1:8081 and :8082").isTrue();
    StringBuilder servers = new StringBuilder();
    for (int upstream : upstreams) {
      // each node with the example's parameters (max_fails, fail_timeout)
      servers
          .append("        server 127.0.0.1:")
          .append(upstream)
          .append(listed.group(1))
          .append(";\n");
    }
    String site =
        (example.substring(0, listed.start()) + servers + example.substring(listed.end()))
            .replace("listen 8080;", "listen 127.0.0.1:" + port + ";")
            .replace("listen [::]:8080;", "listen [::1]:" + port + ";");
    for (int upstream : upstreams) {
      assertThat(site).contains("server 127.0.0.1:" + upstream + listed.group(1) + ";");
    }
    assertThat(site).contains("listen 127.0.0.1:" + port + ";");
    return site;
  }

  /**
   * Starts nginx with {@code site} in {@code dir} and waits until it accepts connections on {@code
   * port}.
   */
  public static Process start(Path dir, int port, String site) throws IOException {
    Path binary = ExternalTools.nginx();
    Files.createDirectories(dir.resolve("logs"));
    Path conf = dir.resolve("nginx.conf");
    // large bodies go to client_body_temp_path: its workers must be able to write the test's
    // directory
    String user = "root".equals(System.getProperty("user.name")) ? "user root;\n" : "";
    Files.writeString(
        conf,
        user
            + "daemon off;\nworker_processes 1;\npid "
            + dir.resolve("nginx.pid")
            + ";\n"
            + "error_log "
            + dir.resolve("logs/error.log")
            + " warn;\nevents { worker_connections 256; }\n"
            + "http {\n access_log "
            + dir.resolve("logs/access.log")
            + ";\n client_body_temp_path "
            + dir.resolve("body")
            + ";\n"
            + " proxy_temp_path "
            + dir.resolve("proxy")
            + ";\n fastcgi_temp_path "
            + dir.resolve("fcgi")
            + ";\n"
            + " uwsgi_temp_path "
            + dir.resolve("uwsgi")
            + ";\n scgi_temp_path "
            + dir.resolve("scgi")
            + ";\n"
            + site
            + "\n}\n");
    Process p =
        new ProcessBuilder(binary.toString(), "-c", conf.toString(), "-p", dir.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("logs/stdout.log").toFile())
            .start();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
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
}
