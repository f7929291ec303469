package io.kinhub.server.tree;

import io.kinhub.server.tree.gedcom.GedcomLimits;
import java.time.Duration;

/**
 * The bounds of GEDCOM imports and exports and of the {@code GET /tree} cache on one node: what the
 * reader accepts, how many imports and exports run at once, how slowly an upload may arrive, and
 * how many bytes of serialised trees are kept.
 *
 * @param limits line length, lines per record and records of one file
 * @param maxConcurrentImports imports (upload and import) at once; more get 503 with {@code
 *     Retry-After}
 * @param maxConcurrentExports exports (snapshot and download) at once; more get 503 with {@code
 *     Retry-After}
 * @param uploadReadTimeout an upload silent this long is cut off (408)
 * @param uploadMinBytesPerSecond after the first {@code uploadReadTimeout}, an upload slower than
 *     this on average is cut off (408)
 * @param treeCacheBytes compressed {@code GET /tree} bodies kept per node
 */
public record TreeSettings(
    GedcomLimits limits,
    int maxConcurrentImports,
    int maxConcurrentExports,
    Duration uploadReadTimeout,
    long uploadMinBytesPerSecond,
    long treeCacheBytes) {
  /** The defaults of the configuration table. */
  public static final TreeSettings DEFAULTS =
      new TreeSettings(
          GedcomLimits.DEFAULTS, 2, 8, Duration.ofSeconds(10), 16 * 1024, 64L * 1024 * 1024);
}
