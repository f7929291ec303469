package io.kinhub.server.config;

import io.kinhub.server.abuse.ClientIp;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The HTTP listener and what it believes about its clients.
 *
 * @param host address to listen on
 * @param port port to listen on (0: a free one)
 * @param publicUrl the base URL users reach the deployment at, if set
 * @param clientIp how a request's client address is found (the trusted reverse proxies)
 * @param webSocketIdleTimeout a WebSocket peer silent this long is dropped
 */
public record HttpConfig(
    String host,
    int port,
    Optional<String> publicUrl,
    ClientIp clientIp,
    Duration webSocketIdleTimeout) {

  static HttpConfig from(Map<String, String> env) {
    return new HttpConfig(
        Variables.HTTP_HOST.read(env),
        Variables.HTTP_PORT.read(env),
        Variables.PUBLIC_URL.read(env),
        Variables.TRUSTED_PROXIES.read(env),
        Variables.WS_IDLE_TIMEOUT.read(env));
  }
}
