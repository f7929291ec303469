package io.kinhub.server.qrlogin;

import java.util.Locale;
import java.util.Optional;

/**
 * The states of a QR login as the contract names them: {@code pending → scanned → confirmed →
 * completed}, or {@code cancelled}, or {@code expired}. The last three are terminal.
 */
enum QrState {
  PENDING,
  SCANNED,
  CONFIRMED,
  COMPLETED,
  CANCELLED,
  EXPIRED;

  private final String wire = name().toLowerCase(Locale.ROOT);

  /** The name used on the wire and in Redis. */
  String wire() {
    return wire;
  }

  boolean terminal() {
    return this == COMPLETED || this == CANCELLED || this == EXPIRED;
  }

  /** The state named {@code text}, if it is one. */
  static Optional<QrState> parse(String text) {
    for (QrState s : values()) {
      if (s.wire.equals(text)) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return wire;
  }
}
