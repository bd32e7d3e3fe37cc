package dev.baton.examples;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigProperties;
import io.opentelemetry.sdk.common.Clock;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * One OpenTelemetry SDK per service of the demo, each with its own resource
 * ({@code service.name} = the service), all ending their spans into one {@link SpanCollector}.
 * Each SDK is built by OpenTelemetry's autoconfigure module, so the standard {@code OTEL_*}
 * environment variables (or {@code otel.*} system properties) apply: with
 * {@code OTEL_EXPORTER_OTLP_ENDPOINT} set, spans also go to that OTLP endpoint.
 *
 * <p>The demo's defaults, which the variables override: no exporter unless an OTLP endpoint is
 * set; OTLP over {@code http/protobuf} (port 4318), the protocol the OTLP specification
 * recommends; no log export; metrics are read in process and printed by the demo (no metrics
 * exporter).
 */
final class DemoTelemetry implements AutoCloseable {

  private static final String TRACES_EXPORTER = "otel.traces.exporter";
  private static final String ENDPOINT = "otel.exporter.otlp.endpoint";
  private static final String TRACES_ENDPOINT = "otel.exporter.otlp.traces.endpoint";
  private static final String PROTOCOL = "otel.exporter.otlp.protocol";
  private static final String TRACES_PROTOCOL = "otel.exporter.otlp.traces.protocol";
  /** Held here: java.util.logging keeps loggers only weakly. */
  private static final Logger SDK_LOG = Logger.getLogger("io.opentelemetry");

  private final Map<String, OpenTelemetrySdk> sdks = new LinkedHashMap<>();
  private final Map<String, InMemoryMetricReader> metrics = new LinkedHashMap<>();
  private final Clock clock = new OneClock();
  private final AtomicLong exported = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicReference<Throwable> firstFailure = new AtomicReference<>();
  private volatile String exporterDescription;

  private DemoTelemetry() {}

  /**
   * Builds one SDK per service in {@link CheckoutApp#SERVICES}.
   *
   * @throws io.opentelemetry.sdk.autoconfigure.spi.ConfigurationException when an {@code OTEL_*}
   *     variable has a value autoconfigure rejects
   */
  static DemoTelemetry start(SpanCollector collector) {
    DemoTelemetry telemetry = new DemoTelemetry();
    try {
      for (String service : CheckoutApp.SERVICES) {
        telemetry.sdks.put(service, telemetry.build(service, collector));
      }
      return telemetry;
    } catch (RuntimeException e) {
      telemetry.close();
      throw e;
    }
  }

  private OpenTelemetrySdk build(String service, SpanCollector collector) {
    InMemoryMetricReader reader = InMemoryMetricReader.create();
    metrics.put(service, reader);
    return AutoConfiguredOpenTelemetrySdk.builder()
        .addPropertiesSupplier(() -> Map.of(
            PROTOCOL, "http/protobuf",
            "otel.metrics.exporter", "none",
            "otel.logs.exporter", "none"))
        .addPropertiesCustomizer(DemoTelemetry::noExporterWithoutEndpoint)
        .addResourceCustomizer((resource, config) -> resource.merge(
            Resource.create(Attributes.of(TraceView.SERVICE_NAME, service))))
        .addTracerProviderCustomizer((builder, config) -> builder
            .setClock(clock)
            .addSpanProcessor(SimpleSpanProcessor.create(collector)))
        .addMeterProviderCustomizer((builder, config) -> builder.registerMetricReader(reader))
        .addSpanExporterCustomizer(this::counting)
        .disableShutdownHook()
        .build()
        .getOpenTelemetrySdk();
  }

  /** Autoconfigure's default exporter is OTLP to localhost: only when an endpoint is set here. */
  private static Map<String, String> noExporterWithoutEndpoint(ConfigProperties config) {
    if (config.getString(TRACES_EXPORTER) == null
        && config.getString(ENDPOINT) == null
        && config.getString(TRACES_ENDPOINT) == null) {
      return Map.of(TRACES_EXPORTER, "none");
    }
    return Map.of();
  }

