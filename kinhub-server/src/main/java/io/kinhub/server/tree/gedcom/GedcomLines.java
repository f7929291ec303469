package io.kinhub.server.tree.gedcom;

import static java.nio.charset.StandardCharsets.UTF_16BE;
import static java.nio.charset.StandardCharsets.UTF_16LE;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.SequenceInputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.util.Arrays;
import java.util.Locale;

/**
 * Splits a GEDCOM stream into numbered lines (ends CR, LF or CRLF in any mix) and decodes each line
 * on its own, because the charset is only known once the HEAD's CHAR line has been read. Until
 * then, and in files without CHAR, a line is UTF-8 if it is valid UTF-8 and windows-1252 otherwise.
 * A UTF-16 byte order mark outranks CHAR. A line longer than the limit fails (before it is held);
 * NUL characters, which no program means and PostgreSQL cannot store, are removed with a warning.
 */
final class GedcomLines {
  private enum Decoding {
    GUESS,
    STRICT,
    LENIENT,
    ANSEL
  }

  private static final Charset WINDOWS_1252 = Charset.forName("windows-1252");

  private final InputStream in;
  private final Warnings warnings;
  private final int maxLineBytes;
  private final Reader utf16;
  private final StringBuilder utf16Line = new StringBuilder();
  private boolean utf16AfterCr;
  private boolean sawNul;
  private final CharsetDecoder utf8 = UTF_8.newDecoder();
  private final byte[] buffer = new byte[1 << 16];
  private int position;
  private int limit;
  private boolean afterCr;
  private byte[] line = new byte[256];
  private int number;
  private Decoding decoding = Decoding.GUESS;
  private Charset charset = UTF_8;
  private String charsetName = "UTF-8";

  GedcomLines(InputStream in, Warnings warnings, int maxLineBytes) throws IOException {
    this.in = in;
    this.warnings = warnings;
    this.maxLineBytes = maxLineBytes;
    int n = 0;
    while (limit < 3 && n >= 0) { // enough to see a byte order mark
      n = in.read(buffer, limit, buffer.length - limit);
      limit += Math.max(n, 0);
    }
    Charset bom = null;
    if (startsWith(0xEF, 0xBB, 0xBF)) {
      position = 3;
    } else if (startsWith(0xFF, 0xFE)) {
      bom = UTF_16LE;
    } else if (startsWith(0xFE, 0xFF)) {
      bom = UTF_16BE;
    }
    utf16 =
        bom == null
            ? null
            : new BufferedReader(
                new InputStreamReader(
                    new SequenceInputStream(new ByteArrayInputStream(buffer, 2, limit - 2), in),
                    bom));
    if (bom != null) {
      charsetName = bom.name();
    }
  }

  private boolean startsWith(int... bytes) {
    for (int i = 0; i < bytes.length; i++) {
      if (i >= limit || (buffer[i] & 0xFF) != bytes[i]) {
        return false;
      }
    }
    return true;
  }

  /** The 1-based number of the line last returned. */
  int number() {
    return number;
  }

  /** The name of the decoding in use, for the summary. */
  String charsetName() {
    return charsetName;
  }

  /** Applies the HEAD's CHAR value to the lines after it; a UTF-16 file keeps UTF-16. */
  void declare(String value, int lineNumber) {
    if (utf16 != null) {
      return;
    }
    String name = value.strip().toUpperCase(Locale.ROOT);
    switch (name) {
      case "UTF-8", "UTF8" -> use(Decoding.STRICT, UTF_8);
      case "ANSEL" -> use(Decoding.ANSEL, null);
      case "ANSI", "ASCII" -> use(Decoding.LENIENT, WINDOWS_1252);
      case "IBMPC" -> use(Decoding.LENIENT, Charset.forName("IBM437"));
      case "MACINTOSH" -> use(Decoding.LENIENT, Charset.forName("x-MacRoman"));
      default -> {
        warnings.add(
            lineNumber,
            name.equals("UNICODE")
                ? "CHAR UNICODE, but the file has no UTF-16 byte order mark: read as UTF-8"
                : "CHAR '" + value.strip() + "' is not a known charset: read as UTF-8");
        use(Decoding.LENIENT, UTF_8);
      }
    }
  }

