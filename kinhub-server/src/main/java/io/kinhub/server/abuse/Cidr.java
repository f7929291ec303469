package io.kinhub.server.abuse;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An IPv4 or IPv6 network in CIDR notation; IPv4-mapped IPv6 addresses match their IPv4 networks.
 */
// never compared or hashed: a network is only asked whether it contains an address
@SuppressWarnings("ArrayRecordComponent")
record Cidr(byte[] network, int prefixLength) {
  private static final Pattern IPV4 =
      Pattern.compile(
          "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

  /** Parses {@code 10.0.0.0/8}, {@code ::1/128} or a single address. */
  static Cidr parse(String text) {
    String s = text.strip();
    int slash = s.indexOf('/');
    String address = slash < 0 ? s : s.substring(0, slash);
    byte[] bytes =
        parseAddress(address)
            .orElseThrow(
                () -> new IllegalArgumentException("not an IP address or CIDR: '" + text + "'"));
    int max = bytes.length * 8;
    int prefix;
    try {
      prefix = slash < 0 ? max : Integer.parseInt(s.substring(slash + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bad prefix length in '" + text + "'");
    }
    if (prefix < 0 || prefix > max) {
      throw new IllegalArgumentException("prefix length of '" + text + "' must be 0.." + max);
    }
    return new Cidr(bytes, prefix);
  }

  /** Parses an IP literal without ever resolving a name; IPv4-mapped IPv6 becomes IPv4. */
  static Optional<byte[]> parseAddress(String text) {
    String s = text.strip();
    if (s.startsWith("[") && s.endsWith("]")) {
      s = s.substring(1, s.length() - 1);
    }
    int zone = s.indexOf('%');
    if (zone >= 0) {
      s = s.substring(0, zone);
    }
    boolean v4 = IPV4.matcher(s).matches();
    if (!v4 && !(s.contains(":") && IPV6.matcher(s).matches())) {
      return Optional.empty();
    }
    try {
      byte[] bytes = InetAddress.getByName(s).getAddress(); // a literal: no lookup
      return Optional.of(bytes);
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }

  /** The canonical text of an address given as bytes. */
  static String format(byte[] address) {
    try {
      return InetAddress.getByAddress(address).getHostAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
  }

  boolean contains(byte[] address) {
    if (address.length != network.length) {
      return false;
    }
    int full = prefixLength / 8;
    for (int i = 0; i < full; i++) {
      if (address[i] != network[i]) {
        return false;
      }
    }
    int rest = prefixLength % 8;
    if (rest == 0) {
      return true;
    }
    int mask = (0xFF << (8 - rest)) & 0xFF;
    return (address[full] & mask) == (network[full] & mask);
  }
}
