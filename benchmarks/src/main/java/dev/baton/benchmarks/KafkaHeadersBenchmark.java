package dev.baton.benchmarks;

import dev.baton.core.internal.Propagation;
import dev.baton.kafka.KafkaPropagationAccess;
import dev.baton.kafka.KafkaTracing;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The core over Kafka record headers, no spans: what each library does to a record's
 * {@code Headers} on the way out and on the way in.
 *
 * <ul>
 *   <li>{@code baseline}: a new record's headers, three application headers: what every other
 *       method here starts from on the way out. Subtract it.
 *   <li>{@code inject_*}: a sampled span context with a two-entry {@code tracestate} (no baggage)
 *       into those new headers, as a producer interceptor does.
 *       Baton: the {@code Propagation<Headers>} its interceptors use; OpenTelemetry: W3C trace
 *       context + baggage propagators with its Kafka instrumentation's setter
 *       ({@code KafkaHeadersSetter}: remove, then add the UTF-8 bytes), reproduced here because
 *       that class is not on the library's compile class path.
 *   <li>{@code floor}: the least any library can do: add {@code traceparent} as a copy of a
 *       preformatted 55-byte value, no formatting at all: {@code add}
 *       of a copy of the bytes to the new headers.
 *   <li>{@code extract_*} with {@code headers=trace}: three application headers plus that
 *       {@code traceparent} and {@code tracestate}, as bytes, as a consumer receives them.
 *       OpenTelemetry's getter is its Kafka instrumentation's ({@code lastHeader(key)}, decoded
 *       as UTF-8), reproduced the same way. With {@code headers=none}: the three application
 *       headers only (no trace context).
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class KafkaHeadersBenchmark {

  static final Context SAMPLED = Context.root().with(Span.wrap(Fixtures.REMOTE_PARENT));

  /** OpenTelemetry's Kafka setter, as in {@code KafkaHeadersSetter}: remove, then add UTF-8. */
  static final TextMapSetter<Headers> OTEL_SETTER =
      (carrier, key, value) -> {
        if (carrier != null) {
          carrier.remove(key).add(key, value.getBytes(StandardCharsets.UTF_8));
        }
      };

  /** OpenTelemetry's Kafka getter, as in {@code KafkaConsumerRecordGetter}, over bare headers. */
  static final TextMapGetter<Headers> OTEL_GETTER =
      new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Headers carrier) {
          List<String> keys = new ArrayList<>();
          for (Header h : carrier) {
            keys.add(h.key());
          }
          return keys;
        }

        @Override
        public String get(Headers carrier, String key) {
          if (carrier == null) {
            return null;
          }
          Header header = carrier.lastHeader(key);
          if (header == null) {
            return null;
          }
          byte[] value = header.value();
          return value == null ? null : new String(value, StandardCharsets.UTF_8);
        }
      };

  /** Both sides' propagation, built once. */
  @State(Scope.Benchmark)
  public static class Propagators {
    final Propagation<Headers> baton;
    final TextMapPropagator otel = Telemetry.W3C;

    public Propagators() {
      OpenTelemetry propagating = OpenTelemetry.propagating(ContextPropagators.create(Telemetry.W3C));
      baton = KafkaPropagationAccess.of(KafkaTracing.create(propagating));
    }
  }

  /** The incoming headers of a record, per thread. */
  @State(Scope.Thread)
  public static class Records {
    /**
     * {@code trace}: the three application headers plus {@code traceparent} and
     * {@code tracestate}; {@code none}: the application headers only.
     */
    @Param({"trace", "none"})
    public String headers;

    Headers incoming;

    @Setup
    public void setUp() {
      incoming = appHeaders();
      if (headers.equals("trace")) {
        incoming.add("traceparent", Fixtures.TRACEPARENT_BYTES);
        incoming.add("tracestate", Fixtures.TRACESTATE.getBytes(StandardCharsets.US_ASCII));
      }
    }
  }

  static final byte[][] APP_VALUES = new byte[Fixtures.APP_HEADERS.length][];

  static {
    for (int i = 0; i < APP_VALUES.length; i++) {
      APP_VALUES[i] = Fixtures.APP_HEADERS[i][1].getBytes(StandardCharsets.UTF_8);
    }
  }

  /** New headers holding the three application headers (their values shared, not copied). */
  static Headers appHeaders() {
    Headers h = new RecordHeaders();
    for (int i = 0; i < APP_VALUES.length; i++) {
      h.add(Fixtures.APP_HEADERS[i][0], APP_VALUES[i]);
    }
    return h;
  }

  @Benchmark
  public Headers baseline() {
    return appHeaders();
  }

  @Benchmark
  public Headers floor() {
    return appHeaders().add("traceparent", Fixtures.TRACEPARENT_BYTES.clone());
  }

  @Benchmark
  public Headers inject_baton(Propagators p) {
    Headers h = appHeaders();
    p.baton.inject(SAMPLED, h);
    return h;
  }

  @Benchmark
  public Headers inject_otel(Propagators p) {
    Headers h = appHeaders();
    p.otel.inject(SAMPLED, h, OTEL_SETTER);
    return h;
  }

  @Benchmark
  public Context extract_baton(Propagators p, Records r) {
    return p.baton.extract(Context.root(), r.incoming);
  }

  @Benchmark
  public Context extract_otel(Propagators p, Records r) {
    return p.otel.extract(Context.root(), r.incoming, OTEL_GETTER);
  }
}
