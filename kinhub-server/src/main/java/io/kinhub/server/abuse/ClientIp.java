package io.kinhub.server.abuse;

import io.javalin.http.Context;
import jakarta.servlet.http.HttpServletRequest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.List;
import java.util.Optional;

/**
 * The client's address: the socket's peer, unless the peer is a trusted proxy, in which case {@code
 * X-Forwarded-For} is read from the right, skipping trusted proxies, and the first untrusted
 * address is the client. A header from an untrusted peer is ignored, so it cannot be spoofed.
 */
public final class ClientIp {
  private final List<Cidr> trusted;

  private ClientIp(List<Cidr> trusted) {
    this.trusted = trusted;
  }

  /**
   * Parses a comma-separated CIDR list ({@code KINHUB_TRUSTED_PROXIES}); fails on the first bad
   * entry.
   */
  public static ClientIp trusting(String cidrs) {
    List<Cidr> list = new ArrayList<>();
    for (String part : cidrs.split(",", -1)) {
      if (!part.isBlank()) {
        list.add(Cidr.parse(part));
      }
    }
    return new ClientIp(List.copyOf(list));
  }

  /** The client address of a request, in canonical text form. */
  public String of(Context ctx) {
    return of(ctx.req());
  }

  /**
   * The client address of a servlet request (e.g. a WebSocket upgrade, which Javalin does not see).
   */
  public String of(HttpServletRequest request) {
    List<String> forwarded = new ArrayList<>();
    Enumeration<String> headers = request.getHeaders("X-Forwarded-For");
    while (headers != null && headers.hasMoreElements()) {
      for (String hop : headers.nextElement().split(",", 0)) {
        forwarded.add(hop.strip());
      }
    }
    return resolve(request.getRemoteAddr(), forwarded);
  }

  /**
   * Who a per-IP rate limit counts: an IPv4 client (also written IPv4-mapped) by its address, an
   * IPv6 client by its /64 ({@code 2001:db8:1:2:0:0:0:0/64}), the block a single subscriber is
   * usually given; anything else as it is.
   */
  public static String rateLimitSubject(String address) {
    Optional<byte[]> parsed = Cidr.parseAddress(address);
    if (parsed.isEmpty()) {
      return address;
    }
    byte[] bytes = parsed.get();
    if (bytes.length == 4) {
      return Cidr.format(bytes);
    }
    Arrays.fill(bytes, 8, 16, (byte) 0);
    return Cidr.format(bytes) + "/64";
  }

  /**
   * The client address given the socket peer and the {@code X-Forwarded-For} hops (left to right).
   */
  String resolve(String peer, List<String> forwardedFor) {
    Optional<byte[]> peerBytes = Cidr.parseAddress(peer);
    if (peerBytes.isEmpty()) {
      return peer;
    }
    byte[] current = peerBytes.get();
    for (int i = forwardedFor.size() - 1; i >= 0 && isTrusted(current); i--) {
      Optional<byte[]> hop = Cidr.parseAddress(forwardedFor.get(i));
      if (hop.isEmpty()) {
        break; // garbage in the chain: trust stops at the last proxy we know
      }
      current = hop.get();
    }
    return Cidr.format(current);
  }

  private boolean isTrusted(byte[] address) {
    for (Cidr cidr : trusted) {
      if (cidr.contains(address)) {
        return true;
      }
    }
    return false;
  }
}
