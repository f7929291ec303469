package io.kinhub.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.javalin.http.Context;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/** JSON on the wire: one configured mapper, UTF-8, RFC 3339 UTC times. */
public final class Json {
  public static final ObjectMapper MAPPER =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
  private static final DateTimeFormatter RFC3339 =
      DateTimeFormatter.ISO_INSTANT.withZone(ZoneOffset.UTC);

  private Json() {}

  /** Writes {@code body} as {@code application/json} with {@code status}. */
  public static void respond(Context ctx, int status, Object body) {
    try {
      ctx.status(status).contentType("application/json").result(MAPPER.writeValueAsBytes(body));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("response not serialisable", e);
    }
  }

  /** An instant as an RFC 3339 string in UTC, to the second. */
  public static String time(Instant instant) {
    return RFC3339.format(instant.truncatedTo(ChronoUnit.SECONDS));
  }

  /** Milliseconds since the epoch as an RFC 3339 string in UTC. */
  public static String time(long epochMillis) {
    return time(Instant.ofEpochMilli(epochMillis));
  }
}
