package io.kinhub.redis.script;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A Lua script kept as a resource, with its SHA-1 computed once so it can be called by {@code
 * EVALSHA}.
 *
 * @param name the resource path, for error messages
 * @param source the script text
 * @param sha lowercase hex SHA-1 of {@code source}, as Redis computes it
 */
public record LuaScript(String name, String source, String sha) {

  /** Loads a script from the class path, relative to {@code anchor}'s package. */
  public static LuaScript fromResource(Class<?> anchor, String resource) {
    try (InputStream in = anchor.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(
            "Lua script resource not found: " + resource + " next to " + anchor.getName());
      }
      String source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return of(resource, source);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read Lua script " + resource, e);
    }
  }

  /** Wraps script text. */
  public static LuaScript of(String name, String source) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8));
      return new LuaScript(name, source, HexFormat.of().formatHex(digest));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 missing from the JDK", e);
    }
  }
}
