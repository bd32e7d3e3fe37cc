package dev.baton.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.ArrayList;
import java.util.List;

/** An SDK exporting every span to memory synchronously, with the W3C propagators. */
final class TestOtel implements AutoCloseable {

  final InMemorySpanExporter exporter = InMemorySpanExporter.create();
  final OpenTelemetrySdk sdk =
      OpenTelemetrySdk.builder()
          .setTracerProvider(
              SdkTracerProvider.builder()
                  .addSpanProcessor(SimpleSpanProcessor.create(exporter))
                  .build())
          .setPropagators(
              ContextPropagators.create(
                  TextMapPropagator.composite(
                      W3CTraceContextPropagator.getInstance(),
                      W3CBaggagePropagator.getInstance())))
          .build();

  /**
   * Waits until exactly {@code n} spans have ended (servers end theirs after the client may
   * already have its answer), then checks that no more arrive for a moment.
   */
  List<SpanData> awaitSpans(int n) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (exporter.getFinishedSpanItems().size() < n && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    Thread.sleep(50);
    List<SpanData> spans = new ArrayList<>(exporter.getFinishedSpanItems());
    assertThat(spans).as("finished spans").hasSize(n);
    return spans;
  }

  static SpanData one(List<SpanData> spans, SpanKind kind, String name) {
    SpanData found = null;
    for (SpanData s : spans) {
      if (s.getKind() == kind && s.getName().equals(name)) {
        assertThat(found).as("only one %s span %s in %s", kind, name, spans).isNull();
        found = s;
      }
    }
    assertThat(found).as("a %s span %s in %s", kind, name, spans).isNotNull();
    return found;
  }

  @Override
  public void close() {
    sdk.close();
  }
}
