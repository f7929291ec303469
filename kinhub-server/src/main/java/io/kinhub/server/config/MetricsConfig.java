package io.kinhub.server.config;

import java.util.Map;
import java.util.Optional;

/**
 * Who may read {@code /metrics}.
 *
 * @param token the bearer token that lets a scraper on another host read it; empty: loopback only
 */
public record MetricsConfig(Optional<String> token) {

  static MetricsConfig from(Map<String, String> env) {
    return new MetricsConfig(Variables.METRICS_TOKEN.read(env));
  }

  /** Without the token. */
  @Override
  public String toString() {
    return "MetricsConfig[token=" + (token.isPresent() ? "(set)" : "(none)") + "]";
  }
}
