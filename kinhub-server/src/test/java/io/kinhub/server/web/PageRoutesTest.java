package io.kinhub.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.zxing.BinaryBitmap;
import com.google.zxing.RGBLuminanceSource;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;
import io.kinhub.server.app.Kinhub;
import io.kinhub.server.system.Api;
import io.kinhub.server.system.TestBackends;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The pages of issue 13 are served like the others (language, CSP), list only the optional modules
 * the build has, and an invitation's QR code encodes its link.
 */
class PageRoutesTest {
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

  private static HttpResponse<String> get(String path) throws Exception {
    return CLIENT.send(
        HttpRequest.newBuilder(URI.create(node.baseUrl() + path))
            .header("Accept-Language", "zh-CN")
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void everyPage_isServedInTheChosenLanguage_withTheStrictPolicy() throws Exception {
    for (String path :
        List.of(
            "/",
            "/login",
            "/signup",
            "/account",
            "/families/42",
            "/families/42/tree",
            "/invitations/Xq3Lr8TzP0aB1cD2eF3gHw",
            "/qr/m1Q9xXg2Zb7r0T4cVfJk3A")) {
      HttpResponse<String> page = get(path);
      assertThat(page.statusCode()).as(path).isEqualTo(200);
      assertThat(page.body())
          .as(path)
          .contains("<html lang=\"zh-CN\">")
          .doesNotContain("<script>")
          .doesNotContain("style=");
      assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow())
          .as(path)
          .contains("script-src 'self'");
    }
  }

  @Test
  void optionalModules_areListedOnlyWhenTheBuildHasThem() {
    String page =
        "<head><meta name=\"kinhub-optional\" content=\"i18n.js nope-not-here.js ../openapi.json\"></head>";
    assertThat(PageRoutes.withPresentOptionals(page))
        .isEqualTo("<head><meta name=\"kinhub-optional\" content=\"i18n.js\"></head>");
    assertThat(PageRoutes.withPresentOptionals("<p>no list</p>")).isEqualTo("<p>no list</p>");
  }

  @Test
  void invitationImage_isTheQrCodeOfTheLink_andMalformedCodesAreNotFound() throws Exception {
    Api api = Api.of(node);
    String token =
        api.login(api.register(Api.newLogin(), "image test password 9"), "image test password 9");
    String family =
        api.post("/api/v1/families", token, Map.of("name", "Image family"))
            .json()
            .get("id")
            .asText();
    String code =
        api.post("/api/v1/families/" + family + "/invitations", token, Map.of())
            .json()
            .get("code")
            .asText();
    HttpResponse<String> image = get("/api/v1/invitations/" + code + "/image.svg");
    assertThat(image.statusCode()).isEqualTo(200);
    assertThat(image.headers().firstValue("Content-Type").orElseThrow())
        .startsWith("image/svg+xml");
    assertThat(decode(image.body())).isEqualTo(node.baseUrl() + "/invitations/" + code);
    for (String bad : List.of("short", "Xq3Lr8TzP0aB1cD2eF3gH%21", "Xq3Lr8TzP0aB1cD2eF3gHwX")) {
      HttpResponse<String> answer = get("/api/v1/invitations/" + bad + "/image.svg");
      assertThat(answer.statusCode()).as(bad).isEqualTo(404);
      assertThat(answer.headers().firstValue("Content-Type").orElseThrow())
          .startsWith("application/problem+json");
    }
  }

  /**
   * Reads the QR code of an SVG made of one-module squares ("M x y h1v1h-1z"), 4 pixels a module.
   */
  private static String decode(String svg) throws Exception {
    Matcher box = Pattern.compile("viewBox=\"0 0 (\\d+) (\\d+)\"").matcher(svg);
    assertThat(box.find()).isTrue();
    int size = Integer.parseInt(box.group(1));
    int scale = 4;
    int[] pixels = new int[size * scale * size * scale];
    Arrays.fill(pixels, 0xFFFFFF);
    Matcher module = Pattern.compile("M(\\d+) (\\d+)h1v1h-1z").matcher(svg);
    while (module.find()) {
      int x = Integer.parseInt(module.group(1));
      int y = Integer.parseInt(module.group(2));
      for (int dy = 0; dy < scale; dy++) {
        for (int dx = 0; dx < scale; dx++) {
          pixels[(y * scale + dy) * size * scale + x * scale + dx] = 0;
        }
      }
    }
    RGBLuminanceSource source = new RGBLuminanceSource(size * scale, size * scale, pixels);
    return new QRCodeReader().decode(new BinaryBitmap(new HybridBinarizer(source))).getText();
  }
}
