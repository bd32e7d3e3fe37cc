package dev.baton.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.core.BatonTracing;
import dev.baton.core.InboundPolicy;
import dev.baton.testing.InMemoryTelemetry;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.data.SpanData;
import org.junit.jupiter.api.Test;

class InboundPolicyTest {

  static final String TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
  static final String SPAN_ID = "b7ad6b7169203331";

  final InMemoryTelemetry otel = InMemoryTelemetry.create();

  private SpanData consume(InboundPolicy policy) {
    BatonTracing baton = BatonTracing.builder(otel.openTelemetry()).inboundPolicy(policy).build();
    TestCarrier in =
        new TestCarrier()
            .add("traceparent", "00-" + TRACE_ID + "-" + SPAN_ID + "-01")
            .add("baggage", "tenant=acme");
    Inbound inbound = Propagation.of(baton, TestCarrier.ADAPTER).inbound(Context.root(), in);
    assertThat(Baggage.fromContext(inbound.parent()).getEntryValue("tenant"))
        .isEqualTo(policy == InboundPolicy.IGNORE ? null : "acme");
    Span span =
        inbound.applyTo(otel.openTelemetry().getTracer("t").spanBuilder("process").setSpanKind(SpanKind.CONSUMER))
            .startSpan();
    span.end();
    return otel.spans().get(0);
  }

  @Test
  void continueMakesAChildOfTheIncomingContext() {
    SpanData s = consume(InboundPolicy.CONTINUE);
    assertThat(s.getTraceId()).isEqualTo(TRACE_ID);
    assertThat(s.getParentSpanId()).isEqualTo(SPAN_ID);
    assertThat(s.getParentSpanContext().isRemote()).isTrue();
    assertThat(s.getLinks()).isEmpty();
  }

  @Test
  void linkStartsANewTraceLinkedToTheIncomingContext() {
    SpanData s = consume(InboundPolicy.LINK);
    assertThat(s.getTraceId()).isNotEqualTo(TRACE_ID);
    assertThat(s.getParentSpanContext().isValid()).isFalse();
    assertThat(s.getLinks()).hasSize(1);
    assertThat(s.getLinks().get(0).getSpanContext().getTraceId()).isEqualTo(TRACE_ID);
    assertThat(s.getLinks().get(0).getSpanContext().getSpanId()).isEqualTo(SPAN_ID);
  }

  @Test
  void ignoreUsesNothingFromTheMessage() {
    SpanData s = consume(InboundPolicy.IGNORE);
    assertThat(s.getTraceId()).isNotEqualTo(TRACE_ID);
    assertThat(s.getParentSpanContext().isValid()).isFalse();
    assertThat(s.getLinks()).isEmpty();
  }

  @Test
  void continueWithoutHeadersKeepsTheReceiversOwnContext() {
    BatonTracing baton = BatonTracing.create(otel.openTelemetry());
    Span outer = otel.openTelemetry().getTracer("t").spanBuilder("outer").startSpan();
    Context base = Context.root().with(outer);
    Inbound inbound = Propagation.of(baton, TestCarrier.ADAPTER).inbound(base, new TestCarrier());
    assertThat(Span.fromContext(inbound.parent())).isSameAs(outer);
    assertThat(inbound.remote().isValid()).isFalse();
    outer.end();
  }
}
