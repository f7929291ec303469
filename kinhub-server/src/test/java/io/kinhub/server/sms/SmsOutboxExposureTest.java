package io.kinhub.server.sms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kinhub.server.app.Kinhub;
import io.kinhub.server.app.Main;
import io.kinhub.server.config.Config;
import io.kinhub.server.config.Variables;
import io.kinhub.server.system.Api;
import io.kinhub.server.system.TestBackends;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Audit finding 1: the SMS outbox handed every login code to anyone. It is served only with {@code
 * KINHUB_DEV_ENDPOINTS=true}; otherwise it is a 404 and the outbox provider writes each message to
 * the server log, so a developer can still log in.
 */
class SmsOutboxExposureTest {

  private static String newPhone() {
    return "+4916" + (100_000_000L + ThreadLocalRandom.current().nextLong(899_999_999L));
  }

  private static String outboxPath(String phone) {
    return "/api/v1/dev/sms-outbox?phone=" + phone.replace("+", "%2B");
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /**
   * Starts {@code kinhub serve} in a JVM of its own, on the shared test backends, its output in
   * {@code log}.
   */
  private static Process serveInChild(Map<String, String> env, Path log) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    ProcessBuilder builder =
        new ProcessBuilder(
                java, "-cp", System.getProperty("java.class.path"), Main.class.getName(), "serve")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().keySet().removeIf(k -> k.startsWith("KINHUB_"));
    builder.environment().putAll(env);
    return builder.start();
  }

  @Test
  void smsOutbox_isNotFound_withoutDevEndpoints(@TempDir Path dir) throws Exception {
    int port = freePort();
    Map<String, String> env = TestBackends.get().env(TestBackends.newPrefix());
    env.put("KINHUB_HTTP_PORT", Integer.toString(port));
    env.remove("KINHUB_DEV_ENDPOINTS");
    Path log = dir.resolve("server.log");
    Process child = serveInChild(env, log);
    try {
      Api api = new Api("http://127.0.0.1:" + port);
      await()
          .atMost(Duration.ofMinutes(2))
          .ignoreExceptions()
          .until(() -> api.get("/health", null).status() == 200);
      String phone = newPhone();
      assertThat(
              api.post("/api/v1/sms-codes", null, Map.of("phone", phone, "purpose", "login"))
                  .status())
          .isEqualTo(202);

      // the message is delivered (it shows up in the log) and still the outbox is not served
      Pattern logged =
          Pattern.compile(Pattern.quote(phone) + ".*Your Kinhub login code is (\\d{6})");
      String[] code = new String[1];
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                Matcher m = logged.matcher(Files.readString(log));
                code[0] = m.find() ? m.group(1) : null;
                return code[0] != null;
              });
      Api.Response outbox = api.get(outboxPath(phone), null);
      assertThat(outbox.status()).isEqualTo(404);
      assertThat(outbox.contentType()).startsWith("application/problem+json");
      assertThat(outbox.json().get("code").asText()).isEqualTo("not_found");
      assertThat(outbox.text()).doesNotContain(code[0]);

      // the logged code is the real one: a developer can log in with it
      Api.Response login =
          api.post("/api/v1/sessions/sms", null, Map.of("phone", phone, "code", code[0]));
      assertThat(login.status()).as(login.text()).isEqualTo(201);
    } finally {
      child.destroy();
      if (!child.waitFor(30, TimeUnit.SECONDS)) {
        child.destroyForcibly().waitFor();
      }
    }
  }

  @Test
  void smsOutbox_isServed_onlyWhenDevEndpointsAreOn() {
    Map<String, String> env = TestBackends.get().env(TestBackends.newPrefix());
    env.put("KINHUB_DEV_ENDPOINTS", "true");
    try (Kinhub node = Kinhub.start(Config.from(env))) {
      Api api = Api.of(node);
      String phone = newPhone();
      assertThat(
              api.post("/api/v1/sms-codes", null, Map.of("phone", phone, "purpose", "login"))
                  .status())
          .isEqualTo(202);
      await()
          .atMost(Duration.ofSeconds(15))
          .until(() -> api.get(outboxPath(phone), null).json().get("messages").size() == 1);
    }
  }

  @Test
  void devEndpoints_acceptOnlyTrueOrFalse() {
    Map<String, String> env = TestBackends.get().env(TestBackends.newPrefix());
    env.put("KINHUB_DEV_ENDPOINTS", "yes please");
    Assertions.assertThatThrownBy(() -> Config.from(env))
        .hasMessageContaining("KINHUB_DEV_ENDPOINTS");
    assertThat(Config.from(TestBackends.get().env(TestBackends.newPrefix())).sms().devEndpoints())
        .isFalse();
    assertThat(Optional.of(Variables.DEV_ENDPOINTS.defaultText())).contains("false");
  }
}