  private SpanExporter counting(SpanExporter exporter, ConfigProperties config) {
    String endpoint = config.getString(TRACES_ENDPOINT, config.getString(ENDPOINT));
    String protocol = config.getString(TRACES_PROTOCOL, config.getString(PROTOCOL));
    exporterDescription = endpoint != null
        ? "OTLP at " + endpoint + " (" + protocol + ")"
        : exporter.getClass().getSimpleName();
    return new CountingExporter(exporter, this);
  }

  /** The service's OpenTelemetry. */
  OpenTelemetry of(String service) {
    return sdks.get(service);
  }

  /** Each service's metrics so far; read before {@link #close()}. */
  Map<String, InMemoryMetricReader> metrics() {
    return metrics;
  }

  /** Where spans go besides the demo's own view, e.g. {@code OTLP at http://...}; null if nowhere. */
  String exporter() {
    return exporterDescription;
  }

  /**
   * What the exporter delivered, e.g. {@code sent 7 spans to OTLP at http://...}, or how many
   * spans it could not send and why the first failure happened; read after {@link #close()}.
   */
  String exportSummary() {
    long sent = exported.get();
    long lost = failed.get();
    if (lost == 0) {
      return "sent " + sent + " spans to " + exporterDescription;
    }
    Throwable why = firstFailure.get();
    return "could not send " + lost + " of " + (lost + sent) + " spans to " + exporterDescription
        + (why == null ? "" : ": " + rootCause(why));
  }

  private static Throwable rootCause(Throwable t) {
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t;
  }

  /**
   * The SDK's own warnings (an OTLP endpoint that does not answer, say) as one line each on
   * {@code System.err}, without stack traces: the demo sums them up itself. For the command line;
   * the logger's level and handlers stay as they are otherwise.
   */
  static void compactSdkWarnings() {
    SDK_LOG.setUseParentHandlers(false);
    SDK_LOG.addHandler(new Handler() {
      @Override
      public void publish(LogRecord record) {
        if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
          Throwable t = record.getThrown();
          System.err.println("   OpenTelemetry SDK: " + record.getMessage()
              + (t == null ? "" : " (" + t + ")"));
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    });
  }

  /** Ends each SDK, which first sends what its exporter still holds (at most 10 s each). */
  @Override
  public void close() {
    for (OpenTelemetrySdk sdk : sdks.values()) {
      sdk.shutdown().join(10, TimeUnit.SECONDS);
    }
    sdks.clear();
  }

  /**
   * One clock for the four SDKs. An SDK timestamps a span that starts a trace, or continues one
   * from another process, with the wall clock, and the spans below it by the monotonic clock from
   * there. With a wall clock that steps (virtual machines do), the services of one JVM would drift
   * apart in the waterfall by the step; this clock reads the wall clock once and counts from there.
   * (Services in separate processes have separate clocks; skew between them is the backend's
   * business.)
   */
  private static final class OneClock implements Clock {
    private final long epochNanos;
    private final long startNanoTime = System.nanoTime();

    OneClock() {
      Instant now = Instant.now();
      epochNanos = TimeUnit.SECONDS.toNanos(now.getEpochSecond()) + now.getNano();
    }

    @Override
    public long now() {
      return epochNanos + (System.nanoTime() - startNanoTime);
    }

    @Override
    public long nanoTime() {
      return System.nanoTime();
    }
  }

  /** Counts the spans an exporter delivered and those it failed to. */
  private static final class CountingExporter implements SpanExporter {
    private final SpanExporter delegate;
    private final DemoTelemetry counts;

    CountingExporter(SpanExporter delegate, DemoTelemetry counts) {
      this.delegate = delegate;
      this.counts = counts;
    }

    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
      int count = spans.size();
      CompletableResultCode result = delegate.export(spans);
      result.whenComplete(() -> {
        if (result.isSuccess()) {
          counts.exported.addAndGet(count);
        } else {
          counts.failed.addAndGet(count);
          counts.firstFailure.compareAndSet(null, result.getFailureThrowable());
        }
      });
      return result;
    }

    @Override
    public CompletableResultCode flush() {
      return delegate.flush();
    }

    @Override
    public CompletableResultCode shutdown() {
      return delegate.shutdown();
    }
  }
}
