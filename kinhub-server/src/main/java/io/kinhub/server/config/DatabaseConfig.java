package io.kinhub.server.config;

import java.util.Map;
import java.util.Optional;

/**
 * The shared PostgreSQL.
 *
 * @param url its JDBC URL; empty: the embedded PostgreSQL under the data dir
 * @param poolSize most connections of this node
 */
public record DatabaseConfig(Optional<String> url, int poolSize) {

  static DatabaseConfig from(Map<String, String> env) {
    return new DatabaseConfig(
        Variables.DATABASE_URL.read(env), Variables.DATABASE_POOL_SIZE.read(env));
  }

  /** Without the URL, which may hold a password. */
  @Override
  public String toString() {
    return "DatabaseConfig[url="
        + (url.isPresent() ? "(set)" : "(embedded)")
        + ", poolSize="
        + poolSize
        + "]";
  }
}
