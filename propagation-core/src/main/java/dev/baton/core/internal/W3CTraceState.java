package dev.baton.core.internal;

import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.TraceStateBuilder;
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
 * <p>Limitation: {@link #toBuilder()} hands back OpenTelemetry's builder, which applies its own key
 * rules to what a sampler adds or copies.
 */
final class W3CTraceState implements TraceState {

  static final int MAX_MEMBERS = 32;
  static final int MAX_KEY_LENGTH = 256;
  static final int MAX_VALUE_LENGTH = 256;

  private final String[] keys;
  private final String[] values;

  private W3CTraceState(String[] keys, String[] values) {
    this.keys = keys;
    this.values = values;
  }

  /**
   * Parses a (joined) {@code tracestate} value. Returns {@code null} when the whole header must be
   * discarded: any invalid member, or more than 32 members. Empty members are skipped.
   */
  static W3CTraceState parse(String header) {
    String[] ks = new String[4];
    String[] vs = new String[4];
    int n = 0;
    int len = header.length();
    int start = 0;
    while (start <= len) {
      int comma = header.indexOf(',', start);
      int end = comma < 0 ? len : comma;
      int s = start;
      int e = end;
      while (s < e && HeaderValues.isOws(header.charAt(s))) {
        s++;
      }
      while (e > s && HeaderValues.isOws(header.charAt(e - 1))) {
        e--;
      }
      if (s < e) {
        int eq = header.indexOf('=', s);
        if (eq < 0 || eq >= e) {
          return null;
        }
        if (!validKey(header, s, eq) || !validValue(header, eq + 1, e)) {
          return null;
        }
        if (n == MAX_MEMBERS) {
          return null;
        }
        if (n == ks.length) {
          ks = java.util.Arrays.copyOf(ks, n * 2);
          vs = java.util.Arrays.copyOf(vs, n * 2);
        }
        ks[n] = header.substring(s, eq);
        vs[n] = header.substring(eq + 1, e);
        n++;
      }
      if (comma < 0) {
        break;
      }
      start = comma + 1;
    }
    if (n == 0) {
      return null;
    }
    return new W3CTraceState(java.util.Arrays.copyOf(ks, n), java.util.Arrays.copyOf(vs, n));
  }

  /** Key: a lowercase letter or digit, then up to 255 of {@code a-z 0-9 _ - * / @}. */
  static boolean validKey(CharSequence s, int from, int to) {
    int len = to - from;
    if (len < 1 || len > MAX_KEY_LENGTH) {
      return false;
    }
    char first = s.charAt(from);
    if (!isLcAlpha(first) && !isDigit(first)) {
      return false;
    }
    for (int i = from + 1; i < to; i++) {
      char c = s.charAt(i);
      if (!(isLcAlpha(c) || isDigit(c) || c == '_' || c == '-' || c == '*' || c == '/'
          || c == '@')) {
        return false;
      }
    }
    return true;
  }

  /** Value: 1 to 256 printable ASCII characters except {@code ,} and {@code =}, not ending in space. */
  static boolean validValue(CharSequence s, int from, int to) {
    int len = to - from;
    if (len < 1 || len > MAX_VALUE_LENGTH || s.charAt(to - 1) == ' ') {
      return false;
    }
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c > 0x7e || c == ',' || c == '=') {
        return false;
      }
    }
    return true;
  }

  private static boolean isLcAlpha(char c) {
    return c >= 'a' && c <= 'z';
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  /** Writes any {@link TraceState} as a header value; {@code null} when there is nothing to send. */
  static String serialize(TraceState state) {
    if (state == null || state.isEmpty()) {
      return null;
    }
    StringBuilder sb = new StringBuilder(64);
    if (state instanceof W3CTraceState) {
      W3CTraceState w = (W3CTraceState) state;
      for (int i = 0; i < w.keys.length; i++) {
        if (i > 0) {
          sb.append(',');
        }
        sb.append(w.keys[i]).append('=').append(w.values[i]);
      }
    } else {
      state.forEach(
          (k, v) -> {
            if (sb.length() > 0) {
              sb.append(',');
            }
            sb.append(k).append('=').append(v);
          });
    }
    return sb.toString();
  }

  @Override
  public String get(String key) {
    for (int i = 0; i < keys.length; i++) {
      if (keys[i].equals(key)) {
        return values[i];
      }
    }
    return null;
  }

  @Override
  public int size() {
    return keys.length;
  }

  @Override
  public boolean isEmpty() {
    return keys.length == 0;
  }

  @Override
  public void forEach(BiConsumer<String, String> consumer) {
    for (int i = 0; i < keys.length; i++) {
      consumer.accept(keys[i], values[i]);
    }
  }

  @Override
  public Map<String, String> asMap() {
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < keys.length; i++) {
      map.putIfAbsent(keys[i], values[i]);
    }
    return Collections.unmodifiableMap(map);
  }

  @Override
  public TraceStateBuilder toBuilder() {
    TraceStateBuilder builder = TraceState.builder();
    // OpenTelemetry's builder puts new entries in front, so add from the right.
    for (int i = keys.length - 1; i >= 0; i--) {
      builder.put(keys[i], values[i]);
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
