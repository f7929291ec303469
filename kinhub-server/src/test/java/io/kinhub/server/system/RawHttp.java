package io.kinhub.server.system;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, for requests no HTTP client would send (a NUL in the path, bad
 * percent-encoding, broken header lines): the bytes go out exactly as given and the answer is read
 * until the server closes the connection or the body is complete.
 */
public final class RawHttp {
  private RawHttp() {}

  /**
   * One answer: status, headers (lower-case names) and body; {@code status} is -1 when nothing came
   * back.
   */
  public record Answer(int status, Map<String, String> headers, String body, boolean timedOut) {
    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  /**
   * Sends {@code request} (which should say {@code Connection: close}) and reads the answer,
   * waiting at most {@code timeoutMillis}.
   */
  public static Answer exchange(String host, int port, byte[] request, int timeoutMillis) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), timeoutMillis);
      socket.setSoTimeout(timeoutMillis);
      socket.getOutputStream().write(request);
      socket.getOutputStream().flush();
      ByteArrayOutputStream received = new ByteArrayOutputStream();
      boolean timedOut = false;
      long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[8192];
      try {
        while (System.nanoTime() < deadline) {
          int n = in.read(buffer);
          if (n < 0) {
            break;
          }
          received.write(buffer, 0, n);
          if (complete(received.toByteArray())) {
            break;
          }
        }
      } catch (SocketTimeoutException e) {
        timedOut = true;
      } catch (IOException e) {
        // a reset after the answer was sent: keep what arrived
      }
      return parse(
          received.toByteArray(),
          timedOut || (System.nanoTime() >= deadline && !complete(received.toByteArray())));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A request line plus headers, CRLF-separated, ending the head; {@code Connection: close} is
   * added.
   */
  public static byte[] request(String requestLine, String... headerLines) {
    StringBuilder s = new StringBuilder(requestLine).append("\r\n");
    for (String h : headerLines) {
      s.append(h).append("\r\n");
    }
    s.append("Connection: close\r\n\r\n");
    return s.toString().getBytes(StandardCharsets.ISO_8859_1);
  }

  private static boolean complete(byte[] bytes) {
    String text = new String(bytes, StandardCharsets.ISO_8859_1);
    int end = text.indexOf("\r\n\r\n");
    if (end < 0) {
      return false;
    }
    Map<String, String> headers = headers(text.substring(0, end));
    String length = headers.get("content-length");
    if (length != null) {
      return bytes.length - (end + 4) >= Long.parseLong(length.trim());
    }
    return false; // chunked or until close
  }

  private static Answer parse(byte[] bytes, boolean timedOut) {
    String text = new String(bytes, StandardCharsets.ISO_8859_1);
    int end = text.indexOf("\r\n\r\n");
    if (!text.startsWith("HTTP/") || end < 0) {
      return new Answer(-1, Map.of(), text, timedOut);
    }
    String head = text.substring(0, end);
    int status = Integer.parseInt(head.substring(9, 12));
    Map<String, String> headers = headers(head);
    byte[] body = Arrays.copyOfRange(bytes, end + 4, bytes.length);
    if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      body = dechunk(body);
    }
    return new Answer(status, headers, new String(body, StandardCharsets.UTF_8), timedOut);
  }

  private static Map<String, String> headers(String head) {
    Map<String, String> headers = new LinkedHashMap<>();
    String[] lines = head.split("\r\n");
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) {
        headers.put(
            lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
            lines[i].substring(colon + 1).trim());
      }
    }
    return headers;
  }

  private static byte[] dechunk(byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    String text = new String(body, StandardCharsets.ISO_8859_1);
    int at = 0;
    while (at < text.length()) {
      int lineEnd = text.indexOf("\r\n", at);
      if (lineEnd < 0) {
        break;
      }
      int size = Integer.parseInt(text.substring(at, lineEnd).split(";")[0].trim(), 16);
      if (size == 0) {
        break;
      }
      out.write(body, lineEnd + 2, Math.min(size, body.length - lineEnd - 2));
      at = lineEnd + 2 + size + 2;
    }
    return out.toByteArray();
  }
}