  private void use(Decoding decoding, Charset charset) {
    this.decoding = decoding;
    this.charset = charset;
    this.charsetName = charset == null ? "ANSEL" : charset.name();
  }

  /** The next line without its line end, or null at the end of the file. */
  String next() throws IOException, GedcomFormatException {
    sawNul = false;
    String text = utf16 != null ? nextUtf16() : nextBytes();
    if (sawNul) {
      warnings.add(number, "NUL characters removed");
    }
    return text;
  }

  private GedcomFormatException tooLong() {
    return GedcomFormatException.tooLarge(
        number + 1, "the line is longer than " + maxLineBytes + " bytes");
  }

  private String nextUtf16() throws IOException, GedcomFormatException {
    utf16Line.setLength(0);
    boolean started = false;
    int c;
    while ((c = utf16.read()) >= 0) {
      if (utf16AfterCr && c == '\n') {
        utf16AfterCr = false;
        continue;
      }
      started = true;
      utf16AfterCr = c == '\r';
      if (c == '\r' || c == '\n') {
        break;
      }
      if (c == 0) {
        sawNul = true;
        continue;
      }
      if (2 * utf16Line.length() >= maxLineBytes) {
        throw tooLong();
      }
      utf16Line.append((char) c);
    }
    if (!started) {
      return null;
    }
    number++;
    return utf16Line.toString();
  }

  private String nextBytes() throws IOException, GedcomFormatException {
    int length = 0;
    boolean started = false;
    while (true) {
      if (position == limit) {
        limit = Math.max(in.read(buffer), 0);
        position = 0;
        if (limit == 0) {
          if (!started) {
            return null;
          }
          break;
        }
      }
      byte b = buffer[position++];
      if (afterCr && b == '\n') { // the LF of a CRLF
        afterCr = false;
        continue;
      }
      started = true;
      afterCr = b == '\r';
      if (b == '\r' || b == '\n') {
        break;
      }
      if (b == 0) {
        sawNul = true;
        continue;
      }
      if (length == maxLineBytes) {
        throw tooLong();
      }
      if (length == line.length) {
        line = Arrays.copyOf(line, Math.min(maxLineBytes, length * 2));
      }
      line[length++] = b;
    }
    number++;
    return decode(length);
  }

  private String decode(int length) throws GedcomFormatException {
    String text =
        switch (decoding) {
          case ANSEL -> AnselDecoder.decode(line, length);
          case LENIENT -> new String(line, 0, length, charset);
          case STRICT, GUESS -> {
            ByteBuffer bytes = ByteBuffer.wrap(line, 0, length);
            CharBuffer chars = CharBuffer.allocate(length);
            if (!utf8.reset().decode(bytes, chars, true).isError()
                && !utf8.flush(chars).isError()) {
              yield chars.flip().toString();
            }
            if (decoding == Decoding.STRICT) {
              throw new GedcomFormatException(
                  number,
                  "byte %d (0x%02X) is not valid UTF-8, the charset the HEAD declares"
                      .formatted(bytes.position() + 1, line[bytes.position()] & 0xFF));
            }
            warnings.add(number, "line not valid UTF-8: read as windows-1252");
            charsetName = WINDOWS_1252.name();
            yield new String(line, 0, length, WINDOWS_1252);
          }
        };
    if ((decoding == Decoding.ANSEL || decoding == Decoding.LENIENT)
        && text.indexOf('\uFFFD') >= 0) {
      warnings.add(number, "bytes not defined in " + charsetName + " replaced by U+FFFD");
    }
    return text;
  }
}
