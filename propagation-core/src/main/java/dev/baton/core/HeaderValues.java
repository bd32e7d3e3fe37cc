package dev.baton.core;

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
 *   <li>A raw value longer than the size cap (in bytes or chars) is absent; the check happens before
 *       any decoding, so a 1 MiB garbage header costs nothing.
 * </ul>
 */
final class HeaderValues {

  private HeaderValues() {}

  /** Returns the decoded, trimmed value or {@code null} when the field counts as absent. */
  static String decode(Object raw, int maxLength) {
    if (raw instanceof String) {
      String s = (String) raw;
      return s.length() > maxLength ? null : checkAndTrim(s);
    }
    if (raw instanceof byte[]) {
      byte[] b = (byte[]) raw;
      return b.length > maxLength ? null : decodeBytes(b);
    }
    if (raw instanceof CharSequence) {
      CharSequence cs = (CharSequence) raw;
      return cs.length() > maxLength ? null : checkAndTrim(cs.toString());
    }
    return null;
  }

  private static String decodeBytes(byte[] b) {
    boolean ascii = true;
    for (byte x : b) {
      if (x < 0) {
        ascii = false;
        break;
      }
    }
    String s;
    if (ascii) {
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
