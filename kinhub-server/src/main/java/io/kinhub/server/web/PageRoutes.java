package io.kinhub.server.web;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.kinhub.server.system.Problem;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/**
 * The web pages: plain HTML, CSS and ES modules from the class path, no build step. Every page is served
 * with a strict Content-Security-Policy (scripts and connections to this origin only).
 */
public final class PageRoutes {
  private static final Map<String, String> ASSETS = Map.of(
      "kinhub.css", "text/css; charset=utf-8",
      "tree.css", "text/css; charset=utf-8",
      "api.js", "text/javascript; charset=utf-8",
      "login.js", "text/javascript; charset=utf-8",
      "qr.js", "text/javascript; charset=utf-8",
      "home.js", "text/javascript; charset=utf-8",
      "tree.js", "text/javascript; charset=utf-8",
      "tree-layout.js", "text/javascript; charset=utf-8",
      "tree-worker.js", "text/javascript; charset=utf-8");
  private static final String CSP = "default-src 'self'; img-src 'self' data:; connect-src 'self'; "
      + "style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

  private final Map<String, byte[]> files;

  public PageRoutes() {
    Map<String, byte[]> files = new java.util.HashMap<>();
    for (String name : List.of("login.html", "qr.html", "home.html", "tree.html")) {
      files.put(name, read(name));
    }
    for (String name : ASSETS.keySet()) {
      files.put(name, read(name));
    }
    this.files = Map.copyOf(files);
  }

  private static byte[] read(String name) {
    try (InputStream in = PageRoutes.class.getResourceAsStream("/web/" + name)) {
      if (in == null) {
        throw new IllegalStateException("web resource missing: " + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public void register(RoutesConfig routes) {
    routes.get("/", ctx -> page(ctx, "home.html"));
    routes.get("/login", ctx -> page(ctx, "login.html"));
    routes.get("/qr/{id}", ctx -> page(ctx, "qr.html"));
    routes.get("/families/{id}/tree", ctx -> page(ctx, "tree.html"));
    routes.get("/assets/{name}", this::asset);
  }

  private void page(Context ctx, String name) {
    ctx.header("Content-Security-Policy", CSP).header("X-Content-Type-Options", "nosniff")
        .header("Referrer-Policy", "no-referrer").header("Cache-Control", "no-cache")
        .contentType("text/html; charset=utf-8").result(files.get(name));
  }

  private void asset(Context ctx) {
    String name = ctx.pathParam("name");
    String type = ASSETS.get(name);
    if (type == null) {
      throw Problem.notFound("No such asset.");
    }
    ctx.header("X-Content-Type-Options", "nosniff").header("Cache-Control", "no-cache").contentType(type).result(files.get(name));
  }
}
