package io.kinhub.server.permission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The permission grammar of docs/permissions.md (ABNF, RFC 5234): strings generated from the
 * grammar parse and print back; strings broken in one place are refused with the reason; and on
 * arbitrary strings over the grammar's alphabet the parser agrees with a regular expression
 * transcribed from the ABNF.
 */
class PermissionGrammarTest {
  /**
   * The ABNF of docs/permissions.md as a regular expression (the length limit is checked
   * separately).
   */
  private static final String TOKEN = "[A-Za-z0-9._-]{1,64}";

  private static final String PART = "(?:\\*|" + TOKEN + "(?:," + TOKEN + ")*)";
  private static final Pattern ABNF = Pattern.compile(PART + "(?::" + PART + "){1,7}");

  @Provide
  Arbitrary<String> tokens() {
    return Arbitraries.strings().withChars("abcxyzABC0123456789._-").ofMinLength(1).ofMaxLength(12);
  }

  @Provide
  Arbitrary<String> parts() {
    return Arbitraries.oneOf(
        Arbitraries.just("*"),
        tokens().list().ofMinSize(1).ofMaxSize(4).map(t -> String.join(",", t)));
  }

  @Provide
  Arbitrary<String> permissions() {
    return parts().list().ofMinSize(2).ofMaxSize(8).map(p -> String.join(":", p));
  }

  @Property(tries = 2000)
  void generatedPermissionsParseAndPrintBack(@ForAll("permissions") String text) {
    Permission p = Permission.parse(text);
    assertThat(Permission.parse(p.toString())).isEqualTo(p);
    assertThat(p.implies(p)).isTrue();
    assertThat(ABNF.matcher(text).matches()).isTrue();
  }

  @Provide
  Arbitrary<String> broken() {
    Arbitrary<String> damage = Arbitraries.of(" ", "/", "@", "é", "\u0000", "\t", "#", "(", "\"");
    return Arbitraries.oneOf(
        // an illegal character inserted anywhere
        Combinators.combine(permissions(), damage, Arbitraries.integers().between(0, 1000))
            .as(
                (p, d, at) ->
                    p.substring(0, at % (p.length() + 1)) + d + p.substring(at % (p.length() + 1))),
        permissions().map(p -> p + ":"), // empty last part
        permissions().map(p -> ":" + p), // empty first part
        permissions().map(p -> p.replaceFirst(":", "::")), // empty inner part
        permissions().map(p -> p + ","), // empty token
        permissions().map(p -> p + ",*"), // wildcard inside a list
        permissions().map(p -> p.replaceFirst(":", ":*x")), // wildcard glued to a token
        parts().map(p -> p), // one part only
        permissions().map(p -> p + ":a:b:c:d:e:f:g"), // more than 8 parts
        Arbitraries.just(""));
  }

  @Property(tries = 2000)
  void brokenPermissionsAreRefusedWithAReason(@ForAll("broken") String text) {
    assertThatThrownBy(() -> Permission.parse(text))
        .isInstanceOf(MalformedPermissionException.class)
        .hasMessageContaining("is not a valid permission");
  }

  @Provide
  Arbitrary<String> noise() {
    return Arbitraries.strings().withChars("ab*:,-. 1").ofMinLength(0).ofMaxLength(16);
  }

  @Property(tries = 5000)
  void parserAgreesWithTheAbnf(@ForAll("noise") String text) {
    boolean parsed;
    try {
      Permission.parse(text);
      parsed = true;
    } catch (MalformedPermissionException e) {
      parsed = false;
    }
    assertThat(parsed).as("'%s'", text).isEqualTo(ABNF.matcher(text).matches());
  }

  @Property(tries = 1000)
  void aPrefixOfWildcardsAndSupersetsImplies(@ForAll("permissions") String text) {
    Permission p = Permission.parse(text);
    // dropping trailing parts widens a permission
    String[] parts = text.split(":");
    String wider = String.join(":", List.of(parts).subList(0, Math.max(2, parts.length - 1)));
    assertThat(Permission.parse(wider).implies(p)).isTrue();
    // so does replacing any part with '*'
    for (int i = 0; i < parts.length; i++) {
      String[] copy = parts.clone();
      copy[i] = "*";
      assertThat(Permission.parse(String.join(":", copy)).implies(p)).isTrue();
    }
  }

  @Example
  void shiroStyleImplication() {
    assertThat(imp("family:read,edit:7", "family:edit:7")).isTrue();
    assertThat(imp("family:read:*", "family:read:478")).isTrue();
    assertThat(imp("family:read", "family:read:478")).isTrue();
    assertThat(imp("family:read:478", "family:read")).isFalse();
    assertThat(imp("family:read:478", "family:read:*")).isFalse();
    assertThat(imp("family:member:invite,delete:9", "family:member:delete:9")).isTrue();
    assertThat(imp("family:member:invite,delete:9", "family:admin:delete:9")).isFalse();
    assertThat(imp("family:member:delete:9", "family:member:delete:10")).isFalse();
    assertThat(imp("FAMILY:Read:1", "family:read:1")).isTrue();
    assertThat(imp("*:*", "family:delete:3")).isTrue();
  }

  @Example
  void messagesSayWhereAndWhy() {
    assertThatThrownBy(() -> Permission.parse("family:read:4 78"))
        .hasMessage(
            "'family:read:4 78' is not a valid permission: character ' ' is not allowed (at character 14)");
    assertThatThrownBy(() -> Permission.parse("family"))
        .hasMessageContaining("needs at least a domain and an action");
    assertThatThrownBy(() -> Permission.parse("family:read,*:1"))
        .hasMessageContaining("'*' must be a part on its own");
    assertThatThrownBy(() -> Permission.parse("x".repeat(513) + ":a"))
        .hasMessageContaining("at most 512 characters");
  }

  private static boolean imp(String a, String b) {
    return Permission.parse(a).implies(Permission.parse(b));
  }
}
