package io.kinhub.server.config;

import java.time.Duration;
import java.util.Map;

/**
 * QR-code login.
 *
 * @param scanTimeout a code must be scanned within this
 * @param confirmTimeout after the scan, the phone must confirm within this
 * @param socketsPerIp QR-login WebSockets one client address may hold open on one node
 */
public record QrConfig(Duration scanTimeout, Duration confirmTimeout, int socketsPerIp) {

  static QrConfig from(Map<String, String> env) {
    return new QrConfig(
        Variables.QR_SCAN_TIMEOUT.read(env),
        Variables.QR_CONFIRM_TIMEOUT.read(env),
        Variables.QR_SOCKETS_PER_IP.read(env));
  }
}
