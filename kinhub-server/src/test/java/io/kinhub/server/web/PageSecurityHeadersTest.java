package io.kinhub.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.kinhub.server.app.Kinhub;
import io.kinhub.server.system.Api;
import io.kinhub.server.system.TestBackends;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every page's Content-Security-Policy lets scripts talk to this origin only: {@code connect-src
 * 'self'}, which covers same-origin WebSockets (CSP Level 3), and no scheme-wide {@code ws:}/{@code
 * wss:} sources that would let an injected script send tokens to any host.
 */
class PageSecurityHeadersTest {

  @Test
  void csp_connectSrc_isSelfOnly() {
    try (Kinhub node = TestBackends.get().startNode(TestBackends.newPrefix())) {
      Api api = Api.of(node);
      for (String page : List.of("/login", "/", "/qr/abc", "/families/1/tree")) {
        String csp = api.get(page, null).header("Content-Security-Policy");
        assertThat(csp).as(page).isNotNull();
        List<String> connect =
            Arrays.stream(csp.split(";"))
                .map(String::strip)
                .filter(d -> d.startsWith("connect-src "))
                .toList();
        assertThat(connect).as(page).containsExactly("connect-src 'self'");
        assertThat(csp).as(page).doesNotContain(" ws:").doesNotContain(" wss:").doesNotContain("*");
      }
    }
  }
}
