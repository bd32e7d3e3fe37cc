package dev.baton.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.core.BatonTracing;
import dev.baton.testing.InMemoryTelemetry;
import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.extension.trace.propagation.B3Propagator;
import io.opentelemetry.extension.trace.propagation.JaegerPropagator;
import org.junit.jupiter.api.Test;

/** B3 and Jaeger configured on the OpenTelemetry instance keep working beside Baton's W3C. */
@SuppressWarnings("deprecation") // JaegerPropagator: still what Jaeger clients send
class OtherPropagatorsTest {

  static final SpanContext SC =
      SpanContext.create(
          "0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331", TraceFlags.getSampled(),
          TraceState.getDefault());

  final InMemoryTelemetry otel =
      InMemoryTelemetry.create(
          TextMapPropagator.composite(
              W3CTraceContextPropagator.getInstance(),
              W3CBaggagePropagator.getInstance(),
              B3Propagator.injectingSingleHeader(),
              JaegerPropagator.getInstance()));
  final Propagation<TestCarrier> p = Propagation.of(BatonTracing.create(otel.openTelemetry()), TestCarrier.ADAPTER);

  @Test
  void injectWritesW3cAndTheConfiguredFormatsOnceEach() {
    TestCarrier out = new TestCarrier();
    p.inject(Context.root().with(Span.wrap(SC)), out);
    p.inject(Context.root().with(Span.wrap(SC)), out);
    assertThat(out.only("traceparent"))
        .isEqualTo("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    assertThat(out.only("b3")).startsWith("0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331");
    assertThat(out.only("uber-trace-id")).startsWith("0af7651916cd43dd8448eb211c80319c:b7ad6b7169203331");
  }

  @Test
  void thePublicPropagatorAppliesBatonsRulesWithTheCallersOwnGetterAndSetter() {
    BatonTracing strict =
        BatonTracing.builder(otel.openTelemetry())
            .inboundBaggage(java.util.List.of())
            .outboundBaggage(java.util.List.of("tenant"))
            .build();
    io.opentelemetry.context.propagation.TextMapGetter<java.util.Map<String, String>> getter =
        new io.opentelemetry.context.propagation.TextMapGetter<>() {
          @Override
          public Iterable<String> keys(java.util.Map<String, String> c) {
            return c.keySet();
          }

          @Override
          public String get(java.util.Map<String, String> c, String key) {
            return c == null ? null : c.get(key);
          }
        };
    java.util.Map<String, String> in = new java.util.HashMap<>();
    in.put("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    in.put("baggage", "user.email=alice@example.com");
    Context extracted = strict.propagator().extract(Context.root(), in, getter);
    assertThat(io.opentelemetry.api.baggage.Baggage.fromContext(extracted).isEmpty()).isTrue();
    assertThat(Span.fromContext(extracted).getSpanContext().getTraceId())
        .isEqualTo("0af7651916cd43dd8448eb211c80319c");

    java.util.Map<String, String> out = new java.util.HashMap<>();
    Context withBaggage =
        Context.root()
            .with(Span.wrap(SC))
            .with(io.opentelemetry.api.baggage.Baggage.builder()
                .put("tenant", "acme")
                .put("user.email", "alice@example.com")
                .build());
    strict.propagator().inject(withBaggage, out, java.util.Map::put);
    assertThat(out.get("baggage")).isEqualTo("tenant=acme");
    assertThat(out.get("b3")).startsWith("0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331");
  }

  @Test
  void b3AloneIsExtracted() {
    TestCarrier in =
        new TestCarrier().add("b3", "0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-1");
    SpanContext sc = Span.fromContext(p.extract(Context.root(), in)).getSpanContext();
    assertThat(sc.getTraceId()).isEqualTo("0af7651916cd43dd8448eb211c80319c");
  }

  @Test
  void w3cWinsWhenBothArePresent() {
    TestCarrier in =
        new TestCarrier()
            .add("b3", "11111111111111111111111111111111-2222222222222222-1")
            .add("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    SpanContext sc = Span.fromContext(p.extract(Context.root(), in)).getSpanContext();
    assertThat(sc.getTraceId()).isEqualTo("0af7651916cd43dd8448eb211c80319c");
  }

  @Test
  void stockW3cPropagatorDoesNotSecondGuessBatonsParsing() {
    // Stock OpenTelemetry drops the whole tracestate for this key; Baton keeps it.
    TestCarrier in =
        new TestCarrier()
            .add("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
            .add("tracestate", "foo@bar@baz=1,bar=2");
    SpanContext sc = Span.fromContext(p.extract(Context.root(), in)).getSpanContext();
    assertThat(W3CTraceState.serialize(sc.getTraceState())).isEqualTo("foo@bar@baz=1,bar=2");
  }
}
