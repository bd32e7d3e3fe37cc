package dev.baton.core.internal;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Every rule for turning one raw header field into text, in one place.
 *
 * <ul>
 *   <li>{@code String} and other {@code CharSequence} values are taken as they are; {@code byte[]}
 *       values are decoded as strict UTF-8 (ASCII being its subset). A malformed byte sequence
 *       makes the field absent, never a replacement character.
 *   <li>Control characters other than horizontal tab make the field absent: no W3C header may carry
 *       them, and a propagator must not see half a value.
 *   <li>Optional whitespace (space, tab) around the value is trimmed; message headers, unlike HTTP,
 *       do not strip it on the way.
 *   <li>A raw value longer than the size cap, counted in UTF-8 bytes whatever its type, is absent;
 *       the check happens before any decoding and stops counting at the cap, so a 1 MiB garbage
 *       header costs next to nothing.
 * </ul>
 */
final class HeaderValues {

  private HeaderValues() {}

  /** Returns the decoded, trimmed value or {@code null} when the field counts as absent. */
  static String decode(Object raw, int maxLength) {
    if (raw instanceof String) {
      String s = (String) raw;
      return fits(s, maxLength) ? checkAndTrim(s) : null;
    }
    if (raw instanceof byte[]) {
      byte[] b = (byte[]) raw;
      return b.length > maxLength ? null : decodeBytes(b);
    }
    if (raw instanceof CharSequence) {
      CharSequence cs = (CharSequence) raw;
      return fits(cs, maxLength) ? checkAndTrim(cs.toString()) : null;
    }
    return null;
  }

  /** Whether {@code s} takes at most {@code max} bytes in UTF-8; reads at most {@code max} chars. */
  static boolean fits(CharSequence s, int max) {
    int len = s.length();
    if (len > max) {
      return false; // every char takes at least one byte
    }
    if ((long) len * 3 <= max) {
      return true; // and at most three (a surrogate pair: four for two chars)
    }
    return utf8Length(s, 0, len, max) <= max;
  }

  /**
   * The UTF-8 length of {@code s[from, to)}, counting stopped once it passes {@code stopAbove}.
   * A lone surrogate counts two bytes (the encoder writes one: counting errs on the safe side).
   */
  static long utf8Length(CharSequence s, int from, int to, long stopAbove) {
    long n = 0;
    for (int i = from; i < to && n <= stopAbove; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n++;
      } else if (c < 0x800 || Character.isSurrogate(c)) {
        n += 2;
      } else {
        n += 3;
      }
    }
    return n;
  }

  /** {@link #classify}: the field counts as absent (it holds a control character). */
  static final int ABSENT = 0;
  /** {@link #classify}: the field is ASCII text without control characters: each byte a char. */
  static final int ASCII = 1;
  /** {@link #classify}: a byte is not ASCII; only decoding tells what the field is. */
  static final int NOT_ASCII = 2;

  /**
   * What the rules above make of a {@code byte[]} field (within the cap) without decoding it, in
   * one pass that stops at the first byte that decides. A control byte before any non-ASCII one
   * decides alone: whatever the bytes after it, the decoded field would be malformed or hold it.
   */
  static int classify(byte[] b) {
    for (byte x : b) {
      if (x < 0) {
        return NOT_ASCII;
      }
      if ((x < 0x20 && x != '\t') || x == 0x7f) {
        return ABSENT;
      }
    }
    return ASCII;
  }

  private static String decodeBytes(byte[] b) {
    int kind = classify(b);
    if (kind == ABSENT) {
      return null;
    }
    String s;
    if (kind == ASCII) {
      s = new String(b, StandardCharsets.ISO_8859_1);
    } else {
      try {
        CharBuffer chars =
            StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(b));
        s = chars.toString();
      } catch (CharacterCodingException e) {
        return null;
      }
    }
    return checkAndTrim(s);
  }

  private static String checkAndTrim(String s) {
    int len = s.length();
    for (int i = 0; i < len; i++) {
      char c = s.charAt(i);
      if ((c < 0x20 && c != '\t') || c == 0x7f) {
        return null;
      }
    }
    int start = 0;
    int end = len;
    while (start < end && isOws(s.charAt(start))) {
      start++;
    }
    while (end > start && isOws(s.charAt(end - 1))) {
      end--;
    }
    return (start == 0 && end == len) ? s : s.substring(start, end);
  }

  static boolean isOws(char c) {
    return c == ' ' || c == '\t';
  }
}
