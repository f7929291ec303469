package io.kinhub.server.tree;

import static com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL;
import static io.kinhub.server.session.RouteAccess.SESSION;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.kinhub.server.family.FamilyRoutes;
import io.kinhub.server.genealogy.Privacy;
import io.kinhub.server.genealogy.Privacy.Audience;
import io.kinhub.server.http.Json;
import io.kinhub.server.http.Problem;
import io.kinhub.server.permission.FamilyPermission;
import io.kinhub.server.permission.Permissions;
import io.kinhub.server.session.Authentication;
import io.kinhub.server.session.Session;
import io.kinhub.server.tree.gedcom.GedcomFamily;
import io.kinhub.server.tree.gedcom.GedcomFormatException;
import io.kinhub.server.tree.gedcom.GedcomHandler;
import io.kinhub.server.tree.gedcom.GedcomPerson;
import io.kinhub.server.tree.gedcom.GedcomReader;
import io.kinhub.server.tree.gedcom.GedcomWarning;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.io.EndPoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * GEDCOM 5.5.1 import ({@code POST}, the file as the body) and export ({@code GET}) of a family's
 * tree.
 *
 * <p>Neither holds a database connection while a client is slow: an upload is read whole into a
 * spool file under the data directory first (bounded in size, cut off when silent for the read
 * timeout or slower than the minimum rate), and only then imported; an export is written from one
 * snapshot into a spool file, and the connection is back in the pool before the first byte goes to
 * the client (snapshots are taken one at a time, so exports hold at most one connection). Imports
 * and exports each run at most a configured number at once per node; more get {@code 503
 * unavailable} with {@code Retry-After}.
 */
public final class GedcomRoutes {
  private static final Logger log = LoggerFactory.getLogger(GedcomRoutes.class);
  private static final int RETRY_AFTER_SECONDS = 5;
  private static final int SNAPSHOT_WAIT_SECONDS = 30;
  private static final GedcomHandler IGNORE =
      new GedcomHandler() {
        @Override
        public void person(GedcomPerson person) {}

        @Override
        public void family(GedcomFamily family) {}

        @Override
        public void note(String xref, String text) {}

        @Override
        public void warning(GedcomWarning warning) {}
      };

  private final GedcomImport importer;
  private final GedcomExport exporter;
  private final Permissions permissions;
  private final long maxBytes;
  private final TreeSettings settings;
  private final Path spoolDir;
  private final Semaphore imports;
  private final Semaphore exports;

  /** Snapshots take a database connection; one at a time, so exports never hold more than one. */
  private final Semaphore snapshots = new Semaphore(1, true);

  public GedcomRoutes(
      GedcomImport importer,
      GedcomExport exporter,
      Permissions permissions,
      long maxBytes,
      TreeSettings settings,
      Path spoolDir) {
    this.importer = importer;
    this.exporter = exporter;
    this.permissions = permissions;
    this.maxBytes = maxBytes;
    this.settings = settings;
    this.spoolDir = spoolDir;
    this.imports = new Semaphore(settings.maxConcurrentImports());
    this.exports = new Semaphore(settings.maxConcurrentExports());
  }

  public void register(RoutesConfig routes) {
    routes.post("/api/v1/families/{id}/gedcom", this::importFile, SESSION);
    routes.get("/api/v1/families/{id}/gedcom", this::exportFile, SESSION);
  }

  private void importFile(Context ctx) throws IOException {
    Session s = Authentication.session(ctx);
    long family = FamilyRoutes.pathId(ctx, "id", "family");
    permissions.require(s, FamilyPermission.createPersons(family));
    String type = ctx.header("Content-Type");
    if (type != null && type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
      throw Problem.of(
          415,
          Problem.UNSUPPORTED_MEDIA_TYPE,
          "Send the GEDCOM file itself as the body (e.g. Content-Type: application/octet-stream or text/plain).");
    }
    if (ctx.req().getContentLengthLong() > maxBytes) {
      ctx.header("Connection", "close");
      throw tooLarge();
    }
    if (!imports.tryAcquire()) {
      ctx.header("Connection", "close");
      throw busy("imports");
    }
    try (Spool upload = Spool.create(spoolDir)) {
      receive(ctx, upload);
      long started = System.nanoTime();
      GedcomImport.Result result;
      try {
        // a dry read first, so that a malformed or oversized file is refused before it takes a
        // connection
        GedcomReader.read(upload.input(), IGNORE, settings.limits());
        result = importer.run(family, upload.input(), s.userId());
      } catch (GedcomFormatException e) {
        if (e.tooLarge()) {
          throw Problem.of(
              413,
              Problem.TOO_LARGE,
              "The GEDCOM file is too large at line " + e.line() + ": " + e.reason());
        }
        throw Problem.badRequest(
            "The GEDCOM file is malformed at line " + e.line() + ": " + e.reason());
      }
      log.info(
          "GEDCOM import into family {}: {} persons, {} families, {} warnings in {} ms",
          family,
          result.persons(),
          result.families(),
          result.warningCount(),
          (System.nanoTime() - started) / 1_000_000);
      Json.respond(
          ctx,
          200,
          new Imported(
              new Counts(result.persons(), result.families()),
              result.warnings().stream().map(GedcomRoutes::json).toList(),
              result.warningCount()));
    } finally {
      imports.release();
    }
  }

