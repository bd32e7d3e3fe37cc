package dev.baton.core.internal;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanId;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceId;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * W3C Trace Context, Level 2: {@code traceparent} (with the random trace-id flag) and
 * {@code tracestate} under the current key grammar.
 *
 * <p>Parsing rules: version {@code ff} and non-lowercase hex are invalid; version {@code 00} is
 * exactly 55 characters; a higher version may carry more fields after a {@code -}; all-zero ids are
 * invalid. An invalid {@code traceparent} leaves the context as it is (the trace restarts); an
 * invalid {@code tracestate} is dropped whole and never affects {@code traceparent}.
 *
 * <p>OpenTelemetry's SDK keeps only the sampled bit when it starts a child span, so the random flag
 * of an incoming {@code traceparent} is remembered in the context and set again on the way out
 * while the trace id is the same.
 */
final class W3CTraceContext implements TextMapPropagator {

  static final String TRACEPARENT = "traceparent";
  static final String TRACESTATE = "tracestate";
  private static final List<String> FIELDS = List.of(TRACEPARENT, TRACESTATE);

  static final byte SAMPLED = 0x01;
  static final byte RANDOM = 0x02;
  /** Level 2 defines two flags; the other bits are not forwarded. */
  private static final byte KNOWN_FLAGS = SAMPLED | RANDOM;

  private static final int VERSION_00_LENGTH = 55;
  private static final ContextKey<String> RANDOM_TRACE_ID =
      ContextKey.named("baton-random-trace-id");

  static final W3CTraceContext INSTANCE = new W3CTraceContext();

  private W3CTraceContext() {}

  @Override
  public List<String> fields() {
    return FIELDS;
  }

  @Override
  public <C> void inject(Context context, C carrier, TextMapSetter<C> setter) {
    if (context == null || setter == null) {
      return;
    }
    SpanContext sc = Span.fromContext(context).getSpanContext();
    if (!sc.isValid()) {
      if (setter instanceof CarrierSetter) {
        // Nothing to send: a re-sent message must not keep the context of its first trip.
        ((CarrierSetter<C>) setter).remove(carrier, TRACEPARENT);
        ((CarrierSetter<C>) setter).remove(carrier, TRACESTATE);
      }
      return;
    }
    byte[] tp = traceparent(sc, context);
    byte[] state = W3CTraceState.encode(sc.getTraceState());
    if (setter instanceof CarrierSetter) {
      CarrierSetter<C> cs = (CarrierSetter<C>) setter;
      cs.setAscii(carrier, TRACEPARENT, tp);
      if (state != null) {
        cs.setAscii(carrier, TRACESTATE, state);
      } else {
        // A re-sent message must not keep a stale tracestate from its first trip.
        cs.remove(carrier, TRACESTATE);
      }
      return;
    }
    setter.set(carrier, TRACEPARENT, new String(tp, StandardCharsets.ISO_8859_1));
    if (state != null) {
      setter.set(carrier, TRACESTATE, new String(state, StandardCharsets.UTF_8));
    }
  }

  /** The version-00 {@code traceparent} of {@code sc}, written straight as ASCII bytes. */
  private static byte[] traceparent(SpanContext sc, Context context) {
    String traceId = sc.getTraceId();
    byte flags = (byte) (sc.getTraceFlags().asByte() & KNOWN_FLAGS);
    if ((flags & RANDOM) == 0 && traceId.equals(context.get(RANDOM_TRACE_ID))) {
      flags |= RANDOM;
    }
    byte[] tp = new byte[VERSION_00_LENGTH];
    tp[0] = '0';
    tp[1] = '0';
    tp[2] = '-';
    ascii(traceId, tp, 3, 32);
    tp[35] = '-';
    ascii(sc.getSpanId(), tp, 36, 16);
    tp[52] = '-';
    tp[53] = (byte) hex((flags >> 4) & 0xf);
    tp[54] = (byte) hex(flags & 0xf);
    return tp;
  }

  /** Copies the {@code n} hex characters of a valid id into {@code out} at {@code at}. */
  private static void ascii(String id, byte[] out, int at, int n) {
    for (int i = 0; i < n; i++) {
      out[at + i] = (byte) id.charAt(i);
    }
  }

  @Override
  public <C> Context extract(Context context, C carrier, TextMapGetter<C> getter) {
    if (context == null) {
      context = Context.root();
    }
    if (getter == null) {
      return context;
    }
    String traceparent = getter.get(carrier, TRACEPARENT);
    if (traceparent == null) {
      return context;
    }
    SpanContext parsed = parseTraceparent(traceparent, null);
    if (parsed == null) {
      return context;
    }
    String header = getter.get(carrier, TRACESTATE);
    return withRemote(context, parsed, header == null ? null : W3CTraceState.parse(header));
  }

