package dev.baton.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.core.BatonTracing;
import dev.baton.testing.InMemoryTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.context.Context;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Extraction reads a single {@code traceparent} or {@code tracestate} field given as bytes
 * straight from the bytes. It must give exactly what the general path (decode, trim, parse the
 * text) gives: the same trace id, span id, flags and {@code tracestate}, or the same absence.
 * The general path is forced by a carrier that never answers {@code lastValue}.
 */
class BytePathEquivalenceTest {

  static final String TP = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  static final String TS = "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE";

  /** The same fields, but {@code lastValue} finds nothing: every read takes the general path. */
  static final HeaderCarrier<TestCarrier> GENERAL =
      new TestCarrier.Adapter() {
        @Override
        public Object lastValue(TestCarrier c, String key) {
          return null;
        }
      };

  final InMemoryTelemetry otel = InMemoryTelemetry.create();
  final BatonTracing tracing = BatonTracing.create(otel.openTelemetry());
  final Propagation<TestCarrier> fast = Propagation.of(tracing, TestCarrier.ADAPTER);
  final Propagation<TestCarrier> general = Propagation.of(tracing, GENERAL);

  @Test
  void handPickedValuesGiveTheSameContext() {
    List<String> traceparents =
        List.of(
            TP,
            TP.replace("-01", "-00"),
            TP.replace("-01", "-03"),
            TP.replace("-01", "-ff"),
            TP.toUpperCase(),
            " " + TP.substring(1),
            TP.substring(0, 54) + " ",
            "\t" + TP,
            TP + " ",
            TP + "-extra",
            "01" + TP.substring(2) + "-extra",
            "ff" + TP.substring(2),
            "00-" + "0".repeat(32) + TP.substring(35),
            TP.substring(0, 36) + "0".repeat(16) + TP.substring(52),
            TP.replace('-', '_'),
            TP.substring(0, 54) + "\u00e9",
            "");
    List<String> tracestates =
        List.of(
            TS,
            " " + TS + " ",
            "rojo=1,,congo=2",
            ",rojo=1",
            "rojo=1,",
            "rojo=1 , congo=2",
            "rojo=1\t,\tcongo=2",
            "Rojo=1",
            "rojo=",
            "rojo=1=2",
            "rojo=1 2",
            "rojo=1 ",
            "foo@bar@baz=1",
            "r\u00e9=1",
            "rojo=\u00e9",
            "rojo=1\u0001",
            " , ",
            "");
    for (String tp : traceparents) {
      for (String ts : tracestates) {
        for (var charset : List.of(StandardCharsets.UTF_8, StandardCharsets.ISO_8859_1)) {
          assertSame(
              new TestCarrier()
                  .add("x-app", "1")
                  .add("traceparent", tp.getBytes(charset))
                  .add("tracestate", ts.getBytes(charset)));
        }
      }
    }
  }

  @Test
  void mutatedBytesGiveTheSameContext() {
    Random r = new Random(0x5EED);
    byte[] tp = TP.getBytes(StandardCharsets.US_ASCII);
    byte[] ts = TS.getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; i < 20_000; i++) {
      assertSame(
          new TestCarrier()
              .add("traceparent", mutate(r, tp))
              .add("tracestate", mutate(r, ts)));
    }
  }

  @Test
  void severalOrOtherCasedFieldsTakeTheGeneralPathWithTheSameResult() {
    byte[] tp = TP.getBytes(StandardCharsets.US_ASCII);
    byte[] ts = TS.getBytes(StandardCharsets.US_ASCII);
    List<TestCarrier> carriers = new ArrayList<>();
    carriers.add(new TestCarrier().add("traceparent", tp).add("traceparent", tp));
    carriers.add(new TestCarrier().add("Traceparent", tp).add("tracestate", ts));
    carriers.add(new TestCarrier().add("traceparent", tp).add("TRACESTATE", ts));
    carriers.add(
        new TestCarrier().add("traceparent", tp).add("tracestate", new byte[] {1}).add("TraceState", ts));
    carriers.add(new TestCarrier().add("traceparent", tp).add("tracestate", ts).add("tracestate", ts));
    carriers.add(new TestCarrier().add("traceparent", TP).add("tracestate", ts));
    carriers.add(new TestCarrier().add("traceparent", tp).add("tracestate", TS));
    carriers.add(new TestCarrier().add("traceparent", null).add("Traceparent", tp));
    for (TestCarrier c : carriers) {
      assertSame(c);
    }
  }

  private void assertSame(TestCarrier c) {
    SpanContext expected = Span.fromContext(general.extract(Context.root(), c)).getSpanContext();
    SpanContext actual = Span.fromContext(fast.extract(Context.root(), c)).getSpanContext();
    String what = c.fields.toString();
    assertThat(actual.isValid()).as(what).isEqualTo(expected.isValid());
    assertThat(actual.getTraceId()).as(what).isEqualTo(expected.getTraceId());
    assertThat(actual.getSpanId()).as(what).isEqualTo(expected.getSpanId());
    assertThat(actual.getTraceFlags()).as(what).isEqualTo(expected.getTraceFlags());
    assertThat(actual.isRemote()).as(what).isEqualTo(expected.isRemote());
    assertThat(W3CTraceState.serialize(actual.getTraceState()))
        .as(what)
        .isEqualTo(W3CTraceState.serialize(expected.getTraceState()));
    assertThat(actual.getTraceState().asMap()).as(what).isEqualTo(expected.getTraceState().asMap());
  }

  private static byte[] mutate(Random r, byte[] base) {
    byte[] b = base.clone();
    int flips = r.nextInt(4);
    for (int f = 0; f < flips; f++) {
      b[r.nextInt(b.length)] = r.nextBoolean() ? (byte) r.nextInt(256) : (byte) " ,=-\t0aZ".charAt(r.nextInt(8));
    }
    return b;
  }
}
