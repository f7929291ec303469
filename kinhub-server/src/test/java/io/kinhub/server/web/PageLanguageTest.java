package io.kinhub.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kinhub.server.app.Kinhub;
import io.kinhub.server.system.TestBackends;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every page is served in the language the browser asks for ({@code <html lang>}), the message
 * bundles are served beside the scripts, and both languages carry exactly the same keys.
 */
class PageLanguageTest {
  private static final Path BUNDLES = Path.of("src", "main", "resources", "web", "i18n");
  private static final HttpClient CLIENT = HttpClient.newHttpClient();
  private static Kinhub node;

  @BeforeAll
  static void start() {
    node = TestBackends.get().startNode(TestBackends.newPrefix());
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static HttpResponse<String> get(String path, String acceptLanguage) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(node.baseUrl() + path));
    if (acceptLanguage != null) {
      request.header("Accept-Language", acceptLanguage);
    }
    return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void acceptLanguage_choosesTheHtmlLang() throws Exception {
    assertThat(get("/login", "zh-CN,zh;q=0.9,en;q=0.8").body()).contains("<html lang=\"zh-CN\">");
    assertThat(get("/login", "zh-TW").body()).contains("<html lang=\"zh-CN\">");
    assertThat(get("/login", "en-GB,zh;q=0.5").body()).contains("<html lang=\"en\">");
    assertThat(get("/login", "fr-FR,zh;q=0.3").body()).contains("<html lang=\"zh-CN\">");
    assertThat(get("/login", "de").body()).contains("<html lang=\"en\">");
    assertThat(get("/login", null).body()).contains("<html lang=\"en\">");
    assertThat(get("/login", "zh;q=0").body()).contains("<html lang=\"en\">");
    assertThat(get("/", "zh;q=bogus,,;;").statusCode()).isEqualTo(200);
    assertThat(get("/login", "zh").headers().firstValue("Vary")).hasValue("Accept-Language");
  }

  @Test
  void bundlesAndScripts_areServed_unknownNamesAreProblems() throws Exception {
    HttpResponse<String> bundle = get("/assets/i18n/zh-CN/common.json", null);
    assertThat(bundle.statusCode()).isEqualTo(200);
    assertThat(bundle.headers().firstValue("Content-Type").orElseThrow())
        .startsWith("application/json");
    assertThat(new ObjectMapper().readTree(bundle.body()).get("common.language").asText())
        .isEqualTo("语言");
    assertThat(get("/assets/i18n.js", null).statusCode()).isEqualTo(200);
    for (String bad :
        new String[] {
          "/assets/i18n/fr/common.json",
          "/assets/i18n/en/nope.json",
          "/assets/nope.js",
          "/assets/..%2Fopenapi.json",
          "/assets/i18n/en/..%2F..%2Fhome.html",
          "/assets/Login.JS"
        }) {
      HttpResponse<String> answer = get(bad, null);
      assertThat(answer.statusCode()).as(bad).isIn(400, 404);
      assertThat(answer.headers().firstValue("Content-Type").orElseThrow())
          .as(bad)
          .startsWith("application/problem+json");
    }
  }

  @Test
  void everyBundle_hasTheSameKeysInBothLanguages() throws IOException {
    Set<String> english = bundleKeys("en");
    Set<String> chinese = bundleKeys("zh-CN");
    assertThat(english).isNotEmpty();
    assertThat(chinese).as("keys of zh-CN vs en").isEqualTo(english);
  }

  private static Set<String> bundleKeys(String language) throws IOException {
    Set<String> keys = new TreeSet<>();
    ObjectMapper json = new ObjectMapper();
    try (Stream<Path> files = Files.list(BUNDLES.resolve(language))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".json")).toList()) {
        JsonNode bundle = json.readTree(file.toFile());
        bundle
            .fieldNames()
            .forEachRemaining(
                key -> {
                  assertThat(bundle.get(key).isTextual()).as(file + " " + key).isTrue();
                  assertThat(bundle.get(key).asText()).as(file + " " + key).isNotBlank();
                  keys.add(file.getFileName() + ":" + key);
                });
      }
    }
    return keys;
  }
}
