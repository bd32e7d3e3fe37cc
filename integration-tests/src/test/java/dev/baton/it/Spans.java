package dev.baton.it;

import static org.awaitility.Awaitility.await;

import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** An OpenTelemetry SDK recording every span in memory, and lookups over what it recorded. */
public final class Spans {

  public final InMemorySpanExporter exporter = InMemorySpanExporter.create();
  public final OpenTelemetrySdk sdk;

  public Spans() {
    this(W3CTraceContextPropagator.getInstance());
  }

  public Spans(TextMapPropagator propagator) {
    sdk =
        OpenTelemetrySdk.builder()
            .setTracerProvider(
                SdkTracerProvider.builder()
                    .addSpanProcessor(SimpleSpanProcessor.create(exporter))
                    .build())
            .setPropagators(ContextPropagators.create(propagator))
            .build();
  }

  public List<SpanData> all() {
    return exporter.getFinishedSpanItems();
  }

  /** Waits (up to 30 s) until exactly one finished span has this name and kind, and returns it. */
  public SpanData awaitOne(String name, SpanKind kind) {
    await().atMost(Duration.ofSeconds(30)).until(() -> named(name, kind).size() >= 1);
    List<SpanData> found = named(name, kind);
    if (found.size() != 1) {
      throw new AssertionError("expected one " + kind + " '" + name + "', got " + found);
    }
    return found.get(0);
  }

  /** Waits (up to 30 s) until {@code count} finished spans have this name and kind. */
  public List<SpanData> awaitCount(String name, SpanKind kind, int count) {
    await().atMost(Duration.ofSeconds(30)).until(() -> named(name, kind).size() >= count);
    return named(name, kind);
  }

  public List<SpanData> named(String name, SpanKind kind) {
    List<SpanData> out = new ArrayList<>();
    for (SpanData s : exporter.getFinishedSpanItems()) {
      if (s.getName().equals(name) && s.getKind() == kind) {
        out.add(s);
      }
    }
    return out;
  }
}
