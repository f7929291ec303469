package io.kinhub.server.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A request's JSON object, read defensively: size-limited, strict UTF-8, {@code application/json}
 * only, duplicate keys refused. Field accessors fail with {@code 400 invalid_request} naming the
 * field.
 */
public final class JsonBody {
  /** Request bodies above this get {@code 413}. */
  public static final int MAX_BYTES = 1024 * 1024;

  private static final ObjectMapper STRICT =
      new ObjectMapper()
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private final ObjectNode node;

  /**
   * Where this object sits in the body ({@code "privacy."} for a nested one): problems name the
   * full path.
   */
  private final String path;

  private JsonBody(ObjectNode node) {
    this(node, "");
  }

  private JsonBody(ObjectNode node, String path) {
    this.node = node;
    this.path = path;
  }

  /** {@code 400 invalid_request} blaming {@code field} of this object, named by its full path. */
  private Problem invalid(String field, String rule) {
    String name = path + field;
    return Problem.invalid(name, "'" + name + "' " + rule);
  }

  private static final String CACHED = "kinhub.body";

  /**
   * Reads the request body as one JSON object (once per request; later calls get the same result).
   */
  public static JsonBody read(Context ctx) {
    Object cached = ctx.attribute(CACHED);
    if (cached instanceof JsonBody body) {
      return body;
    }
    if (cached instanceof Problem problem) {
      throw problem;
    }
    try {
      JsonBody body = parse(ctx);
      ctx.attribute(CACHED, body);
      return body;
    } catch (Problem problem) {
      ctx.attribute(CACHED, problem);
      throw problem;
    }
  }

  /** The body if it is a readable JSON object; a bad body is left for the route to report. */
  public static Optional<JsonBody> peek(Context ctx) {
    try {
      return Optional.of(read(ctx));
    } catch (Problem problem) {
      return Optional.empty();
    }
  }

  /** The raw text of a field if it is a string, without validation (for rate-limit keys). */
  public Optional<String> rawString(String field) {
    JsonNode value = node.get(field);
    return value != null && value.isTextual() ? Optional.of(value.textValue()) : Optional.empty();
  }

