package dev.baton.testing;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.OpenTelemetrySdkBuilder;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.PointData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An OpenTelemetry SDK that keeps every ended span in memory, for tests that assert on the spans
 * Baton (or the code under test) makes. It also counts spans started and ended, so a test can
 * check that nothing was left open, and has a metric reader: {@link #metrics()},
 * {@link #counter(String, Attributes)} and {@link #histogram(String, Attributes)} read the
 * metrics recorded so far (cumulative since the SDK was built; {@link #reset()} leaves them).
 *
 * <pre>{@code
 * try (InMemoryTelemetry telemetry = InMemoryTelemetry.create()) {
 *   KafkaTracing kafkaTracing = KafkaTracing.create(telemetry.openTelemetry());
 *   ...
 *   SpanData send = telemetry.awaitSpan("send orders", SpanKind.PRODUCER);
 *   assertThat(telemetry.openSpans()).isZero();
 * }
 * }</pre>
 *
 * <p>Not registered as {@code GlobalOpenTelemetry}: hand {@link #openTelemetry()} to the code
 * under test. Thread-safe.
 *
 * @since 0.1.0
 */
public final class InMemoryTelemetry implements AutoCloseable {

  private static final Duration DEFAULT_WAIT = Duration.ofSeconds(30);
  private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");

  private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
  // null when the SDK on the classpath has no metrics (OpenTelemetry before 1.14, as the
  // oldest-supported integration tests run): spans are then recorded alone
  private final Metrics metrics = metricsIfAvailable();
  private final Map<String, Metrics> serviceMetrics = new ConcurrentHashMap<>();
  private final AtomicLong started = new AtomicLong();
  private final AtomicLong ended = new AtomicLong();
  private final OpenTelemetrySdk sdk;
  private final TextMapPropagator propagator;
  private final Map<String, OpenTelemetrySdk> services = new ConcurrentHashMap<>();

  private InMemoryTelemetry(TextMapPropagator propagator) {
    this.propagator = propagator;
    this.sdk = build(Resource.getDefault(), metrics);
  }

  private OpenTelemetrySdk build(Resource resource, Metrics metrics) {
    OpenTelemetrySdkBuilder builder = OpenTelemetrySdk.builder()
        .setTracerProvider(
            SdkTracerProvider.builder()
                .setResource(resource)
                .addSpanProcessor(new Counting())
                .addSpanProcessor(SimpleSpanProcessor.create(exporter))
                .build())
        .setPropagators(ContextPropagators.create(propagator));
    if (metrics != null) {
      metrics.attach(builder);
    }
    return builder.build();
  }

  // Here rather than in Metrics: without the metrics SDK, Metrics itself fails to link.
  private static Metrics metricsIfAvailable() {
    try {
      return new Metrics();
    } catch (LinkageError noMetricsSdk) {
      return null;
    }
  }

  /**
   * A meter provider and its in-memory reader: one for the main SDK and one per {@code
   * service(name)} SDK. Its own class, so that the metrics SDK's types load only when they are on
   * the classpath.
   */
  private static final class Metrics {
    final InMemoryMetricReader reader = InMemoryMetricReader.create();
    final SdkMeterProvider provider = SdkMeterProvider.builder().registerMetricReader(reader).build();

    void attach(OpenTelemetrySdkBuilder builder) {
      builder.setMeterProvider(provider);
    }
  }

  /**
   * Returns an SDK with the W3C trace-context and baggage propagators, sampling every span.
   *
   * @return a new SDK
   */
  public static InMemoryTelemetry create() {
    return create(
        TextMapPropagator.composite(
            W3CTraceContextPropagator.getInstance(), W3CBaggagePropagator.getInstance()));
  }

  /**
   * Returns an SDK with the given propagators, sampling every span.
   *
   * @param propagator the propagators the SDK is configured with (e.g. {@code TextMapPropagator.noop()})
   * @return a new SDK
   */
  public static InMemoryTelemetry create(TextMapPropagator propagator) {
    return new InMemoryTelemetry(Objects.requireNonNull(propagator, "propagator == null"));
  }

  /**
   * Returns the SDK, to hand to the code under test.
   *
   * @return the SDK
   */
  public OpenTelemetry openTelemetry() {
    return sdk;
  }

  /**
   * Returns an SDK of its own for one service, whose resource's {@code service.name} is {@code
   * serviceName}, recording into this instance: for a test that runs several services in one JVM
   * and checks which service made each span ({@code span.getResource()}). Same propagators and
   * sampling as {@link #openTelemetry()}; its spans count in {@link #openSpans()}; its metrics are
   * in {@link #metrics()} and, alone, in {@link #metrics(String)}. One SDK per name, closed by
   * {@link #close()}. Thread-safe.
   *
   * @param serviceName the {@code service.name} of the service
   * @return the service's SDK
   * @since 0.1.0
   */
  public OpenTelemetry service(String serviceName) {
    Objects.requireNonNull(serviceName, "serviceName == null");
    return services.computeIfAbsent(serviceName, name -> {
      Metrics own = metricsIfAvailable();
      if (own != null) {
        serviceMetrics.put(name, own);
      }
      return build(
          Resource.getDefault().merge(Resource.create(Attributes.of(SERVICE_NAME, name))), own);
    });
  }

  /**
   * Returns the spans ended so far, in the order they ended.
   *
   * @return a snapshot
   */
  public List<SpanData> spans() {
    return exporter.getFinishedSpanItems();
  }

  /**
   * Returns the ended spans with this name and kind.
   *
   * @param name the span name
   * @param kind the span kind
   * @return the matching spans, in the order they ended
   */
  public List<SpanData> spans(String name, SpanKind kind) {
    List<SpanData> out = new ArrayList<>();
    for (SpanData span : exporter.getFinishedSpanItems()) {
      if (span.getName().equals(name) && span.getKind() == kind) {
        out.add(span);
      }
    }
    return out;
  }

  /**
   * Waits up to 30 s until exactly one span with this name and kind has ended, and returns it.
   *
   * @param name the span name
   * @param kind the span kind
   * @return the span
   * @throws AssertionError when none ended in time, or more than one did
   */
  public SpanData awaitSpan(String name, SpanKind kind) {
    List<SpanData> found = awaitSpans(name, kind, 1, DEFAULT_WAIT);
    if (found.size() != 1) {
      throw new AssertionError("expected one " + kind + " span '" + name + "', got " + found);
    }
    return found.get(0);
  }

  /**
   * Waits until at least {@code count} spans with this name and kind have ended.
   *
   * @param name the span name
   * @param kind the span kind
   * @param count how many to wait for
   * @param timeout how long to wait
   * @return every matching span (possibly more than {@code count})
   * @throws AssertionError when fewer ended in time, naming the spans that did end
   */
  public List<SpanData> awaitSpans(String name, SpanKind kind, int count, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      List<SpanData> found = spans(name, kind);
      if (found.size() >= count) {
        return found;
      }
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError(
            "expected " + count + " " + kind + " span(s) '" + name + "' within " + timeout
                + ", got " + found.size() + "; ended spans: " + names(spans()));
      }
      pause();
    }
  }

  /**
   * Waits until at least {@code count} spans of any name have ended.
   *
   * @param count how many to wait for
   * @param timeout how long to wait
   * @return every ended span
   * @throws AssertionError when fewer ended in time
   */
  public List<SpanData> awaitSpanCount(int count, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      List<SpanData> all = spans();
      if (all.size() >= count) {
        return all;
      }
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError(
            "expected " + count + " ended spans within " + timeout + ", got " + all.size() + ": "
                + names(all));
      }
      pause();
    }
  }

  /**
   * Waits until {@code count} spans have ended, then a moment more, and checks that no more did:
   * for calls whose spans end on several threads (a gRPC server ends its span after the client
   * may already have its answer), where a later span would be a bug.
   *
   * @param count how many spans must end, exactly
   * @param timeout how long to wait for them
   * @return every ended span
   * @throws AssertionError when fewer ended in time, or more ended
   */
  public List<SpanData> awaitExactly(int count, Duration timeout) {
    awaitSpanCount(count, timeout);
    try {
      Thread.sleep(50);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
    List<SpanData> all = spans();
    if (all.size() != count) {
      throw new AssertionError(
          "expected exactly " + count + " ended spans, got " + all.size() + ": " + names(all));
    }
    return all;
  }

  /**
   * Returns the one ended span of this kind, whatever its name.
   *
   * @param kind the span kind
   * @return the span
   * @throws AssertionError when none, or more than one, has ended
   */
  public SpanData only(SpanKind kind) {
    SpanData found = null;
    for (SpanData s : spans()) {
      if (s.getKind() == kind) {
        if (found != null) {
          throw new AssertionError("expected one " + kind + " span, got " + names(spans()));
        }
        found = s;
      }
    }
    if (found == null) {
      throw new AssertionError("expected one " + kind + " span, got " + names(spans()));
    }
    return found;
  }

  /**
   * Returns the one span in {@code spans} with this name and kind.
   *
   * @param spans spans to look in, e.g. what {@link #awaitExactly(int, Duration)} returned
   * @param name the span name
   * @param kind the span kind
   * @return the span
   * @throws AssertionError when none, or more than one, matches
   */
  public static SpanData only(List<SpanData> spans, String name, SpanKind kind) {
    SpanData found = null;
    for (SpanData s : spans) {
      if (s.getKind() == kind && s.getName().equals(name)) {
        if (found != null) {
          throw new AssertionError(
              "expected one " + kind + " span '" + name + "', got two in " + names(spans));
        }
        found = s;
      }
    }
    if (found == null) {
      throw new AssertionError(
          "expected one " + kind + " span '" + name + "', got none in " + names(spans));
    }
    return found;
  }

  /**
   * Returns how many spans were started and have not ended: zero once every span ended.
   *
   * @return spans started minus spans ended
   */
  public long openSpans() {
    return started.get() - ended.get();
  }

  /**
   * Returns how many spans were started since this SDK was built (or last {@link #reset()}).
   *
   * @return the count
   */
  public long startedSpans() {
    return started.get();
  }

  /**
   * Returns every metric recorded so far, cumulative since this SDK was built: the main SDK's and
   * each {@link #service(String) service's}, one {@code MetricData} per SDK.
   *
   * @return a snapshot
   */
  public List<MetricData> metrics() {
    List<MetricData> out = new ArrayList<>(requireMetrics(metrics).reader.collectAllMetrics());
    for (Metrics service : serviceMetrics.values()) {
      out.addAll(service.reader.collectAllMetrics());
    }
    return out;
  }

  /**
   * Returns every metric the SDK of one {@link #service(String) service} recorded so far.
   *
   * @param serviceName the service's name, as given to {@link #service(String)}
   * @return a snapshot; empty when there is no such service
   * @since 0.1.0
   */
  public List<MetricData> metrics(String serviceName) {
    requireMetrics(metrics);
    Metrics service = serviceMetrics.get(serviceName);
    return service == null ? List.of() : new ArrayList<>(service.reader.collectAllMetrics());
  }

  private static Metrics requireMetrics(Metrics metrics) {
    if (metrics == null) {
      throw new IllegalStateException(
          "the OpenTelemetry SDK on the classpath has no metrics (opentelemetry-sdk-metrics)");
    }
    return metrics;
  }


  /**
   * Returns the points of the metric named {@code name}, in no particular order.
   *
   * @param name the metric name, e.g. {@code messaging.client.sent.messages}
   * @return the points; empty when nothing was recorded under that name
   */
  public List<PointData> points(String name) {
    List<PointData> out = new ArrayList<>();
    for (MetricData m : metrics()) {
      if (m.getName().equals(name)) {
        out.addAll(m.getData().getPoints());
      }
    }
    return out;
  }

  /**
   * Returns the attribute sets the metric named {@code name} was recorded with: its series.
   *
   * @param name the metric name
   * @return one entry per point
   */
  public List<Attributes> attributeSets(String name) {
    List<Attributes> out = new ArrayList<>();
    for (PointData p : points(name)) {
      out.add(p.getAttributes());
    }
    return out;
  }

  /**
   * Returns the value of the counter {@code name} for exactly these attributes.
   *
   * @param name the counter's name
   * @param attributes the point's attributes, all of them
   * @return the value; 0 when no such point was recorded
   * @throws AssertionError when {@code name} is not a long counter
   */
  public long counter(String name, Attributes attributes) {
    PointData p = point(name, attributes);
    if (p == null) {
      return 0;
    }
    if (!(p instanceof LongPointData)) {
      throw new AssertionError(name + " is not a long counter: " + p);
    }
    return ((LongPointData) p).getValue();
  }

  /**
   * Returns the histogram point of {@code name} for exactly these attributes.
   *
   * @param name the histogram's name
   * @param attributes the point's attributes, all of them
   * @return the point (count, sum, min, max, buckets)
   * @throws AssertionError when no such point was recorded, naming the sets that were
   */
  public HistogramPointData histogram(String name, Attributes attributes) {
    PointData p = point(name, attributes);
    if (!(p instanceof HistogramPointData)) {
      throw new AssertionError("no histogram point " + name + " " + attributes + "; recorded: "
          + attributeSets(name));
    }
    return (HistogramPointData) p;
  }

  private PointData point(String name, Attributes attributes) {
    for (PointData p : points(name)) {
      if (p.getAttributes().equals(attributes)) {
        return p;
      }
    }
    return null;
  }

  /** Forgets every ended span and resets the counters. */
  public void reset() {
    exporter.reset();
    started.set(0);
    ended.set(0);
  }

  /** Shuts the SDK down, and those of {@link #service(String)}; the ended spans are forgotten. */
  @Override
  public void close() {
    services.values().forEach(OpenTelemetrySdk::close);
    sdk.close();
  }

  private static List<String> names(List<SpanData> spans) {
    List<String> out = new ArrayList<>(spans.size());
    for (SpanData s : spans) {
      out.add(s.getKind() + " " + s.getName());
    }
    return out;
  }

  private static void pause() {
    try {
      Thread.sleep(10);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for spans", e);
    }
  }

  /** Counts spans as they start and end. */
  private final class Counting implements SpanProcessor {
    @Override
    public void onStart(Context parentContext, ReadWriteSpan span) {
      started.incrementAndGet();
    }

    @Override
    public boolean isStartRequired() {
      return true;
    }

    @Override
    public void onEnd(ReadableSpan span) {
      ended.incrementAndGet();
    }

    @Override
    public boolean isEndRequired() {
      return true;
    }
  }
}
