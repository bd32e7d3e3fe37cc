package dev.baton.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.core.BatonTracing;
import dev.baton.testing.InMemoryTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.extension.trace.propagation.B3Propagator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Kafka and AMQP header names are case-sensitive: a {@code Traceparent} written by another library
 * is a different header from Baton's {@code traceparent}, and a receiver may read either. Injecting
 * removes every other casing of the fields the propagators own.
 */
class HeaderCasingTest {

  static final String TP = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  static final String STALE = "00-11111111111111111111111111111111-2222222222222222-01";
  static final Context CONTEXT =
      Context.root()
          .with(
              Span.wrap(
                  SpanContext.create(
                      "0af7651916cd43dd8448eb211c80319c",
                      "b7ad6b7169203331",
                      TraceFlags.getSampled(),
                      TraceState.getDefault())));

  @Test
  void injectRemovesEveryOtherCasingOfTheW3cFields() {
    Propagation<TestCarrier> p =
        Propagation.of(BatonTracing.create(OpenTelemetry.noop()), TestCarrier.ADAPTER);
    TestCarrier c =
        new TestCarrier()
            .add("Traceparent", STALE)
            .add("TRACEPARENT", STALE)
            .add("traceparent", STALE)
            .add("TraceState", "old=1")
            .add("Baggage", "user=old")
            .add("Tenant", "acme")
            .add("traceparent-x", "kept");

    p.inject(CONTEXT, c);

    assertThat(names(c)).containsExactlyInAnyOrder("Tenant", "traceparent-x", "traceparent");
    assertThat(c.only("traceparent")).isEqualTo(TP);
  }

  @Test
  void withNothingToSendEveryCasingOfTheTraceHeadersIsRemovedToo() {
    Propagation<TestCarrier> p =
        Propagation.of(BatonTracing.create(OpenTelemetry.noop()), TestCarrier.ADAPTER);
    TestCarrier c =
        new TestCarrier().add("TraceParent", STALE).add("TRACESTATE", "old=1").add("other", "kept");

    p.inject(Context.root(), c);

    assertThat(names(c)).containsExactly("other");
  }

  @Test
  void injectRemovesOtherCasingsOfTheConfiguredPropagatorsFields() {
    // Multi-header B3 owns X-B3-TraceId, X-B3-SpanId, X-B3-Sampled and X-B3-Flags; it writes the
    // first three, and X-B3-Flags only for debug traces.
    TextMapPropagator b3 = B3Propagator.injectingMultiHeaders();
    assertThat(b3.fields()).contains("X-B3-TraceId", "X-B3-Flags");
    Propagation<TestCarrier> p =
        Propagation.of(BatonTracing.create(InMemoryTelemetry.create(b3).openTelemetry()), TestCarrier.ADAPTER);
    TestCarrier c =
        new TestCarrier()
            .add("x-b3-traceid", "11111111111111111111111111111111")
            .add("X-B3-TRACEID", "11111111111111111111111111111111")
            .add("x-b3-spanid", "2222222222222222")
            .add("X-B3-Flags", "1")
            .add("Traceparent", STALE)
            .add("keep", "me");

    p.inject(CONTEXT, c);

    assertThat(names(c))
        .containsExactlyInAnyOrder(
            "keep", "traceparent", "X-B3-TraceId", "X-B3-SpanId", "X-B3-Sampled");
    assertThat(c.only("X-B3-TraceId")).isEqualTo("0af7651916cd43dd8448eb211c80319c");
    assertThat(c.only("traceparent")).isEqualTo(TP);
  }

  @Test
  void aCarrierWithoutOtherCasingsIsNotRewrittenMoreThanBefore() {
    List<String> replaced = new ArrayList<>();
    HeaderCarrier<TestCarrier> counting = counting(replaced);
    Propagation<TestCarrier> p = Propagation.of(BatonTracing.create(OpenTelemetry.noop()), counting);
    TestCarrier c = new TestCarrier().add("traceparent", STALE).add("tenant", "acme");

    p.inject(CONTEXT, c);

    // traceparent written, tracestate and baggage removed: one call each, nothing else.
    assertThat(replaced).containsExactly("traceparent", "tracestate", "baggage");
    assertThat(names(c)).containsExactlyInAnyOrder("tenant", "traceparent");
  }

  @Test
  void aCarrierWithLowercaseNamesIsNeverScannedOnInject() {
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
    TestCarrier c = new TestCarrier();

    Propagation.of(BatonTracing.create(OpenTelemetry.noop()), lowercase).inject(CONTEXT, c);

    assertThat(c.only("traceparent")).isEqualTo(TP);
    assertThat(Faults.count()).isEqualTo(faults);
  }

  private static HeaderCarrier<TestCarrier> counting(List<String> replaced) {
    return new HeaderCarrier<>() {
      @Override
      public Iterable<String> keys(TestCarrier c) {
        return TestCarrier.ADAPTER.keys(c);
      }

      @Override
      public Iterable<?> fields(TestCarrier c, String key) {
        return TestCarrier.ADAPTER.fields(c, key);
      }

      @Override
      public void replace(TestCarrier c, String key, String value) {
        replaced.add(key);
        TestCarrier.ADAPTER.replace(c, key, value);
      }
    };
  }

  private static List<String> names(TestCarrier c) {
    List<String> names = new ArrayList<>();
    for (Map.Entry<String, Object> e : c.fields) {
      names.add(e.getKey());
    }
    return names;
  }
}
