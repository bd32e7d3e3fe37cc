package dev.baton.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.core.BatonTracing;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The decoding and replace rules every transport inherits from the core. */
class CarrierRulesTest {

  static final String TP = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  static final String TRACE_ID = "0af7651916cd43dd8448eb211c80319c";

  final Propagation<TestCarrier> propagation =
      Propagation.of(BatonTracing.create(OpenTelemetry.noop()), TestCarrier.ADAPTER);

  private String extractedTraceId(TestCarrier c) {
    SpanContext sc = Span.fromContext(propagation.extract(Context.root(), c)).getSpanContext();
    return sc.isValid() ? sc.getTraceId() : null;
  }

  private CarrierGetter<TestCarrier> getter(int max) {
    return new CarrierGetter<>(TestCarrier.ADAPTER, max, Set.of());
  }

  @Test
  void asciiBytesAreDecoded() {
    TestCarrier c = new TestCarrier().add("traceparent", TP.getBytes(StandardCharsets.US_ASCII));
    assertThat(extractedTraceId(c)).isEqualTo(TRACE_ID);
  }

  @Test
  void malformedUtf8BytesMakeTheFieldAbsent() {
    byte[] bytes = (TP + "\u00e9").getBytes(StandardCharsets.UTF_8);
    bytes[bytes.length - 1] = (byte) 0xff; // a broken continuation byte
    assertThat(getter(8192).get(new TestCarrier().add("k", bytes), "k")).isNull();
    TestCarrier c = new TestCarrier().add("traceparent", new byte[] {(byte) 0xc3, 0x28});
    assertThat(extractedTraceId(c)).isNull();
  }

  @Test
  void validUtf8IsDecodedForOtherPropagators() {
    byte[] bytes = "caf\u00e9".getBytes(StandardCharsets.UTF_8);
    assertThat(getter(8192).get(new TestCarrier().add("k", bytes), "k")).isEqualTo("caf\u00e9");
  }

  @Test
  void controlCharactersMakeTheFieldAbsent() {
    assertThat(getter(8192).get(new TestCarrier().add("k", "a\u0000b"), "k")).isNull();
    assertThat(getter(8192).get(new TestCarrier().add("k", "a\nb"), "k")).isNull();
    assertThat(getter(8192).get(new TestCarrier().add("k", "a\tb"), "k")).isEqualTo("a\tb");
  }

  @Test
  void optionalWhitespaceIsTrimmed() {
    TestCarrier c = new TestCarrier().add("traceparent", " \t" + TP + "\t ");
    assertThat(extractedTraceId(c)).isEqualTo(TRACE_ID);
  }

  @Test
  void nullValuesAndUnknownTypesAreAbsent() {
    TestCarrier c = new TestCarrier().add("traceparent", null).add("traceparent", 42).add("traceparent", TP);
    assertThat(extractedTraceId(c)).as("the one readable field is used").isEqualTo(TRACE_ID);
    assertThat(getter(8192).get(new TestCarrier().add("k", null), "k")).isNull();
  }

  @Test
  void twoTraceparentFieldsRestartTheTrace() {
    TestCarrier c = new TestCarrier().add("traceparent", TP).add("traceparent", TP);
    assertThat(extractedTraceId(c)).isNull();
  }

  @Test
  void tracestateFieldsAreJoined() {
    TestCarrier c =
        new TestCarrier().add("traceparent", TP).add("tracestate", "a=1").add("tracestate", "b=2");
    TraceState state =
        Span.fromContext(propagation.extract(Context.root(), c)).getSpanContext().getTraceState();
    assertThat(state.asMap()).containsExactly(
        java.util.Map.entry("a", "1"), java.util.Map.entry("b", "2"));
  }

  @Test
  void valuesOverTheCapAreAbsentBeforeDecoding() {
    String big = "x".repeat(600);
    assertThat(getter(512).get(new TestCarrier().add("k", big), "k")).isNull();
    assertThat(getter(512).get(new TestCarrier().add("k", big.getBytes(StandardCharsets.US_ASCII)), "k"))
        .isNull();
    assertThat(getter(1024).get(new TestCarrier().add("k", big), "k")).isEqualTo(big);
    // the joined value is capped too
    assertThat(getter(1024).get(new TestCarrier().add("k", big).add("k", big), "k")).isNull();
  }

