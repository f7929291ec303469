package io.kinhub.server.qrlogin;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * The approximate network of an address, shown to the phone so its user can tell where a login
 * request came from.
 */
final class Networks {
  private static final Pattern LITERAL = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

  private Networks() {}

  /**
   * {@code 203.0.113.0/24} for an IPv4 address, {@code 2001:db8:12::/48} for IPv6; the input itself
   * if not an address.
   */
  static String approximate(String ip) {
    if (!LITERAL.matcher(ip).matches()) {
      return ip;
    }
    try {
      InetAddress address = InetAddress.getByName(ip); // a literal: no name lookup
      byte[] bytes = address.getAddress();
      int keep = address instanceof Inet4Address ? 3 : 6;
      for (int i = keep; i < bytes.length; i++) {
        bytes[i] = 0;
      }
      String network = InetAddress.getByAddress(bytes).getHostAddress();
      if (!(address instanceof Inet4Address)) {
        network = network.replaceFirst("(:0)+$", "::").replaceFirst(":::$", "::");
      }
      return network + "/" + keep * 8;
    } catch (UnknownHostException e) {
      return ip;
    }
  }
}
