package io.kinhub.server.config;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * SMS login codes and how they are sent.
 *
 * @param provider {@code outbox} (kept in PostgreSQL) or {@code http}
 * @param httpUrl the gateway of the {@code http} provider
 * @param httpSecret its bearer token
 * @param httpConnections most concurrent requests to the gateway
 * @param codeTtl how long a code is valid
 * @param devEndpoints whether the development endpoints (the SMS outbox) are served
 */
public record SmsConfig(
    String provider,
    Optional<URI> httpUrl,
    String httpSecret,
    int httpConnections,
    Duration codeTtl,
    boolean devEndpoints) {

  static SmsConfig from(Map<String, String> env) {
    String provider = Variables.SMS_PROVIDER.read(env);
    Optional<URI> url = Variables.SMS_HTTP_URL.read(env);
    String secret = Variables.SMS_HTTP_SECRET.read(env);
    if (provider.equals("http") && (url.isEmpty() || secret.isEmpty())) {
      throw new Config.InvalidConfigException(
          Variables.SMS_PROVIDER.name()
              + "=http needs "
              + Variables.SMS_HTTP_URL.name()
              + " and "
              + Variables.SMS_HTTP_SECRET.name());
    }
    return new SmsConfig(
        provider,
        url,
        secret,
        Variables.SMS_HTTP_CONNECTIONS.read(env),
        Variables.SMS_CODE_TTL.read(env),
        Variables.DEV_ENDPOINTS.read(env));
  }

  /** Without the secret. */
  @Override
  public String toString() {
    return "SmsConfig[provider=" + provider + ", devEndpoints=" + devEndpoints + "]";
  }
}
