package dev.baton.benchmarks;

import dev.baton.core.BatonTracing;
import dev.baton.core.internal.Propagation;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The core alone, no spans: extracting and injecting {@code traceparent}, {@code tracestate} and
 * {@code baggage} through Baton's {@link Propagation} and through OpenTelemetry's
 * {@code W3CTraceContextPropagator} + {@code W3CBaggagePropagator}, over the same
 * {@code Map<String, String>} carrier.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PropagationBenchmark {

  /** The propagators of both sides, built once. */
  @State(Scope.Benchmark)
  public static class Propagators {
    final Propagation<Map<String, String>> baton;
    final TextMapPropagator otel = Telemetry.W3C;

    public Propagators() {
      OpenTelemetry propagating = OpenTelemetry.propagating(ContextPropagators.create(Telemetry.W3C));
      baton = Propagation.of(BatonTracing.create(propagating), MapCarrier.BATON);
    }
  }

  /** An incoming header table: three application headers, plus the trace headers of the case. */
  @State(Scope.Benchmark)
  public static class Incoming {
    /**
     * {@code valid}: traceparent, tracestate and 3-member baggage; {@code none}: no trace headers;
     * {@code garbage}: all three present and invalid.
     */
    @Param({"valid", "none", "garbage"})
    public String headers;

    Map<String, String> carrier;

    @Setup
    public void setUp() {
      carrier = new HashMap<>();
      for (String[] h : Fixtures.APP_HEADERS) {
        carrier.put(h[0], h[1]);
      }
      switch (headers) {
        case "valid":
          carrier.put("traceparent", Fixtures.TRACEPARENT);
          carrier.put("tracestate", Fixtures.TRACESTATE);
          carrier.put("baggage", Fixtures.BAGGAGE);
          break;
        case "garbage":
          carrier.put("traceparent", Fixtures.GARBAGE_TRACEPARENT);
          carrier.put("tracestate", Fixtures.GARBAGE_TRACESTATE);
          carrier.put("baggage", Fixtures.GARBAGE_BAGGAGE);
          break;
        case "none":
          break;
        default:
          throw new IllegalArgumentException(headers);
      }
    }
  }

  /** An outgoing header table, emptied before each injection. */
  @State(Scope.Thread)
  public static class Outgoing {
    final Map<String, String> carrier = new HashMap<>();
  }

  @Benchmark
  public Context extract_baton(Propagators p, Incoming in) {
    return p.baton.extract(Context.root(), in.carrier);
  }

  @Benchmark
  public Context extract_otel(Propagators p, Incoming in) {
    return p.otel.extract(Context.root(), in.carrier, MapCarrier.OTEL_GETTER);
  }

  /** Injects a sampled span context with a 2-entry tracestate and 3 baggage entries. */
  @Benchmark
  public Map<String, String> inject_baton(Propagators p, Outgoing out) {
    out.carrier.clear();
    p.baton.inject(Fixtures.SENDING_CONTEXT, out.carrier);
    return out.carrier;
  }

  @Benchmark
  public Map<String, String> inject_otel(Propagators p, Outgoing out) {
    out.carrier.clear();
    p.otel.inject(Fixtures.SENDING_CONTEXT, out.carrier, MapCarrier.OTEL_SETTER);
    return out.carrier;
  }
}
