package io.kinhub.server.web;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.kinhub.server.http.Problem;
import io.kinhub.server.qrlogin.QrImages;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The web pages: plain HTML, CSS and ES modules from the class path, no build step. Every page is
 * served with a strict Content-Security-Policy (scripts and connections to this origin only) and in
 * the language {@code Accept-Language} prefers ({@code <html lang>}; the page's script may override
 * it with the user's choice). A page may name optional modules other parts of Kinhub provide
 * ({@code <meta name="kinhub-optional" content="feed.js">}); the list is trimmed to the assets this
 * build has, so the page requests only what exists.
 */
public final class PageRoutes {
  private static final Map<String, String> TYPES =
      Map.of(
          "css", "text/css; charset=utf-8",
          "js", "text/javascript; charset=utf-8",
          "json", "application/json; charset=utf-8",
          "svg", "image/svg+xml");

  /** Asset names: one path segment of lower-case letters, digits and dashes, or an i18n bundle. */
  private static final Pattern ASSET = Pattern.compile("[a-z0-9][a-z0-9-]*\\.(css|js|json|svg)");

  private static final Pattern BUNDLE =
      Pattern.compile("i18n/(en|zh-CN)/[a-z0-9][a-z0-9-]*\\.json");
  private static final String CSP =
      "default-src 'self'; img-src 'self' data:; connect-src 'self'; "
          + "style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
  static final List<String> LANGUAGES = List.of("en", "zh-CN");
  private static final Pattern OPTIONAL =
      Pattern.compile("<meta name=\"kinhub-optional\" content=\"([^\"]*)\">");
  private static final Pattern INVITATION_CODE = Pattern.compile("[A-Za-z0-9_-]{22}");

  private final Map<String, String> pages;

  /**
   * Assets read once on first request; only names that exist are kept, so the map is bounded by the
   * jar.
   */
  private final Map<String, byte[]> assets = new ConcurrentHashMap<>();

  private final Supplier<String> publicBase;

  /**
   * @param publicBase the base URL users reach this deployment at (what invitation QR codes point
   *     to)
   */
  public PageRoutes(Supplier<String> publicBase) {
    this.publicBase = publicBase;
    Map<String, String> pages = new HashMap<>();
    for (String name :
        List.of(
            "login.html",
            "signup.html",
            "qr.html",
            "home.html",
            "account.html",
            "family.html",
            "invitation.html",
            "tree.html")) {
      String html =
          new String(
              read(name).orElseThrow(() -> new IllegalStateException("web page missing: " + name)),
              StandardCharsets.UTF_8);
      pages.put(name, withPresentOptionals(html));
    }
    this.pages = Map.copyOf(pages);
  }

  /** Keeps, in the page's list of optional modules, the names this build has as assets. */
  static String withPresentOptionals(String html) {
    Matcher m = OPTIONAL.matcher(html);
    if (!m.find()) {
      return html;
    }
    String present =
        Arrays.stream(m.group(1).trim().split("\\s+"))
            .filter(name -> ASSET.matcher(name).matches() && read(name).isPresent())
            .collect(Collectors.joining(" "));
    return html.substring(0, m.start(1)) + present + html.substring(m.end(1));
  }

  private static Optional<byte[]> read(String name) {
    try (InputStream in = PageRoutes.class.getResourceAsStream("/web/" + name)) {
      return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public void register(RoutesConfig routes) {
    routes.get("/", ctx -> page(ctx, "home.html"));
    routes.get("/login", ctx -> page(ctx, "login.html"));
    routes.get("/signup", ctx -> page(ctx, "signup.html"));
    routes.get("/account", ctx -> page(ctx, "account.html"));
    routes.get("/qr/{id}", ctx -> page(ctx, "qr.html"));
    routes.get("/families/{id}", ctx -> page(ctx, "family.html"));
    routes.get("/families/{id}/tree", ctx -> page(ctx, "tree.html"));
    routes.get("/invitations/{code}", ctx -> page(ctx, "invitation.html"));
    routes.get("/api/v1/invitations/{code}/image.svg", this::invitationImage);
    routes.get("/assets/{name}", ctx -> asset(ctx, ctx.pathParam("name")));
    routes.get(
        "/assets/i18n/{lang}/{name}",
        ctx -> asset(ctx, "i18n/" + ctx.pathParam("lang") + "/" + ctx.pathParam("name")));
  }

  private void page(Context ctx, String name) {
    String language = language(ctx.header("Accept-Language"));
    String html =
        pages.get(name).replaceFirst("<html lang=\"[^\"]*\">", "<html lang=\"" + language + "\">");
    ctx.header("Content-Security-Policy", CSP)
        .header("X-Content-Type-Options", "nosniff")
        .header("Referrer-Policy", "no-referrer")
        .header("Cache-Control", "no-cache")
        .header("Vary", "Accept-Language")
        .contentType("text/html; charset=utf-8")
        .result(html);
  }

  /**
   * The QR code of an invitation's link. It shows nothing the code does not already carry (no
   * family, no validity), so it needs no login: whoever holds the code holds the link.
   */
  private void invitationImage(Context ctx) {
    String code = ctx.pathParam("code");
    if (!INVITATION_CODE.matcher(code).matches()) {
      throw Problem.notFound("No such invitation.");
    }
    ctx.header("Cache-Control", "private, max-age=3600")
        .header("X-Content-Type-Options", "nosniff")
        .contentType("image/svg+xml")
        .result(QrImages.svg(publicBase.get() + "/invitations/" + code));
  }

  private void asset(Context ctx, String name) {
    if (!ASSET.matcher(name).matches() && !BUNDLE.matcher(name).matches()) {
      throw Problem.notFound("No such asset.");
    }
    byte[] body = assets.get(name);
    if (body == null) {
      body = read(name).orElseThrow(() -> Problem.notFound("No such asset."));
      assets.put(name, body);
    }
    String type = TYPES.get(name.substring(name.lastIndexOf('.') + 1));
    ctx.header("X-Content-Type-Options", "nosniff")
        .header("Cache-Control", "no-cache")
        .contentType(type)
        .result(body);
  }

  /**
   * The supported language {@code Accept-Language} prefers: the highest q-value among zh* (served
   * as zh-CN) and en*, English when neither is acceptable or the header is absent or malformed.
   */
  static String language(String acceptLanguage) {
    if (acceptLanguage == null || acceptLanguage.length() > 1000) {
      return "en";
    }
    String best = "en";
    double bestQ = -1;
    for (String part : acceptLanguage.split(",", 0)) {
      String[] pieces = part.trim().split(";", 0);
      if (pieces.length == 0) {
        continue;
      }
      String tag = pieces[0].trim().toLowerCase(Locale.ROOT);
      double q = 1;
      for (int i = 1; i < pieces.length; i++) {
        String parameter = pieces[i].trim();
        if (parameter.startsWith("q=")) {
          try {
            q = Double.parseDouble(parameter.substring(2));
          } catch (NumberFormatException e) {
            q = 0;
          }
        }
      }
      String candidate =
          tag.equals("zh") || tag.startsWith("zh-")
              ? "zh-CN"
              : tag.equals("en") || tag.startsWith("en-") ? "en" : null;
      if (candidate != null && q > 0 && q > bestQ) {
        best = candidate;
        bestQ = q;
      }
    }
    return best;
  }
}
