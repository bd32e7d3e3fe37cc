package dev.baton.benchmarks;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.OpenTelemetrySdkBuilder;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.export.MetricReader;
import io.opentelemetry.sdk.trace.SdkTracerProvider;

/**
 * The two OpenTelemetry set-ups every benchmark runs under, built the same way for Baton and for
 * OpenTelemetry's own instrumentation.
 *
 * <ul>
 *   <li>{@link Mode#SDK}: a real {@link SdkTracerProvider} (default sampler: parent-based,
 *       always on) with a {@link DroppingSpanProcessor}, so every span is really created,
 *       recorded and ended, and then dropped instead of exported. No meter provider: metrics are
 *       no-ops for everyone (Baton records none).
 *   <li>{@link Mode#PROPAGATION}: no SDK, only W3C propagators ({@code OpenTelemetry.propagating});
 *       spans are the API's non-recording ones, so what is measured is the instrumentation's own
 *       overhead plus header propagation.
 * </ul>
 */
public final class Telemetry implements AutoCloseable {

  /** Which OpenTelemetry a benchmark runs on; used as a JMH {@code @Param}. */
  public enum Mode {
    SDK,
    PROPAGATION
  }

  /** W3C Trace Context and W3C Baggage: what both libraries propagate. */
  public static final TextMapPropagator W3C =
      TextMapPropagator.composite(
          W3CTraceContextPropagator.getInstance(), W3CBaggagePropagator.getInstance());

  private final OpenTelemetry openTelemetry;
  private final DroppingSpanProcessor processor;
  private final SdkTracerProvider tracerProvider;

  private Telemetry(Mode mode) {
    this(mode, null);
  }

  private Telemetry(Mode mode, MetricReader metricReader) {
    ContextPropagators propagators = ContextPropagators.create(W3C);
    if (mode == Mode.SDK) {
      processor = new DroppingSpanProcessor();
      tracerProvider = SdkTracerProvider.builder().addSpanProcessor(processor).build();
      OpenTelemetrySdkBuilder sdk =
          OpenTelemetrySdk.builder().setTracerProvider(tracerProvider).setPropagators(propagators);
      if (metricReader != null) {
        sdk.setMeterProvider(SdkMeterProvider.builder().registerMetricReader(metricReader).build());
      }
      openTelemetry = sdk.build();
    } else {
      processor = null;
      tracerProvider = null;
      openTelemetry = OpenTelemetry.propagating(propagators);
    }
  }

  /** Builds the OpenTelemetry for {@code mode}. */
  public static Telemetry create(Mode mode) {
    return new Telemetry(mode);
  }

  /**
   * Builds the {@link Mode#SDK} set-up plus a meter provider reading into {@code metricReader}, for
   * benchmarks that measure what metrics cost ({@code MetricsCostBenchmark}).
   */
  public static Telemetry withMetrics(MetricReader metricReader) {
    return new Telemetry(Mode.SDK, metricReader);
  }

  public OpenTelemetry openTelemetry() {
    return openTelemetry;
  }

  /** Spans ended so far; always 0 without the SDK. */
  public long endedSpans() {
    return processor == null ? 0 : processor.ended();
  }

  @Override
  public void close() {
    if (tracerProvider != null) {
      tracerProvider.close();
    }
  }
}
