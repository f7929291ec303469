package io.kinhub.server.tree;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kinhub.server.app.Kinhub;
import io.kinhub.server.config.Config;
import io.kinhub.server.family.Families;
import io.kinhub.server.system.Api;
import io.kinhub.server.system.Api.User;
import io.kinhub.server.system.TestBackends;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The GEDCOM findings of the outside audit (issue 12), each against a real node with a deliberately
 * small database pool (2 connections): slow uploads and slow downloads must not hold connections,
 * bad bytes and huge values are not 500s, oversized lines are 413 naming the line, and imports
 * beyond the node's cap are refused.
 */
class GedcomAbuseApiTest {
  private static final String HEAD = "0 HEAD\n1 SOUR TEST\n1 CHAR UTF-8\n";

  private static Kinhub node;
  private static Api api;
  private static User owner;

  @BeforeAll
  static void start() {
    Map<String, String> env = TestBackends.get().env(TestBackends.newPrefix());
    env.put("KINHUB_DATABASE_POOL_SIZE", "2");
    env.put("KINHUB_GEDCOM_UPLOAD_READ_TIMEOUT", "2s");
    env.put("KINHUB_GEDCOM_UPLOAD_MIN_RATE", "2000");
    env.put("KINHUB_GEDCOM_MAX_CONCURRENT_IMPORTS", "2");
    env.put("KINHUB_GEDCOM_MAX_LINE_BYTES", "4096");
    env.put("KINHUB_GEDCOM_MAX_RECORD_LINES", "1000");
    env.put("KINHUB_GEDCOM_MAX_RECORDS", "5000");
    node = Kinhub.start(Config.from(env));
    api = Api.of(node);
    owner = api.newUser("Genealogist");
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static Api.Response importInto(String family, String gedcom) {
    return api.raw(
        "POST",
        "/api/v1/families/" + family + "/gedcom",
        owner.token(),
        "text/plain",
        gedcom.getBytes(UTF_8));
  }

  /**
   * A raw HTTP/1.1 client that sends a request and then trickles or stalls, as an attacker would.
   */
  private static final class SlowClient implements AutoCloseable {
    private final Socket socket = new Socket();
    private final OutputStream out;
    private volatile boolean stop;
    private Thread trickler;

    SlowClient(int receiveBuffer) throws IOException {
      if (receiveBuffer > 0) {
        socket.setReceiveBufferSize(receiveBuffer);
      }
      socket.connect(new InetSocketAddress("127.0.0.1", node.port()), 5_000);
      out = socket.getOutputStream();
    }

    /** Starts a GEDCOM upload announcing a 1 MB body, then sends a short line every 300 ms. */
    static SlowClient upload(String family) throws IOException {
      SlowClient c = silentUpload(family);
      c.trickler =
          Thread.ofVirtual()
              .start(
                  () -> {
                    for (int i = 0; i < 200 && !c.stop; i++) { // at most 60 s
                      try {
                        Thread.sleep(300);
                        c.send("1 NOTE x\n");
                      } catch (IOException | InterruptedException e) {
                        return;
                      }
                    }
                  });
      return c;
    }

    /** Starts a GEDCOM upload announcing a 1 MB body, sends the first lines and then nothing. */
    static SlowClient silentUpload(String family) throws IOException {
      SlowClient c = new SlowClient(0);
      c.send(
          "POST /api/v1/families/"
              + family
              + "/gedcom HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
              + owner.token()
              + "\r\nContent-Type: text/plain\r\nContent-Length: 1000000\r\n\r\n"
              + HEAD);
      return c;
    }

    /** Asks for the export and never reads the body. */
    static SlowClient export(String family) throws IOException {
      SlowClient c = new SlowClient(2048);
      c.send(
          "GET /api/v1/families/"
              + family
              + "/gedcom HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
              + owner.token()
              + "\r\n\r\n");
      return c;
    }

    void send(String text) throws IOException {
      out.write(text.getBytes(UTF_8));
      out.flush();
    }

    /**
     * The status of the response, waiting at most {@code millis}; 0 if none came (or the connection
     * broke).
     */
    int status(int millis) {
      try {
        socket.setSoTimeout(millis);
        String line =
            new BufferedReader(new InputStreamReader(socket.getInputStream(), UTF_8)).readLine();
        return line == null ? 0 : Integer.parseInt(line.split(" ")[1]);
      } catch (SocketTimeoutException e) {
        return 0;
      } catch (IOException e) {
        return 0;
      }
    }

    @Override
    public void close() throws IOException {
      stop = true;
      socket.close();
    }
  }

  /** Bystanders: /health (which probes PostgreSQL) and a request that reads PostgreSQL. */
  private static void assertBystandersAreServed(User bystander) {
    Api.Response health = api.get("/health", null);
    assertThat(health.status()).as(health.text()).isEqualTo(200);
    Api.Response families = api.get("/api/v1/families", bystander.token());
    assertThat(families.status()).as(families.text()).isEqualTo(200);
    Api.Response me = api.get("/api/v1/me", bystander.token());
    assertThat(me.status()).as(me.text()).isEqualTo(200);
  }

  @Test
  void slowGedcomUpload_doesNotStarveThePool() throws Exception {
    User bystander = api.newUser("Bystander");
    Families.create(api, bystander, "Bystander's", false);
    List<SlowClient> uploads = new ArrayList<>();
    try {
      for (int i = 0; i < 6; i++) {
        uploads.add(SlowClient.upload(Families.create(api, owner, "Slow " + i, false)));
      }
      Thread.sleep(1_000);
      assertBystandersAreServed(bystander);
      // the slow uploads end: refused at once (beyond the node's import cap) or cut off for being
      // too slow
      for (SlowClient upload : uploads) {
        assertThat(upload.status(20_000)).isIn(408, 503);
      }
    } finally {
      for (SlowClient upload : uploads) {
        upload.close();
      }
    }
    assertBystandersAreServed(bystander);
  }

  @Test
  void silentUpload_isCutOffAfterTheReadTimeout_andFreesItsImportSlot() throws Exception {
    String family = Families.create(api, owner, "Silent", false);
    try (SlowClient silent = SlowClient.silentUpload(family)) {
      assertThat(silent.status(20_000)).isEqualTo(408);
    }
    Api.Response after = importInto(family, HEAD + "0 @I1@ INDI\n1 NAME Ann\n0 TRLR\n");
    assertThat(after.status()).as(after.text()).isEqualTo(200);
  }

  @Test
  void slowExportReader_doesNotHoldAConnection() throws Exception {
    String family = Families.create(api, owner, "Big notes", false);
    StringBuilder gedcom = new StringBuilder(HEAD);
    String chunk = "n".repeat(1000);
    for (int i = 1; i <= 1500; i++) { // ~15 MB of export, far more than the socket buffers hold
      gedcom
          .append("0 @I")
          .append(i)
          .append("@ INDI\n1 NAME Person ")
          .append(i)
          .append("\n1 NOTE ")
          .append(chunk)
          .append('\n');
      gedcom.append(("2 CONC " + chunk + "\n").repeat(9));
    }
    Api.Response imported = importInto(family, gedcom.append("0 TRLR\n").toString());
    assertThat(imported.status()).as(imported.text()).isEqualTo(200);
    User bystander = api.newUser("Bystander");
    List<SlowClient> readers = new ArrayList<>();
    try {
      for (int i = 0; i < 4; i++) {
        readers.add(SlowClient.export(family));
      }
      Thread.sleep(3_000); // long enough for every export to be blocked on its full socket
      assertBystandersAreServed(bystander);
    } finally {
      for (SlowClient reader : readers) {
        reader.close();
      }
    }
  }

  @Test
  void exportFromItsSpool_isCompleteWithOrWithoutGzip() throws Exception {
    String family = Families.create(api, owner, "Exported", false);
    StringBuilder gedcom = new StringBuilder(HEAD);
    for (int i = 1; i <= 300; i++) {
      gedcom
          .append("0 @I")
          .append(i)
          .append("@ INDI\n1 NAME Person ")
          .append(i)
          .append(" /Spooled/\n");
    }
    assertThat(importInto(family, gedcom.append("0 TRLR\n").toString()).status()).isEqualTo(200);
    HttpClient client = HttpClient.newHttpClient();
    for (String encoding : List.of("identity", "gzip")) {
      HttpResponse<byte[]> r =
          client.send(
              HttpRequest.newBuilder(
                      URI.create(node.baseUrl() + "/api/v1/families/" + family + "/gedcom"))
                  .header("Authorization", "Bearer " + owner.token())
                  .header("Accept-Encoding", encoding)
                  .build(),
              HttpResponse.BodyHandlers.ofByteArray());
      assertThat(r.statusCode()).isEqualTo(200);
      byte[] body =
          r.headers().firstValue("Content-Encoding").orElse("").equals("gzip")
              ? new GZIPInputStream(new ByteArrayInputStream(r.body())).readAllBytes()
              : r.body();
      String text = new String(body, UTF_8);
      assertThat(text)
          .startsWith("0 HEAD")
          .endsWith("0 TRLR\n")
          .contains("1 NAME Person 300 /Spooled/");
    }
  }

  @Test
  void concurrentImportsBeyondCap_refused() throws Exception {
    List<SlowClient> uploads = new ArrayList<>();
    try {
      for (int i = 0; i < 2; i++) { // the node's cap
        uploads.add(SlowClient.upload(Families.create(api, owner, "Holding " + i, false)));
      }
      Thread.sleep(500);
      String family = Families.create(api, owner, "Refused", false);
      Api.Response refused = importInto(family, HEAD + "0 @I1@ INDI\n1 NAME Ann\n0 TRLR\n");
      assertThat(refused.status()).as(refused.text()).isEqualTo(503);
      assertThat(refused.contentType()).startsWith("application/problem+json");
      assertThat(refused.json().get("code").asText()).isEqualTo("unavailable");
      assertThat(refused.header("Retry-After")).matches("[1-9][0-9]*");
      assertThat(
              api.get("/api/v1/families/" + family + "/tree", owner.token()).json().get("persons"))
          .isEmpty();
    } finally {
      for (SlowClient upload : uploads) {
        upload.close();
      }
    }
  }

  @Test
  void overlongLine_is413NamingTheLine() {
    String family = Families.create(api, owner, "Long line", false);
    Api.Response r =
        importInto(family, HEAD + "0 @I1@ INDI\n1 NAME " + "x".repeat(5_000) + "\n0 TRLR\n");
    assertThat(r.status()).as(r.text()).isEqualTo(413);
    assertThat(r.json().get("code").asText()).isEqualTo("too_large");
    assertThat(r.json().get("detail").asText()).contains("line 5").contains("4096 bytes");
    assertThat(api.get("/api/v1/families/" + family + "/tree", owner.token()).json().get("persons"))
        .isEmpty();
  }

  @Test
  void recordWithTooManyLines_is413NamingTheLine() {
    String family = Families.create(api, owner, "Many lines", false);
    Api.Response r =
        importInto(family, HEAD + "0 @I1@ INDI\n" + "1 X\n".repeat(1_500) + "0 TRLR\n");
    assertThat(r.status()).as(r.text()).isEqualTo(413);
    assertThat(r.json().get("detail").asText())
        .contains("line 1004")
        .contains("more than 1000 lines");
  }

  @Test
  void manyTinyRecords_are413NamingTheLine_andNothingIsImported() {
    String family = Families.create(api, owner, "Tiny records", false);
    StringBuilder gedcom = new StringBuilder(HEAD);
    for (int i = 1; i <= 6_000; i++) {
      gedcom.append("0 @I").append(i).append("@ INDI\n");
    }
    Api.Response r = importInto(family, gedcom.append("0 TRLR\n").toString());
    assertThat(r.status()).as(r.text()).isEqualTo(413);
    assertThat(r.json().get("detail").asText())
        .contains("line 5003")
        .contains("more than 5000 records");
    assertThat(api.get("/api/v1/families/" + family + "/tree", owner.token()).json().get("persons"))
        .isEmpty();
  }

  @Test
  void pointersToEndlesslyManyXrefs_are413() {
    String family = Families.create(api, owner, "Many pointers", false);
    StringBuilder gedcom = new StringBuilder(HEAD).append("0 @I1@ INDI\n");
    for (int f = 0; f < 11; f++) {
      gedcom.append("0 @F").append(f).append("@ FAM\n");
      for (int c = 0; c < 990; c++) {
        gedcom.append("1 CHIL @X").append(f).append('_').append(c).append("@\n");
      }
    }
    Api.Response r = importInto(family, gedcom.append("0 TRLR\n").toString());
    assertThat(r.status()).as(r.text()).isEqualTo(413);
    assertThat(r.json().get("detail").asText())
        .contains("more than 10000 distinct cross-references");
  }

  @Test
  void nulByte_isNot500() {
    String family = Families.create(api, owner, "Nul", false);
    Api.Response r =
        importInto(family, HEAD + "0 @I1@ INDI\n1 NAME An\u0000n /Nul/\n1 NOTE a\u0000b\n0 TRLR\n");
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    assertThat(r.text()).contains("NUL characters removed");
    JsonNode person =
        api.get("/api/v1/families/" + family + "/tree", owner.token()).json().get("persons").get(0);
    assertThat(person.get("name").asText()).isEqualTo("Ann Nul");
  }

  @Test
  void controlCharacters_becomeSpaces_likeTheApiWouldRequire() {
    String family = Families.create(api, owner, "Control", false);
    Api.Response r =
        importInto(
            family,
            HEAD
                + "0 @I1@ INDI\n1 NAME Ann\u0001Bell /Ctl/\n1 BIRT\n2 PLAC Town\u001Bville\n0 TRLR\n");
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    JsonNode person =
        api.get("/api/v1/families/" + family + "/tree", owner.token()).json().get("persons").get(0);
    assertThat(person.get("name").asText()).isEqualTo("Ann Bell Ctl");
    assertThat(person.get("birthPlace").asText()).isEqualTo("Town ville");
  }

  @Test
  void hugeNote_isCappedToApiLimit() {
    String family = Families.create(api, owner, "Huge note", false);
    String chunk = "y".repeat(2_000);
    String inline =
        "1 NOTE " + chunk + "\n" + ("2 CONC " + chunk + "\n").repeat(30); // 62,000 characters
    String record = "0 @N1@ NOTE " + chunk + "\n" + ("1 CONC " + chunk + "\n").repeat(30);
    Api.Response r =
        importInto(
            family,
            HEAD
                + "0 @I1@ INDI\n1 NAME Ann /Long/\n"
                + inline
                + "0 @I2@ INDI\n1 NAME Bob /Long/\n1 NOTE @N1@\n"
                + record
                + "0 TRLR\n");
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    assertThat(r.text()).contains("cut to 10000 characters");
    JsonNode persons =
        api.get("/api/v1/families/" + family + "/tree", owner.token()).json().get("persons");
    for (JsonNode p : persons) {
      JsonNode details =
          api.get("/api/v1/families/" + family + "/persons/" + p.get("id").asText(), owner.token())
              .json();
      assertThat(details.get("notes").asText()).hasSize(10_000).matches("y+");
    }
  }
}