  /**
   * Reads the whole body into the spool: at most {@code maxBytes}, none of it silent for longer
   * than the read timeout (the connection's idle timeout, for this body only), and after the first
   * read timeout at least the minimum rate on average. Takes no database connection.
   */
  private void receive(Context ctx, Spool upload) throws IOException {
    long timeoutMs = settings.uploadReadTimeout().toMillis();
    EndPoint endPoint = endPoint(ctx);
    long idleBefore = endPoint == null ? 0 : endPoint.getIdleTimeout();
    if (endPoint != null) {
      endPoint.setIdleTimeout(timeoutMs);
    }
    long started = System.nanoTime();
    long received = 0;
    byte[] buffer = new byte[64 * 1024];
    try (InputStream in = ctx.req().getInputStream()) {
      int n;
      while (true) {
        try {
          n = in.read(buffer);
        } catch (IOException e) {
          ctx.header("Connection", "close");
          throw tooSlow("no data arrived for " + settings.uploadReadTimeout().toSeconds() + " s");
        }
        if (n < 0) {
          break;
        }
        received += n;
        if (received > maxBytes) {
          ctx.header("Connection", "close");
          throw tooLarge();
        }
        upload.write(buffer, 0, n);
        long elapsedMs = (System.nanoTime() - started) / 1_000_000;
        if (elapsedMs > timeoutMs
            && received * 1000 < settings.uploadMinBytesPerSecond() * elapsedMs) {
          ctx.header("Connection", "close");
          throw tooSlow(
              "it arrived at "
                  + received * 1000 / elapsedMs
                  + " bytes/s, less than the minimum "
                  + settings.uploadMinBytesPerSecond());
        }
      }
    } finally {
      if (endPoint != null) {
        endPoint.setIdleTimeout(idleBefore);
      }
    }
  }

  private static EndPoint endPoint(Context ctx) {
    ServletContextRequest request = ServletContextRequest.getServletContextRequest(ctx.req());
    return request == null ? null : request.getConnectionMetaData().getConnection().getEndPoint();
  }

  private static Problem tooSlow(String why) {
    return Problem.of(408, Problem.REQUEST_TIMEOUT, "The GEDCOM upload was too slow: " + why + ".");
  }

  private static Problem busy(String what) {
    return Problem.of(
            503,
            Problem.UNAVAILABLE,
            "This node runs as many GEDCOM " + what + " as it allows at once; try again shortly.")
        .withHeaders(Map.of("Retry-After", Integer.toString(RETRY_AFTER_SECONDS)));
  }

  /** What an import added, its first warnings and how many there were. */
  record Imported(Counts imported, List<Warning> warnings, long warningCount) {}

  /** How many persons and families an import added. */
  record Counts(long persons, long families) {}

  /** A warning of an import; {@code line} only when it has one. */
  record Warning(@JsonInclude(NON_NULL) Integer line, String message) {}

  private static Warning json(GedcomWarning w) {
    return new Warning(w.line() > 0 ? w.line() : null, w.message());
  }

  private Problem tooLarge() {
    return Problem.of(
        413,
        Problem.TOO_LARGE,
        "GEDCOM files are limited to " + (maxBytes / (1024 * 1024)) + " MiB.");
  }

  private void exportFile(Context ctx) throws IOException {
    Session s = Authentication.session(ctx);
    long family = FamilyRoutes.pathId(ctx, "id", "family");
    Audience audience = Privacy.audience(permissions.require(s, FamilyPermission.read(family)));
    if (!exports.tryAcquire()) {
      throw busy("exports");
    }
    try (Spool snapshot = Spool.create(spoolDir)) {
      if (!snapshots.tryAcquire(SNAPSHOT_WAIT_SECONDS, TimeUnit.SECONDS)) {
        throw busy("exports");
      }
      long started = System.nanoTime();
      try {
        exporter.run(
            family, snapshot.output(), audience); // the only part that holds a database connection
      } finally {
        snapshots.release();
      }
      log.debug(
          "GEDCOM export of family {}: {} bytes snapshotted in {} ms",
          family,
          snapshot.size(),
          (System.nanoTime() - started) / 1_000_000);
      ctx.status(200)
          .contentType("application/x-gedcom; charset=utf-8")
          .header("Content-Disposition", "attachment; filename=\"family-" + family + ".ged\"");
      // no Content-Length: Javalin gzips the stream for clients that accept it
      try (InputStream in = snapshot.input();
          OutputStream out = ctx.outputStream()) {
        in.transferTo(out);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw busy("exports");
    } finally {
      exports.release();
    }
  }
}
