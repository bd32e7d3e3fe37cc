package dev.baton.core.internal;

import java.util.Arrays;

/**
 * Lowercase hex digits read from bytes, as W3C {@code traceparent} writes them: one table read
 * per byte and no branch per digit. The core reads the ids of a received {@code traceparent}
 * with it; Kafka's producer reads back the span id of the {@code traceparent} it wrote.
 *
 * <p>Part of Baton's internal machinery: no compatibility promise. Stateless.
 */
public final class LowerHex {

  /** The value of each lowercase hex digit by byte (unsigned); -1 for every other byte. */
  private static final byte[] VALUE = new byte[256];

  static {
    Arrays.fill(VALUE, (byte) -1);
    for (int c = '0'; c <= '9'; c++) {
      VALUE[c] = (byte) (c - '0');
    }
    for (int c = 'a'; c <= 'f'; c++) {
      VALUE[c] = (byte) (c - 'a' + 10);
    }
  }

  private LowerHex() {}

  /**
   * The value of a lowercase hex digit.
   *
   * @param b a byte
   * @return 0 to 15, or -1 when {@code b} is not {@code 0-9} or {@code a-f}
   */
  public static int value(byte b) {
    return VALUE[b & 0xFF];
  }

  /**
   * The 16 lowercase hex digits at {@code b[from, from + 16)} as a {@code long}.
   *
   * @param b the bytes, at least {@code from + 16} long
   * @param from where the digits start
   * @return the number, or -1 when any byte is not a lowercase hex digit
   */
  public static long parse16(byte[] b, int from) {
    long n = 0;
    int any = 0;
    for (int i = from; i < from + 16; i++) {
      int v = VALUE[b[i] & 0xFF];
      any |= v;
      n = n << 4 | (v & 0xF);
    }
    return any < 0 ? -1 : n;
  }

  /**
   * Whether {@code b[from, to)} is lowercase hex and not all zeros: the values are or-ed together,
   * so a byte that is not a digit makes the result negative and any non-zero digit positive.
   */
  static boolean nonZero(byte[] b, int from, int to) {
    int any = 0;
    for (int i = from; i < to; i++) {
      any |= VALUE[b[i] & 0xFF];
    }
    return any > 0;
  }
}