  /**
   * {@link #extract} for Baton's own getter, knowing from {@code found} ({@link CarrierGetter#scan})
   * which fields the carrier holds. A single {@code traceparent} or {@code tracestate} field given
   * as bytes is parsed straight from them, with the outcome the decoded text would have; anything
   * else goes the general way.
   */
  <C> Context extract(Context context, C carrier, CarrierGetter<C> getter, int found) {
    byte[] tp = (found & CarrierGetter.TRACEPARENT_SINGLE) != 0
        ? getter.singleBytes(carrier, TRACEPARENT, VERSION_00_LENGTH)
        : null;
    if (tp == null || !isVersion00(tp)) {
      return extract(context, carrier, getter); // absent, several fields, text, or not version 00
    }
    TraceState state = TraceState.getDefault();
    if ((found & CarrierGetter.TRACESTATE_ANY) != 0) {
      byte[] ts = (found & CarrierGetter.TRACESTATE_SINGLE) != 0
          ? getter.singleBytes(carrier, TRACESTATE, Integer.MAX_VALUE)
          : null;
      String header = ts == null ? getter.get(carrier, TRACESTATE) : null;
      TraceState parsed = ts != null
          ? W3CTraceState.parse(ts)
          : header == null ? null : W3CTraceState.parse(header);
      state = parsed == null ? state : parsed;
    }
    SpanContext remote =
        SpanContext.createFromRemoteParent(
            new String(tp, 3, 32, StandardCharsets.ISO_8859_1),
            new String(tp, 36, 16, StandardCharsets.ISO_8859_1),
            TraceFlags.fromByte((byte) (LowerHex.value(tp[53]) << 4 | LowerHex.value(tp[54]))),
            state);
    return withRemote(context, remote, null);
  }

  private static Context withRemote(Context context, SpanContext parsed, TraceState state) {
    SpanContext remote =
        state == null
            ? parsed
            : SpanContext.createFromRemoteParent(
                parsed.getTraceId(), parsed.getSpanId(), parsed.getTraceFlags(), state);
    Context out = context.with(Span.wrap(remote));
    if ((remote.getTraceFlags().asByte() & RANDOM) != 0) {
      out = out.with(RANDOM_TRACE_ID, remote.getTraceId());
    }
    return out;
  }

  /**
   * Whether {@code tp} is an exactly 55-byte, valid version-00 {@code traceparent}. Such a value
   * holds only hex digits and dashes, so it needs no decoding or trimming.
   */
  private static boolean isVersion00(byte[] tp) {
    if (tp.length != VERSION_00_LENGTH || tp[0] != '0' || tp[1] != '0' || tp[2] != '-'
        || tp[35] != '-' || tp[52] != '-') {
      return false;
    }
    return LowerHex.nonZero(tp, 3, 35) && LowerHex.nonZero(tp, 36, 52)
        && LowerHex.value(tp[53]) >= 0 && LowerHex.value(tp[54]) >= 0;
  }

  /**
   * Parses a {@code traceparent} value; returns {@code null} when it is invalid. Visible for the
   * conformance tests.
   */
  static SpanContext parseTraceparent(String tp, TraceState state) {
    int len = tp.length();
    if (len < VERSION_00_LENGTH) {
      return null;
    }
    int v1 = hexValue(tp.charAt(0));
    int v2 = hexValue(tp.charAt(1));
    if (v1 < 0 || v2 < 0) {
      return null;
    }
    int version = v1 << 4 | v2;
    if (version == 0xff) {
      return null;
    }
    if (version == 0 && len != VERSION_00_LENGTH) {
      return null;
    }
    if (len > VERSION_00_LENGTH && tp.charAt(VERSION_00_LENGTH) != '-') {
      return null;
    }
    if (tp.charAt(2) != '-' || tp.charAt(35) != '-' || tp.charAt(52) != '-') {
      return null;
    }
    if (!isLowerHex(tp, 3, 35) || !isLowerHex(tp, 36, 52) || !isLowerHex(tp, 53, 55)) {
      return null;
    }
    String traceId = tp.substring(3, 35);
    String spanId = tp.substring(36, 52);
    if (!TraceId.isValid(traceId) || !SpanId.isValid(spanId)) {
      return null;
    }
    byte flags = (byte) (hexValue(tp.charAt(53)) << 4 | hexValue(tp.charAt(54)));
    return SpanContext.createFromRemoteParent(
        traceId,
        spanId,
        TraceFlags.fromByte(flags),
        state == null ? TraceState.getDefault() : state);
  }

  private static boolean isLowerHex(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      if (hexValue(s.charAt(i)) < 0) {
        return false;
      }
    }
    return true;
  }

  private static int hexValue(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    return -1;
  }

  private static char hex(int nibble) {
    return (char) (nibble < 10 ? '0' + nibble : 'a' + nibble - 10);
  }

  @Override
  public String toString() {
    return "BatonW3CTraceContext";
  }
}
