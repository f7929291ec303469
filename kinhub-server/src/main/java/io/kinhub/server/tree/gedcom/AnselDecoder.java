package io.kinhub.server.tree.gedcom;

import java.text.Normalizer;
import java.util.Arrays;

/**
 * Decodes ANSEL (ANSI/NISO Z39.47) with the GEDCOM additions, which the JDK has no charset for.
 * ANSEL writes a combining mark before its base letter and Unicode after it, so marks wait for the
 * next base; the result is NFC, so that "M", 0xE8, "uller" equals a typed "Müller". Bytes ANSEL
 * leaves undefined become U+FFFD.
 */
final class AnselDecoder {
  private static final char UNDEFINED = '\uFFFD';
  private static final int FIRST_COMBINING = 0xE0;

  /**
   * UAX #15's stream-safe limit: at most this many marks in a row before a combining grapheme
   * joiner.
   */
  private static final int MAX_MARKS_IN_A_ROW = 30;

  private static final char COMBINING_GRAPHEME_JOINER = '\u034F';
  private static final char[] TABLE = new char[256];

  static {
    Arrays.fill(TABLE, UNDEFINED);
    for (int b = 0; b < 0x80; b++) {
      TABLE[b] = (char) b;
    }
    put(0xA1, "ŁØĐÞÆŒʹ·♭®±ƠƯʼ");
    put(0xB0, "ʻłøđþæœʺı£ð");
    put(0xBC, "ơư□■°ℓ℗©♯¿¡ß€"); // 0xBE and 0xBF (the boxes) are GEDCOM's additions
    put(0xCD, "eoß"); // GEDCOM's midline e and o, and its second eszett
    // hook above, grave, acute, circumflex, tilde, macron, breve, dot above, diaeresis, caron, ring
    // above,
    // ligature halves, comma above right, double acute, candrabindu
    put(
        0xE0,
        "\u0309\u0300\u0301\u0302\u0303\u0304\u0306\u0307\u0308\u030C\u030A\uFE20\uFE21\u0315\u030B\u0310");
    // cedilla, ogonek, dot below, double dot below, ring below, double underscore, underscore,
    // comma below,
    // right cedilla, half circle below, double tilde halves
    put(0xF0, "\u0327\u0328\u0323\u0324\u0325\u0333\u0332\u0326\u031C\u032E\uFE22\uFE23");
    put(0xFE, "\u0313"); // comma above
  }

  private AnselDecoder() {}

  private static void put(int first, String chars) {
    chars.getChars(0, chars.length(), TABLE, first);
  }

  /**
   * Decodes one line; a mark with no base after it (at the end of the line) is kept as it is. Long
   * runs of marks are split by a combining grapheme joiner every 30 marks (the Stream-Safe Text
   * Format), because normalisation reorders a run of marks in time quadratic in its length: a line
   * of marks alone would otherwise take minutes.
   */
  static String decode(byte[] bytes, int length) {
    StringBuilder text = new StringBuilder(length + 16);
    int marksFrom = -1; // index in bytes of the first mark waiting for its base
    for (int i = 0; i < length; i++) {
      int b = bytes[i] & 0xFF;
      char c = TABLE[b];
      if (b >= FIRST_COMBINING && c != UNDEFINED) {
        marksFrom = marksFrom < 0 ? i : marksFrom;
      } else {
        text.append(c);
        if (marksFrom >= 0) {
          appendMarks(text, bytes, marksFrom, i);
          marksFrom = -1;
        }
      }
    }
    if (marksFrom >= 0) {
      appendMarks(text, bytes, marksFrom, length);
    }
    return Normalizer.normalize(text, Normalizer.Form.NFC);
  }

  private static void appendMarks(StringBuilder text, byte[] bytes, int from, int to) {
    for (int i = from; i < to; i++) {
      if (i > from && (i - from) % MAX_MARKS_IN_A_ROW == 0) {
        text.append(COMBINING_GRAPHEME_JOINER);
      }
      text.append(TABLE[bytes[i] & 0xFF]);
    }
  }
}
