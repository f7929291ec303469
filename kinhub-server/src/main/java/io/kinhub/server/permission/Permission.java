package io.kinhub.server.permission;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A wildcard permission such as {@code family:member:delete:478}: colon-separated parts, each
 * either {@code *} or a comma-separated list of tokens. The grammar is the ABNF in {@code
 * docs/permissions.md}; {@link #parse} follows it exactly and rejects everything else with {@link
 * MalformedPermissionException}.
 *
 * <p>Implication is Shiro's: {@code p} implies {@code q} when every part of {@code p} is {@code *}
 * or contains every token of the same part of {@code q}; parts {@code p} lacks count as {@code *},
 * parts {@code q} lacks must be {@code *} in {@code p}. So {@code family:read} implies {@code
 * family:read:478}, {@code family:read,edit:*} implies {@code family:edit:9}, and nothing but
 * {@code *} implies a {@code *}.
 */
public final class Permission {
  /** Longest accepted permission string, in characters. */
  public static final int MAX_LENGTH = 512;

  /** Most parts in one permission. */
  public static final int MAX_PARTS = 8;

  /** Longest token. */
  public static final int MAX_TOKEN = 64;

  /** One part: null tokens means {@code *}. */
  private record Part(Set<String> tokens) {
    boolean wildcard() {
      return tokens == null;
    }

    boolean implies(Part other) {
      return wildcard() || (!other.wildcard() && tokens.containsAll(other.tokens));
    }

    @Override
    public String toString() {
      return wildcard() ? "*" : String.join(",", tokens);
    }
  }

  private final List<Part> parts;
  private final String text;

  private Permission(List<Part> parts) {
    this.parts = List.copyOf(parts);
    this.text = String.join(":", parts.stream().map(Part::toString).toList());
  }

  /**
   * Parses a permission; tokens are compared case-insensitively (stored lower-case), as ABNF
   * literals are.
   */
  public static Permission parse(String text) {
    if (text == null || text.isEmpty()) {
      throw new MalformedPermissionException(text, 0, "a permission must not be empty");
    }
    if (text.length() > MAX_LENGTH) {
      throw new MalformedPermissionException(
          text, MAX_LENGTH, "a permission is at most " + MAX_LENGTH + " characters");
    }
    List<Part> parts = new ArrayList<>();
    int position = 0;
    while (true) {
      int end = position;
      while (end < text.length() && text.charAt(end) != ':') {
        end++;
      }
      parts.add(part(text, position, end));
      if (parts.size() > MAX_PARTS) {
        throw new MalformedPermissionException(
            text, position, "a permission has at most " + MAX_PARTS + " parts");
      }
      if (end == text.length()) {
        break;
      }
      position = end + 1;
    }
    if (parts.size() < 2) {
      throw new MalformedPermissionException(
          text,
          text.length(),
          "a permission needs at least a domain and an action ('domain:action')");
    }
    return new Permission(parts);
  }

  private static Part part(String text, int start, int end) {
    if (start == end) {
      throw new MalformedPermissionException(text, start, "empty part");
    }
    if (end - start == 1 && text.charAt(start) == '*') {
      return new Part(null);
    }
    Set<String> tokens = new LinkedHashSet<>();
    int position = start;
    while (true) {
      int tokenEnd = position;
      while (tokenEnd < end && text.charAt(tokenEnd) != ',') {
        char c = text.charAt(tokenEnd);
        if (c == '*') {
          throw new MalformedPermissionException(text, tokenEnd, "'*' must be a part on its own");
        }
        if (!tokenChar(c)) {
          throw new MalformedPermissionException(
              text, tokenEnd, "character '" + printable(c) + "' is not allowed");
        }
        tokenEnd++;
      }
      if (tokenEnd == position) {
        throw new MalformedPermissionException(text, position, "empty token");
      }
      if (tokenEnd - position > MAX_TOKEN) {
        throw new MalformedPermissionException(
            text, position, "a token is at most " + MAX_TOKEN + " characters");
      }
      tokens.add(text.substring(position, tokenEnd).toLowerCase(Locale.ROOT));
      if (tokenEnd == end) {
        return new Part(tokens);
      }
      position = tokenEnd + 1;
    }
  }

  private static boolean tokenChar(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '-'
        || c == '_'
        || c == '.';
  }

  private static String printable(char c) {
    return c < 0x20 || c == 0x7f ? String.format("\\u%04x", (int) c) : String.valueOf(c);
  }

  /** Whether holding this permission grants {@code other}. */
  public boolean implies(Permission other) {
    for (int i = 0; i < parts.size(); i++) {
      Part mine = parts.get(i);
      if (i >= other.parts.size()) {
        if (!mine.wildcard()) {
          return false;
        }
      } else if (!mine.implies(other.parts.get(i))) {
        return false;
      }
    }
    return true;
  }

  /** The number of parts. */
  public int size() {
    return parts.size();
  }

  /**
   * The single token of part {@code index}, or null when that part is absent, {@code *} or a list.
   */
  public String single(int index) {
    if (index >= parts.size()) {
      return null;
    }
    Set<String> tokens = parts.get(index).tokens();
    return tokens != null && tokens.size() == 1 ? tokens.iterator().next() : null;
  }

  /** The canonical form: lower-case tokens. */
  @Override
  public String toString() {
    return text;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Permission p && p.parts.equals(parts);
  }

  @Override
  public int hashCode() {
    return parts.hashCode();
  }
}
