package dev.baton.core.internal;

import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.TraceStateBuilder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * A {@link TraceState} that keeps the received members exactly, in order, under the current W3C
 * key grammar. OpenTelemetry's own implementation validates keys against the older
 * {@code tenant@vendor} grammar and silently drops keys such as {@code foo@bar@baz}; this one keeps
 * them so they reach the next hop.
 *
 * <p>It holds the members as one canonical ASCII header value ({@code k=v,k=v}, no optional
 * whitespace, no empty members): parsing a header makes one byte array and no strings, and sending
 * it again is a copy of that array. Keys and values become strings only when something asks for
 * them (a sampler, {@link #forEach}).
 *
 * <p>Limitation: {@link #toBuilder()} hands back OpenTelemetry's builder, which applies its own key
 * rules to what a sampler adds or copies.
 */
final class W3CTraceState implements TraceState {

  static final int MAX_MEMBERS = 32;
  static final int MAX_KEY_LENGTH = 256;
  static final int MAX_VALUE_LENGTH = 256;

  /** Canonical ASCII {@code k=v(,k=v)*}; never handed out, never changed. */
  private final byte[] encoded;
  private final int size;

  private W3CTraceState(byte[] encoded, int size) {
    this.encoded = encoded;
    this.size = size;
  }

  /**
   * Parses a (joined) {@code tracestate} value. Returns {@code null} when the whole header must be
   * discarded: any invalid member, or more than 32 members. Empty members are skipped.
   */
  static W3CTraceState parse(String header) {
    int len = header.length();
    byte[] b = new byte[len];
    for (int i = 0; i < len; i++) {
      char c = header.charAt(i);
      if (c >= 0x80) {
        return null; // no key, value or optional whitespace may hold anything but ASCII
      }
      b[i] = (byte) c;
    }
    return parseAscii(b, true);
  }

  /**
   * Parses one raw header field given as bytes, with the result {@link #parse(String)} would give
   * for the decoded field. {@code value} is not kept. Returns {@code null} when it must be
   * discarded; a non-ASCII byte makes it invalid (UTF-8 or not, no member may hold one).
   */
  static W3CTraceState parse(byte[] value) {
    return parseAscii(value, false);
  }

  /**
   * Validates {@code b} and returns the state; {@code owned} says whether {@code b} may be kept
   * as the canonical form when it already is one.
   */
  private static W3CTraceState parseAscii(byte[] b, boolean owned) {
    long walked = walk(b, null);
    int n = (int) (walked >> 32);
    if (walked < 0 || n == 0) {
      return null;
    }
    int length = (int) walked;
    // Equal lengths mean no optional whitespace and no empty member: already canonical.
    if (length == b.length) {
      return new W3CTraceState(owned ? b : b.clone(), n);
    }
    byte[] canonical = new byte[length];
    walk(b, canonical);
    return new W3CTraceState(canonical, n);
  }

  /**
   * One pass over the members of {@code b}: with {@code out == null} checks each (empty ones
   * skipped), otherwise copies them, trimmed and joined by commas, into {@code out}. Returns the
   * member count and canonical length as {@code count << 32 | length}; -1 when a member is
   * invalid or there are more than 32.
   */
  private static long walk(byte[] b, byte[] out) {
    int len = b.length;
    int n = 0;
    int o = 0;
    int start = 0;
    while (start <= len) {
      int comma = indexOf(b, (byte) ',', start, len);
      long m = trimmed(b, start, comma < 0 ? len : comma);
      int s = (int) (m >>> 32);
      int e = (int) m;
      if (s < e) {
        if (out == null) {
          int eq = indexOf(b, (byte) '=', s, e);
          if (eq < 0 || !validKey(b, s, eq) || !validValue(b, eq + 1, e) || n == MAX_MEMBERS) {
            return -1;
          }
        } else {
          if (n > 0) {
            out[o] = ',';
          }
          System.arraycopy(b, s, out, n > 0 ? o + 1 : o, e - s);
        }
        o += (n > 0 ? 1 : 0) + (e - s);
        n++;
      }
      if (comma < 0) {
        break;
      }
      start = comma + 1;
    }
    return (long) n << 32 | o;
  }

  /** {@code [from, to)} without optional whitespace at either end, as {@code start << 32 | end}. */
  private static long trimmed(byte[] b, int from, int to) {
    int s = from;
    int e = to;
    while (s < e && isOws(b[s])) {
      s++;
    }
    while (e > s && isOws(b[e - 1])) {
      e--;
    }
    return (long) s << 32 | e;
  }

  private static int indexOf(byte[] b, byte x, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] == x) {
        return i;
      }
    }
    return -1;
  }

  private static boolean isOws(byte c) {
    return c == ' ' || c == '\t';
  }

  /** Key: a lowercase letter or digit, then up to 255 of {@code a-z 0-9 _ - * / @}. */
  private static boolean validKey(byte[] s, int from, int to) {
    int len = to - from;
    if (len < 1 || len > MAX_KEY_LENGTH) {
      return false;
    }
    byte first = s[from];
    if (!isLcAlpha(first) && !isDigit(first)) {
      return false;
    }
    for (int i = from + 1; i < to; i++) {
      byte c = s[i];
      if (!(isLcAlpha(c) || isDigit(c) || c == '_' || c == '-' || c == '*' || c == '/'
          || c == '@')) {
        return false;
      }
    }
    return true;
  }

  /** Value: 1 to 256 printable ASCII characters except {@code ,} and {@code =}, not ending in space. */
  private static boolean validValue(byte[] s, int from, int to) {
    int len = to - from;
    if (len < 1 || len > MAX_VALUE_LENGTH || s[to - 1] == ' ') {
      return false;
    }
    for (int i = from; i < to; i++) {
      byte c = s[i];
      if (c < 0x20 || c > 0x7e || c == ',' || c == '=') {
        return false;
      }
    }
    return true;
  }

  private static boolean isLcAlpha(byte c) {
    return c >= 'a' && c <= 'z';
  }

  private static boolean isDigit(byte c) {
    return c >= '0' && c <= '9';
  }

  /** Writes any {@link TraceState} as a header value; {@code null} when there is nothing to send. */
  static String serialize(TraceState state) {
    if (state == null || state.isEmpty()) {
      return null;
    }
    if (state instanceof W3CTraceState) {
      return new String(((W3CTraceState) state).encoded, StandardCharsets.ISO_8859_1);
    }
    return serializeOther(state);
  }

  /**
   * Writes any {@link TraceState} as a new UTF-8 header value the caller may keep; {@code null}
   * when there is nothing to send.
   */
  static byte[] encode(TraceState state) {
    if (state == null || state.isEmpty()) {
      return null;
    }
    if (state instanceof W3CTraceState) {
      return ((W3CTraceState) state).encoded.clone();
    }
    return serializeOther(state).getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The last foreign state serialized. A producer's spans all carry their parent's state object,
   * so it is written once, not once per message.
   */
  private static LastEncoded<TraceState> lastSerialized;

  private static String serializeOther(TraceState state) {
    LastEncoded<TraceState> last = lastSerialized;
    if (LastEncoded.holds(last, state)) {
      return last.header();
    }
    StringBuilder sb = new StringBuilder(64);
    state.forEach(
        (k, v) -> {
          if (sb.length() > 0) {
            sb.append(',');
          }
          sb.append(k).append('=').append(v);
        });
    String value = sb.toString();
    lastSerialized = new LastEncoded<>(state, value);
    return value;
  }

  @Override
  public String get(String key) {
    if (key == null) {
      return null;
    }
    int len = encoded.length;
    int s = 0;
    while (s < len) {
      int comma = indexOf(encoded, (byte) ',', s, len);
      int end = comma < 0 ? len : comma;
      int eq = indexOf(encoded, (byte) '=', s, end);
      if (eq - s == key.length() && keyEquals(key, s)) {
        return new String(encoded, eq + 1, end - eq - 1, StandardCharsets.ISO_8859_1);
      }
      s = end + 1;
    }
    return null;
  }

  private boolean keyEquals(String key, int at) {
    for (int i = 0; i < key.length(); i++) {
      if (encoded[at + i] != key.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public boolean isEmpty() {
    return size == 0;
  }

  @Override
  public void forEach(BiConsumer<String, String> consumer) {
    String[] m = members();
    for (int i = 0; i < m.length; i += 2) {
      consumer.accept(m[i], m[i + 1]);
    }
  }

  /** Keys and values, alternating, in order. */
  private String[] members() {
    String[] m = new String[size * 2];
    int len = encoded.length;
    int s = 0;
    for (int i = 0; i < m.length; i += 2) {
      int comma = indexOf(encoded, (byte) ',', s, len);
      int end = comma < 0 ? len : comma;
      int eq = indexOf(encoded, (byte) '=', s, end);
      m[i] = new String(encoded, s, eq - s, StandardCharsets.ISO_8859_1);
      m[i + 1] = new String(encoded, eq + 1, end - eq - 1, StandardCharsets.ISO_8859_1);
      s = end + 1;
    }
    return m;
  }

  @Override
  public Map<String, String> asMap() {
    Map<String, String> map = new LinkedHashMap<>();
    String[] m = members();
    for (int i = 0; i < m.length; i += 2) {
      map.putIfAbsent(m[i], m[i + 1]);
    }
    return Collections.unmodifiableMap(map);
  }

  @Override
  public TraceStateBuilder toBuilder() {
    TraceStateBuilder builder = TraceState.builder();
    String[] m = members();
    // OpenTelemetry's builder puts new entries in front, so add from the right.
    for (int i = m.length - 2; i >= 0; i -= 2) {
      builder.put(m[i], m[i + 1]);
    }
    return builder;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TraceState && asMap().equals(((TraceState) o).asMap());
  }

  @Override
  public int hashCode() {
    return asMap().hashCode();
  }

  @Override
  public String toString() {
    return "W3CTraceState{" + serialize(this) + "}";
  }
}
