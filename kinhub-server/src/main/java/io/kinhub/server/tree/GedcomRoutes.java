package io.kinhub.server.tree;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.kinhub.server.family.FamilyRoutes;
import io.kinhub.server.permission.Permissions;
import io.kinhub.server.session.Authentication;
import io.kinhub.server.session.Session;
import io.kinhub.server.system.Json;
import io.kinhub.server.system.Problem;
import io.kinhub.server.tree.gedcom.GedcomFormatException;
import io.kinhub.server.tree.gedcom.GedcomWarning;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** GEDCOM 5.5.1 import ({@code POST}, the file as the body) and export ({@code GET}) of a family's tree. */
public final class GedcomRoutes {
  private static final Logger log = LoggerFactory.getLogger(GedcomRoutes.class);
  /** Warnings listed in a response at most; the total is always reported. */
  private static final int MAX_WARNINGS = 500;

  private final GedcomImport importer;
  private final TreeVersions versions;
  private final GedcomExport exporter;
  private final Permissions permissions;
  private final Authentication auth;
  private final long maxBytes;

  public GedcomRoutes(GedcomImport importer, TreeVersions versions, GedcomExport exporter, Permissions permissions,
      Authentication auth, long maxBytes) {
    this.importer = importer;
    this.versions = versions;
    this.exporter = exporter;
    this.permissions = permissions;
    this.auth = auth;
    this.maxBytes = maxBytes;
  }

  public void register(RoutesConfig routes) {
    routes.post("/api/v1/families/{id}/gedcom", this::importFile);
    routes.get("/api/v1/families/{id}/gedcom", this::exportFile);
  }

  private void importFile(Context ctx) throws IOException {
    Session s = auth.require(ctx);
    long family = FamilyRoutes.pathId(ctx, "id", "family");
    permissions.require(s, family, "family:person:create:" + family);
    String type = ctx.header("Content-Type");
    if (type != null && type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
      throw Problem.of(415, Problem.UNSUPPORTED_MEDIA_TYPE,
          "Send the GEDCOM file itself as the body (e.g. Content-Type: application/octet-stream or text/plain).");
    }
    if (ctx.req().getContentLengthLong() > maxBytes) {
      ctx.header("Connection", "close");
      throw tooLarge();
    }
    long started = System.nanoTime();
    GedcomImport.Result result;
    try (InputStream body = new Limited(ctx.req().getInputStream(), maxBytes)) {
      result = importer.run(family, body);
      versions.changed(family);
    } catch (GedcomFormatException e) {
      throw Problem.badRequest("The GEDCOM file is malformed at line " + e.line() + ": " + e.reason());
    } catch (TooLarge e) {
      ctx.header("Connection", "close");
      throw tooLarge();
    }
    log.info("GEDCOM import into family {}: {} persons, {} families, {} warnings in {} ms", family, result.persons(),
        result.families(), result.warnings().size(), (System.nanoTime() - started) / 1_000_000);
    List<Map<String, Object>> warnings = result.warnings().stream().limit(MAX_WARNINGS).map(GedcomRoutes::json).toList();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("imported", Map.of("persons", result.persons(), "families", result.families()));
    out.put("warnings", warnings);
    out.put("warningCount", result.warnings().size());
    Json.respond(ctx, 200, out);
  }

  private static Map<String, Object> json(GedcomWarning w) {
    Map<String, Object> out = new LinkedHashMap<>();
    if (w.line() > 0) {
      out.put("line", w.line());
    }
    out.put("message", w.message());
    return out;
  }

  private Problem tooLarge() {
    return Problem.of(413, Problem.TOO_LARGE, "GEDCOM files are limited to " + (maxBytes / (1024 * 1024)) + " MiB.");
  }

  private void exportFile(Context ctx) throws IOException {
    Session s = auth.require(ctx);
    long family = FamilyRoutes.pathId(ctx, "id", "family");
    permissions.require(s, family, "family:read:" + family);
    ctx.status(200).contentType("application/x-gedcom; charset=utf-8")
        .header("Content-Disposition", "attachment; filename=\"family-" + family + ".ged\"");
    exporter.run(family, ctx.outputStream());
  }

  private static final class TooLarge extends IOException {
    TooLarge() {
      super("body too large", null);
    }
  }

  /** Fails with {@link TooLarge} once more than {@code limit} bytes were read. */
  private static final class Limited extends FilterInputStream {
    private long left;

    Limited(InputStream in, long limit) {
      super(in);
      this.left = limit;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0 && --left < 0) {
        throw new TooLarge();
      }
      return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      int n = super.read(buffer, offset, length);
      if (n > 0 && (left -= n) < 0) {
        throw new TooLarge();
      }
      return n;
    }
  }
}
