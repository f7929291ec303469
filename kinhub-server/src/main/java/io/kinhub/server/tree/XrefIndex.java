package io.kinhub.server.tree;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.util.Arrays;

/**
 * The cross-references ("@I1@") of one GEDCOM import, numbered 0, 1, 2, … in order of first sight.
 * Kept as bytes in one array with an open-addressing table, about 20 bytes per xref instead of the
 * ~110 of a {@code HashMap<String, Integer>}, because an import may meet millions of them and must
 * stay within a bounded heap.
 */
final class XrefIndex {
  private byte[] bytes = new byte[1 << 12];
  private int used;
  private int[] start = new int[256]; // start[i] .. start[i + 1]: the bytes of xref i
  private int[] table = new int[512]; // 0 = empty, else ordinal + 1
  private int size;

  /** How many distinct xrefs are held. */
  int size() {
    return size;
  }

  /** The ordinal of {@code xref}, adding it when new. */
  int intern(String xref) {
    byte[] key = xref.getBytes(UTF_8);
    int slot = slot(key);
    if (table[slot] != 0) {
      return table[slot] - 1;
    }
    if (used + key.length > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, used + key.length));
    }
    if (size + 2 > start.length) {
      start = Arrays.copyOf(start, start.length * 2);
    }
    System.arraycopy(key, 0, bytes, used, key.length);
    start[size] = used;
    used += key.length;
    start[size + 1] = used;
    table[slot] = ++size;
    if (size * 2 > table.length) {
      rehash();
    }
    return size - 1;
  }

  /** The ordinal of {@code xref}, or -1. */
  int find(String xref) {
    int slot = slot(xref.getBytes(UTF_8));
    return table[slot] - 1;
  }

  /** The xref with this ordinal. */
  String get(int ordinal) {
    return new String(bytes, start[ordinal], start[ordinal + 1] - start[ordinal], UTF_8);
  }

  private int slot(byte[] key) {
    int mask = table.length - 1;
    int slot = hash(key, 0, key.length) & mask;
    while (table[slot] != 0 && !equal(table[slot] - 1, key)) {
      slot = (slot + 1) & mask;
    }
    return slot;
  }

  private boolean equal(int ordinal, byte[] key) {
    int from = start[ordinal];
    return start[ordinal + 1] - from == key.length
        && Arrays.equals(bytes, from, from + key.length, key, 0, key.length);
  }

  private static int hash(byte[] b, int from, int to) {
    int h = 0x9E3779B9;
    for (int i = from; i < to; i++) {
      h = (h ^ b[i]) * 0x01000193;
    }
    return h ^ (h >>> 15);
  }

  private void rehash() {
    table = new int[table.length * 2];
    int mask = table.length - 1;
    for (int i = 0; i < size; i++) {
      int slot = hash(bytes, start[i], start[i + 1]) & mask;
      while (table[slot] != 0) {
        slot = (slot + 1) & mask;
      }
      table[slot] = i + 1;
    }
  }
}
