package dev.baton.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.core.BatonTracing;
import dev.baton.testing.InMemoryTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TraceContextTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00",
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-03",
        "01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        "fe-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra"
      })
  void validTraceparents(String tp) {
    assertThat(W3CTraceContext.parseTraceparent(tp, null)).isNotNull();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-0",
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-",
        "ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        "00-00000000000000000000000000000000-b7ad6b7169203331-01",
        "00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01",
        "00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01",
        "00_0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        "cc-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01x",
        "0g-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
      })
  void invalidTraceparents(String tp) {
    assertThat(W3CTraceContext.parseTraceparent(tp, null)).isNull();
  }

  @Test
  void randomFlagSurvivesAnSdkChildSpan() {
    InMemoryTelemetry otel = InMemoryTelemetry.create();
    Propagation<TestCarrier> p = Propagation.of(BatonTracing.create(otel.openTelemetry()), TestCarrier.ADAPTER);
    TestCarrier in =
        new TestCarrier().add("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-03");
    Context parent = p.extract(Context.root(), in);
    Span child = otel.openTelemetry().getTracer("t").spanBuilder("child").setParent(parent).startSpan();
    TestCarrier out = new TestCarrier();
    try (Scope ignored = child.makeCurrent()) {
      p.inject(Context.current(), out);
    } finally {
      child.end();
    }
    String tp = out.only("traceparent");
    assertThat(tp).startsWith("00-0af7651916cd43dd8448eb211c80319c-").endsWith("-03");
    assertThat(tp.substring(36, 52)).isEqualTo(child.getSpanContext().getSpanId());
  }

  @Test
  void unknownFlagBitsAreNotForwarded() {
    SpanContext sc =
        SpanContext.create(
            "0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331", TraceFlags.fromByte((byte) 0xff),
            TraceState.getDefault());
    TestCarrier out = new TestCarrier();
    W3CTraceContext.INSTANCE.inject(Context.root().with(Span.wrap(sc)), out,
        new CarrierSetter<>(TestCarrier.ADAPTER, java.util.Set.of()));
    assertThat(out.only("traceparent")).endsWith("-03");
  }

  @Test
  void tracestateWithCurrentKeyGrammarIsKeptExactly() {
    W3CTraceState state = W3CTraceState.parse("foo@bar@baz=1, t@v=2 ,,rojo=00f067aa0ba902b7");
    assertThat(state).isNotNull();
    assertThat(W3CTraceState.serialize(state)).isEqualTo("foo@bar@baz=1,t@v=2,rojo=00f067aa0ba902b7");
    assertThat(state.get("t@v")).isEqualTo("2");
    assertThat(state.size()).isEqualTo(3);
  }

  @Test
  void invalidTracestateIsDroppedWhole() {
    assertThat(W3CTraceState.parse("a=1,@b=2")).isNull();
    assertThat(W3CTraceState.parse("a=1,B=2")).isNull();
    assertThat(W3CTraceState.parse("a=1,b=")).isNull();
    assertThat(W3CTraceState.parse("a=1,b=x=y")).isNull();
    assertThat(W3CTraceState.parse("a=" + "x".repeat(257))).isNull();
    StringBuilder many = new StringBuilder();
    for (int i = 0; i < 33; i++) {
      many.append(i == 0 ? "" : ",").append("k").append(i).append("=v");
    }
    assertThat(W3CTraceState.parse(many.toString())).isNull();
    assertThat(W3CTraceState.parse(" , ")).isNull();
  }

  @Test
  void anInvalidTracestateDoesNotAffectTraceparent() {
    Propagation<TestCarrier> p =
        Propagation.of(BatonTracing.create(io.opentelemetry.api.OpenTelemetry.noop()), TestCarrier.ADAPTER);
    TestCarrier in = new TestCarrier()
        .add("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
        .add("tracestate", "BAD KEY=1");
    SpanContext sc = Span.fromContext(p.extract(Context.root(), in)).getSpanContext();
    assertThat(sc.isValid()).isTrue();
    assertThat(sc.isRemote()).isTrue();
    assertThat(sc.getTraceState().isEmpty()).isTrue();
  }
}
