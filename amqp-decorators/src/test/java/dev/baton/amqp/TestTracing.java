package dev.baton.amqp;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** An SDK exporting to memory, and waiting for spans with a deadline. */
final class TestTracing {

  final InMemorySpanExporter exporter = InMemorySpanExporter.create();
  final OpenTelemetrySdk otel =
      OpenTelemetrySdk.builder()
          .setTracerProvider(
              SdkTracerProvider.builder()
                  .addSpanProcessor(SimpleSpanProcessor.create(exporter))
                  .build())
          .setPropagators(ContextPropagators.noop())
          .build();

  List<SpanData> spans() {
    return exporter.getFinishedSpanItems();
  }

  /** Waits until {@code count} spans have ended, at most {@code timeout}; fails otherwise. */
  List<SpanData> awaitSpans(int count, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<SpanData> spans = spans();
    while (spans.size() < count && System.nanoTime() < deadline) {
      Thread.sleep(20);
      spans = spans();
    }
    assertThat(spans).as("finished spans after %s", timeout).hasSizeGreaterThanOrEqualTo(count);
    return spans;
  }

  /** Waits for an ended span with this name and kind. */
  SpanData awaitSpan(String name, SpanKind kind, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      List<SpanData> matches = named(name, kind);
      if (!matches.isEmpty()) {
        return matches.get(0);
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "no " + kind + " span '" + name + "' within " + timeout + "; spans: " + spans());
      }
      Thread.sleep(20);
    }
  }

  List<SpanData> named(String name, SpanKind kind) {
    List<SpanData> out = new ArrayList<>();
    for (SpanData s : spans()) {
      if (s.getName().equals(name) && s.getKind() == kind) {
        out.add(s);
      }
    }
    return out;
  }

  void close() {
    otel.close();
  }
}
