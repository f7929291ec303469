package io.kinhub.server.qrlogin;

import com.fasterxml.jackson.annotation.JsonInclude;

/** The JSON bodies of the QR login API; absent members are left out, as the contract has it. */
final class QrBodies {
  private QrBodies() {}

  /** {@code POST /api/v1/qr-logins}: the new ticket and where to follow it. */
  record Created(
      String id,
      String secret,
      String expiresAt,
      String qrContent,
      String imageUrl,
      String wsUrl,
      String pollUrl,
      String sessionUrl) {}

  /** A poll answer and a socket frame: the state, its deadline, who scanned. Never a token. */
  record State(
      String state,
      @JsonInclude(JsonInclude.Include.NON_NULL) String expiresAt,
      @JsonInclude(JsonInclude.Include.NON_NULL) ScannedBy scannedBy) {}

  /** Who scanned the code. */
  record ScannedBy(String displayName) {}

  /** The phone's view of the login it scanned. */
  record Scanned(
      String state,
      String device,
      String createdAt,
      String expiresAt,
      @JsonInclude(JsonInclude.Include.NON_NULL) RequestedFrom requestedFrom) {}

  /** Where the browser asking to be logged in is. */
  record RequestedFrom(String ip, String network) {}

  /** The state after the phone confirmed or cancelled. */
  record Settled(String state) {}
}
