package dev.baton.examples.spring;

import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.ArrayList;
import java.util.List;

/**
 * Keeps every ended span in an {@link InMemorySpanExporter}, and draws one trace as a tree (the
 * example's stand-in for a backend).
 */
final class SpanTree {

  private final InMemorySpanExporter spans = InMemorySpanExporter.create();

  /** Where the application's SDK sends its spans. */
  SpanExporter exporter() {
    return spans;
  }

  /** Waits until no span has ended for a moment: the last listener's span ends after it returns. */
  void awaitQuiet() throws InterruptedException {
    int seen = -1;
    for (int i = 0; i < 50 && seen != spans.getFinishedSpanItems().size(); i++) {
      seen = spans.getFinishedSpanItems().size();
      Thread.sleep(100);
    }
  }

  String render(String traceId) {
    List<SpanData> trace = new ArrayList<>();
    for (SpanData s : spans.getFinishedSpanItems()) {
      if (s.getTraceId().equals(traceId)) {
        trace.add(s);
      }
    }
    StringBuilder out = new StringBuilder();
    out.append("trace ").append(traceId).append(" (").append(trace.size()).append(" spans)\n");
    for (SpanData root : trace) {
      if (!root.getParentSpanContext().isValid() || parentMissing(trace, root)) {
        draw(trace, root, "  ", out);
      }
    }
    return out.toString();
  }

  private static boolean parentMissing(List<SpanData> trace, SpanData span) {
    for (SpanData s : trace) {
      if (s.getSpanId().equals(span.getParentSpanId())) {
        return false;
      }
    }
    return true;
  }

  private static void draw(List<SpanData> trace, SpanData span, String indent, StringBuilder out) {
    out.append(indent)
        .append(String.format("%-9s", span.getKind()))
        .append(span.getName())
        .append("   [")
        .append(span.getInstrumentationScopeInfo().getName())
        .append("]\n");
    for (SpanData child : trace) {
      if (child.getParentSpanId().equals(span.getSpanId())) {
        draw(trace, child, indent + "  ", out);
      }
    }
  }
}
