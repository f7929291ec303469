package io.kinhub.server.abuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClientIpTest {

  @Test
  void untrustedPeer_isTheClient_whateverTheHeaderSays() {
    ClientIp ip = ClientIp.trusting("10.0.0.0/8");
    assertThat(ip.resolve("203.0.113.5", List.of("1.2.3.4"))).isEqualTo("203.0.113.5");
  }

  @Test
  void trustedProxy_chainIsReadFromTheRight_skippingTrustedHops() {
    ClientIp ip = ClientIp.trusting("10.0.0.0/8, 127.0.0.1/32");
    assertThat(ip.resolve("127.0.0.1", List.of("1.2.3.4", "198.51.100.9", "10.1.2.3")))
        .isEqualTo("198.51.100.9");
    assertThat(ip.resolve("127.0.0.1", List.of())).isEqualTo("127.0.0.1");
    assertThat(ip.resolve("127.0.0.1", List.of("garbage", "10.0.0.7"))).isEqualTo("10.0.0.7");
  }

  @Test
  void ipv6_andMappedIpv4_work() {
    ClientIp ip = ClientIp.trusting("::1/128,2001:db8:ffff::/48");
    assertThat(ip.resolve("::1", List.of("2001:db8::5", "[2001:db8:ffff::1]")))
        .isEqualTo("2001:db8:0:0:0:0:0:5");
    assertThat(
            ClientIp.trusting("192.0.2.0/24").resolve("::ffff:192.0.2.1", List.of("203.0.113.1")))
        .isEqualTo("203.0.113.1");
  }

  @Test
  void badCidr_isRejectedWithTheValue() {
    assertThatThrownBy(() -> ClientIp.trusting("10.0.0.0/33")).hasMessageContaining("10.0.0.0/33");
    assertThatThrownBy(() -> ClientIp.trusting("example.org")).hasMessageContaining("example.org");
  }

  @Test
  void ipv6Clients_shareABucketPerSlash64() {
    // one customer usually gets a whole /64: per-address buckets would let them rotate through 2^64
    // addresses
    assertThat(ClientIp.rateLimitSubject("2001:db8:1:2:0:0:0:a"))
        .isEqualTo(ClientIp.rateLimitSubject("2001:db8:1:2:ffff:1:2:3"))
        .isEqualTo("2001:db8:1:2:0:0:0:0/64");
    assertThat(ClientIp.rateLimitSubject("2001:db8:1:3:0:0:0:a"))
        .isNotEqualTo(ClientIp.rateLimitSubject("2001:db8:1:2:0:0:0:a"));
    assertThat(ClientIp.rateLimitSubject("[2001:db8:1:2::5]")).isEqualTo("2001:db8:1:2:0:0:0:0/64");
  }

  @Test
  void ipv4AndMappedIpv4Clients_keepABucketPerAddress() {
    assertThat(ClientIp.rateLimitSubject("203.0.113.5")).isEqualTo("203.0.113.5");
    assertThat(ClientIp.rateLimitSubject("203.0.113.6")).isEqualTo("203.0.113.6");
    assertThat(ClientIp.rateLimitSubject("::ffff:203.0.113.5")).isEqualTo("203.0.113.5");
    assertThat(ClientIp.rateLimitSubject("not an address")).isEqualTo("not an address");
  }
}
