package dev.baton.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.core.BatonTracing;
import dev.baton.testing.InMemoryTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.context.Context;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/**
 * Random bytes and strings of random lengths (up to 1 MiB) in every W3C header must never throw
 * and must never produce a half-valid context. Seeded, so a failure reproduces.
 */
class GarbageInputTest {

  static final String[] KEYS = {"traceparent", "tracestate", "baggage", "b3", "uber-trace-id"};
  static final String TP = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

  final InMemoryTelemetry otel = InMemoryTelemetry.create();
  final Propagation<TestCarrier> small =
      Propagation.of(BatonTracing.create(otel.openTelemetry()), TestCarrier.ADAPTER);
  final Propagation<TestCarrier> huge =
      Propagation.of(BatonTracing.builder(otel.openTelemetry()).headerMaxLength(1 << 20).build(), TestCarrier.ADAPTER);

  @RepeatedTest(40)
  void randomFieldsNeverThrow(org.junit.jupiter.api.RepetitionInfo info) {
    Random r = new Random(0xBA70L + info.getCurrentRepetition());
    TestCarrier c = new TestCarrier();
    int n = 1 + r.nextInt(6);
    for (int i = 0; i < n; i++) {
      String key = KEYS[r.nextInt(KEYS.length)];
      int len = r.nextInt(8) == 0 ? r.nextInt(1 << 20) : r.nextInt(200);
      c.add(key, r.nextBoolean() ? randomBytes(r, len) : randomText(r, len));
    }
    for (Propagation<TestCarrier> p : java.util.List.of(small, huge)) {
      Context ctx = p.extract(Context.root(), c);
      SpanContext sc = Span.fromContext(ctx).getSpanContext();
      if (sc.isValid()) {
        assertThat(sc.getTraceId()).matches("[0-9a-f]{32}");
      }
      p.inbound(Context.root(), c);
      TestCarrier out = new TestCarrier();
      p.inject(ctx, out);
    }
  }

  @Test
  void garbageNextToAValidTraceparentDoesNotBreakIt() {
    Random r = new Random(7);
    TestCarrier c = new TestCarrier().add("traceparent", TP);
    c.add("tracestate", randomBytes(r, 1 << 20));
    c.add("baggage", randomBytes(r, 1 << 20));
    SpanContext sc = Span.fromContext(small.extract(Context.root(), c)).getSpanContext();
    assertThat(sc.getTraceId()).isEqualTo("0af7651916cd43dd8448eb211c80319c");
  }

  @Test
  void almostValidTraceparentsNeverThrow() {
    Random r = new Random(11);
    byte[] base = TP.getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; i < 20_000; i++) {
      byte[] b = base.clone();
      int flips = 1 + r.nextInt(3);
      for (int f = 0; f < flips; f++) {
        b[r.nextInt(b.length)] = (byte) r.nextInt(256);
      }
      TestCarrier c = new TestCarrier().add("traceparent", b);
      SpanContext sc = Span.fromContext(small.extract(Context.root(), c)).getSpanContext();
      if (sc.isValid()) {
        assertThat(sc.getTraceId()).matches("[0-9a-f]{32}").isNotEqualTo("0".repeat(32));
        assertThat(sc.getSpanId()).matches("[0-9a-f]{16}").isNotEqualTo("0".repeat(16));
      }
    }
  }

  private static byte[] randomBytes(Random r, int len) {
    byte[] b = new byte[len];
    r.nextBytes(b);
    return b;
  }

  private static String randomText(Random r, int len) {
    char[] c = new char[len];
    for (int i = 0; i < len; i++) {
      c[i] = r.nextInt(4) == 0 ? (char) r.nextInt(0x10000) : ",;=-@ %\t0af".charAt(r.nextInt(11));
    }
    return new String(c);
  }
}
