package io.kinhub.server.config;

import io.kinhub.server.tree.TreeSettings;
import io.kinhub.server.tree.gedcom.GedcomLimits;
import java.util.Map;

/**
 * The family tree: GEDCOM imports and exports and the {@code GET /tree} cache.
 *
 * @param gedcomMaxBytes largest GEDCOM file an import accepts
 * @param settings the reader's bounds, concurrency, upload pace and cache size
 */
public record TreeConfig(long gedcomMaxBytes, TreeSettings settings) {

  static TreeConfig from(Map<String, String> env) {
    GedcomLimits limits =
        new GedcomLimits(
            Variables.GEDCOM_MAX_LINE_BYTES.read(env),
            Variables.GEDCOM_MAX_RECORD_LINES.read(env),
            Variables.GEDCOM_MAX_RECORDS.read(env));
    return new TreeConfig(
        Variables.GEDCOM_MAX_MIB.read(env),
        new TreeSettings(
            limits,
            Variables.GEDCOM_MAX_CONCURRENT_IMPORTS.read(env),
            Variables.GEDCOM_MAX_CONCURRENT_EXPORTS.read(env),
            Variables.GEDCOM_UPLOAD_READ_TIMEOUT.read(env),
            Variables.GEDCOM_UPLOAD_MIN_RATE.read(env),
            Variables.TREE_CACHE_MIB.read(env)));
  }
}
