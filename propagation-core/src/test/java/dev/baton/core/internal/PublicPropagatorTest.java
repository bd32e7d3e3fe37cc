package dev.baton.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.core.BatonTracing;
import dev.baton.testing.InMemoryTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code BatonTracing.propagator()} with the caller's own getter reads by the same rules. */
class PublicPropagatorTest {

  static final String TP = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

  static final TextMapGetter<Map<String, String>> MAP_GETTER =
      new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> c) {
          return c.keySet();
        }

        @Override
        public String get(Map<String, String> c, String key) {
          return c == null ? null : c.get(key);
        }
      };

  final TextMapPropagator propagator =
      BatonTracing.builder(InMemoryTelemetry.create().openTelemetry()).headerMaxLength(1024).build().propagator();

  private Context extract(Map<String, String> in) {
    return propagator.extract(Context.root(), in, MAP_GETTER);
  }

  @Test
  void aControlCharacterMakesTheValueAbsentSoNothingIsForwarded() {
    Map<String, String> in = new HashMap<>();
    in.put("traceparent", TP);
    in.put("baggage", "k=v;p=\r\n X-Injected: 1");
    Context ctx = extract(in);
    assertThat(Baggage.fromContext(ctx).isEmpty()).isTrue();

    Map<String, String> out = new HashMap<>();
    propagator.inject(ctx, out, Map::put);
    assertThat(out.get("traceparent")).startsWith("00-0af7651916cd43dd8448eb211c80319c-");
    assertThat(out).doesNotContainKey("baggage");
  }

  @Test
  void valuesOverTheHeaderCapAreAbsent() {
    StringBuilder big = new StringBuilder("k0=v");
    for (int i = 1; big.length() < 2000; i++) {
      big.append(",k").append(i).append("=v");
    }
    Map<String, String> in = new HashMap<>();
    in.put("traceparent", TP);
    in.put("baggage", big.toString());
    Context ctx = extract(in);
    assertThat(Baggage.fromContext(ctx).isEmpty()).isTrue();
    assertThat(Span.fromContext(ctx).getSpanContext().getTraceId())
        .isEqualTo("0af7651916cd43dd8448eb211c80319c");
  }

  @Test
  void optionalWhitespaceAroundAValueIsTrimmed() {
    Map<String, String> in = new HashMap<>();
    in.put("traceparent", " \t" + TP + " ");
    assertThat(Span.fromContext(extract(in)).getSpanContext().getTraceId())
        .isEqualTo("0af7651916cd43dd8448eb211c80319c");
  }

  @Test
  void aThrowingGetterIsAFaultNotAnException() {
    TextMapGetter<Map<String, String>> broken =
        new TextMapGetter<>() {
          @Override
          public Iterable<String> keys(Map<String, String> c) {
            throw new IllegalStateException("boom");
          }

          @Override
          public String get(Map<String, String> c, String key) {
            throw new IllegalStateException("boom");
          }
        };
    long before = Faults.count();
    assertThat(
            BatonTracing.create(OpenTelemetry.noop())
                .propagator()
                .extract(Context.root(), new HashMap<>(), broken))
        .isSameAs(Context.root());
    assertThat(Faults.count()).isGreaterThan(before);
  }
}