  private static JsonBody parse(Context ctx) {
    String contentType = ctx.header("Content-Type");
    if (contentType == null || !isJson(contentType)) {
      throw Problem.of(
          415,
          Problem.UNSUPPORTED_MEDIA_TYPE,
          "Send the body as Content-Type: application/json (UTF-8).");
    }
    byte[] bytes = readLimited(ctx);
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
    } catch (CharacterCodingException e) {
      throw Problem.badRequest("The body is not valid UTF-8.");
    }
    if (text.isBlank()) {
      throw Problem.badRequest("The body must be a JSON object.");
    }
    JsonNode parsed;
    try {
      parsed = STRICT.readTree(text);
    } catch (JsonProcessingException e) {
      long line = e.getLocation() == null ? -1 : e.getLocation().getLineNr();
      long column = e.getLocation() == null ? -1 : e.getLocation().getColumnNr();
      throw Problem.badRequest(
          "The body is not valid JSON"
              + (line > 0 ? " (line " + line + ", column " + column + ")" : "")
              + ".");
    }
    if (!(parsed instanceof ObjectNode object)) {
      throw Problem.badRequest("The body must be a JSON object.");
    }
    return new JsonBody(object);
  }

  private static boolean isJson(String contentType) {
    String[] parts = contentType.toLowerCase(Locale.ROOT).split(";", -1);
    if (!parts[0].trim().equals("application/json")) {
      return false;
    }
    for (int i = 1; i < parts.length; i++) {
      String p = parts[i].trim();
      if (p.startsWith("charset=") && !p.substring(8).replace("\"", "").equals("utf-8")) {
        return false;
      }
    }
    return true;
  }

  private static byte[] readLimited(Context ctx) {
    long declared = ctx.req().getContentLengthLong();
    if (declared > MAX_BYTES) {
      throw tooLarge(ctx);
    }
    try (InputStream in = ctx.req().getInputStream()) {
      byte[] bytes = in.readNBytes(MAX_BYTES + 1);
      if (bytes.length > MAX_BYTES) {
        throw tooLarge(ctx);
      }
      return bytes;
    } catch (IOException e) {
      throw Problem.badRequest("The body could not be read.");
    }
  }

  /**
   * The 413 answer. A moderately oversized body is read and discarded first: closing a connection
   * with unread data makes the kernel reset it, and the client may never see the 413. Beyond {@link
   * #DRAIN_LIMIT} the connection is closed instead.
   */
  static Problem tooLarge(Context ctx) {
    long declared = ctx.req().getContentLengthLong();
    if (declared <= DRAIN_LIMIT) {
      try (InputStream in = ctx.req().getInputStream()) {
        long skipped = 0;
        byte[] sink = new byte[64 * 1024];
        int n;
        while (skipped <= DRAIN_LIMIT && (n = in.read(sink)) > 0) {
          skipped += n;
        }
        if (skipped > DRAIN_LIMIT) {
          ctx.header("Connection", "close");
        }
      } catch (IOException e) {
        ctx.header("Connection", "close");
      }
    } else {
      ctx.header("Connection", "close");
    }
    return Problem.of(413, Problem.TOO_LARGE, "Request bodies are limited to 1 MiB.");
  }

  /** Oversized bodies up to this size are drained before the 413 is sent. */
  private static final long DRAIN_LIMIT = 16L * 1024 * 1024;

  /**
   * The body as {@link #read} does, but an absent body (no {@code Content-Type}, nothing sent) is
   * an empty object: for endpoints whose fields are all optional.
   */
  public static JsonBody readOptional(Context ctx) {
    if (ctx.header("Content-Type") == null && ctx.req().getContentLengthLong() <= 0) {
      return new JsonBody(STRICT.createObjectNode());
    }
    return read(ctx);
  }

  /** Whether the field is present (even as JSON null): PATCH semantics. */
  public boolean has(String field) {
    return node.has(field);
  }

  /** Whether the field is present as JSON null (PATCH: "clear this"). */
  public boolean isNull(String field) {
    JsonNode value = node.get(field);
    return value != null && value.isNull();
  }

  /** An optional boolean; JSON null counts as absent. */
  public Optional<Boolean> optionalBoolean(String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return Optional.empty();
    }
    if (!value.isBoolean()) {
      throw invalid(field, "must be true or false.");
    }
    return Optional.of(value.booleanValue());
  }

  /** An optional whole number in {@code [min, max]}; JSON null counts as absent. */
  public Optional<Long> optionalLong(String field, long min, long max) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return Optional.empty();
    }
    if (!value.isIntegralNumber()
        || !value.canConvertToLong()
        || value.longValue() < min
        || value.longValue() > max) {
      throw invalid(field, "must be a whole number from " + min + " to " + max + ".");
    }
    return Optional.of(value.longValue());
  }

  /**
   * An optional array of at most {@code maxItems} strings of at most {@code maxLength} characters.
   */
  public Optional<List<String>> optionalStringList(String field, int maxItems, int maxLength) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return Optional.empty();
    }
    if (!value.isArray() || value.size() > maxItems) {
      throw invalid(field, "must be an array of at most " + maxItems + " strings.");
    }
    List<String> out = new ArrayList<>(value.size());
    for (JsonNode item : value) {
      if (!item.isTextual()
          || item.textValue().isEmpty()
          || item.textValue().length() > maxLength
          || !wellFormed(item.textValue())) {
        throw invalid(
            field,
            "must be an array of non-empty strings of at most " + maxLength + " characters.");
      }
      out.add(item.textValue());
    }
    return Optional.of(out);
  }

  /** An optional nested object; JSON null counts as absent. */
  public Optional<JsonBody> optionalObject(String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return Optional.empty();
    }
    if (!value.isObject()) {
      throw invalid(field, "must be an object.");
    }
    return Optional.of(new JsonBody((ObjectNode) value, path + field + "."));
  }

  /**
   * An optional string that must be one of {@code allowed}; JSON null counts as absent, anything
   * else (another string, a number, …) is refused naming the allowed values.
   */
  public Optional<String> optionalOneOf(String field, List<String> allowed) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return Optional.empty();
    }
    if (!value.isTextual() || !allowed.contains(value.textValue())) {
      List<String> quoted = allowed.stream().map(a -> "\"" + a + "\"").toList();
      String last = quoted.get(quoted.size() - 1);
      String choices =
          quoted.size() == 1
              ? last
              : String.join(", ", quoted.subList(0, quoted.size() - 1)) + " or " + last;
      throw invalid(field, "must be " + choices + ".");
    }
    return Optional.of(value.textValue());
  }

  /** A required string of 1..max characters (Unicode code points), not blank. */
  public String requiredString(String field, int max) {
    return optionalString(field, max)
        .filter(s -> !s.isBlank())
        .orElseThrow(() -> invalid(field, "is required."));
  }

  /** An optional string of at most {@code max} characters; JSON null counts as absent. */
  public Optional<String> optionalString(String field, int max) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return Optional.empty();
    }
    if (!value.isTextual()) {
      throw invalid(field, "must be a string.");
    }
    String text = value.textValue();
    if (text.codePointCount(0, text.length()) > max) {
      throw invalid(field, "must be at most " + max + " characters.");
    }
    if (text.chars().anyMatch(c -> c == 0) || !wellFormed(text)) {
      throw invalid(field, "must be valid Unicode text without NUL characters.");
    }
    return Optional.of(text);
  }

  private static boolean wellFormed(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(i + 1))) {
          return false;
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return false;
      }
    }
    return true;
  }
}