  @Test
  void headerNameInAnotherCasingIsFoundWhenTheLowercaseOneIsAbsent() {
    TestCarrier c = new TestCarrier().add("TraceParent", TP);
    assertThat(extractedTraceId(c)).isEqualTo(TRACE_ID);
    TestCarrier wrong = new TestCarrier().add("trace-parent", TP);
    assertThat(extractedTraceId(wrong)).isNull();
  }

  @Test
  void aCarrierWithLowercaseNamesIsNotSearchedForOtherCasings() {
    HeaderCarrier<TestCarrier> lowercase =
        new HeaderCarrier<>() {
          @Override
          public Iterable<String> keys(TestCarrier c) {
            throw new AssertionError("keys() must not be consulted");
          }

          @Override
          public Iterable<?> fields(TestCarrier c, String key) {
            return TestCarrier.ADAPTER.fields(c, key);
          }

          @Override
          public boolean namesAreLowercase() {
            return true;
          }

          @Override
          public void replace(TestCarrier c, String key, String value) {
            TestCarrier.ADAPTER.replace(c, key, value);
          }
        };
    long faults = Faults.count();
    Propagation<TestCarrier> p = Propagation.of(BatonTracing.create(OpenTelemetry.noop()), lowercase);
    SpanContext sc =
        Span.fromContext(p.extract(Context.root(), new TestCarrier().add("TraceParent", TP)))
            .getSpanContext();
    assertThat(sc.isValid()).isFalse();
    assertThat(Faults.count()).isEqualTo(faults);
  }

  @Test
  void injectingTwiceLeavesOneCopyOfEachHeader() {
    SpanContext sc =
        SpanContext.create(TRACE_ID, "b7ad6b7169203331", TraceFlags.getSampled(), TraceState.getDefault());
    TestCarrier c = new TestCarrier().add("traceparent", "stale").add("traceparent", "stale2")
        .add("tracestate", "old=1").add("baggage", "old=1");
    Context ctx = Context.root().with(Span.wrap(sc));
    propagation.inject(ctx, c);
    propagation.inject(ctx, c);
    assertThat(c.all("traceparent")).containsExactly(TP);
    assertThat(c.all("tracestate")).as("stale tracestate removed").isEmpty();
    assertThat(c.all("baggage")).as("stale baggage removed").isEmpty();
  }

  @Test
  void withNothingValidToSendStaleTraceHeadersAreRemoved() {
    TestCarrier c = new TestCarrier().add("traceparent", TP).add("tracestate", "old=1").add("other", "kept");
    propagation.inject(Context.root(), c);
    assertThat(c.all("traceparent")).isEmpty();
    assertThat(c.all("tracestate")).isEmpty();
    assertThat(c.all("other")).containsExactly("kept");
  }

  @Test
  void aThrowingCarrierIsAFaultNotAnException() {
    HeaderCarrier<TestCarrier> broken =
        new HeaderCarrier<>() {
          @Override
          public Iterable<String> keys(TestCarrier carrier) {
            throw new IllegalStateException("boom");
          }

          @Override
          public Iterable<?> fields(TestCarrier carrier, String key) {
            throw new IllegalStateException("boom");
          }

          @Override
          public void replace(TestCarrier carrier, String key, String value) {
            throw new UnsupportedOperationException("read-only");
          }
        };
    Propagation<TestCarrier> p = Propagation.of(BatonTracing.create(OpenTelemetry.noop()), broken);
    long before = Faults.count();
    Context extracted = p.extract(Context.root(), new TestCarrier());
    assertThat(extracted).isSameAs(Context.root());
    SpanContext sc =
        SpanContext.create(TRACE_ID, "b7ad6b7169203331", TraceFlags.getSampled(), TraceState.getDefault());
    p.inject(Context.root().with(Span.wrap(sc)), new TestCarrier());
    assertThat(Faults.count()).isGreaterThan(before);
  }

  @Test
  void nullCarrierAndContextAreHarmless() {
    assertThat(propagation.extract(Context.root(), null)).isSameAs(Context.root());
    propagation.inject(null, new TestCarrier());
    propagation.inject(Context.root(), null);
    assertThat(propagation.inbound(null, null).parent()).isSameAs(Context.root());
  }
}
