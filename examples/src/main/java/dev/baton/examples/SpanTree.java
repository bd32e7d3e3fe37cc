package dev.baton.examples;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanId;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Keeps every finished span of the demo and prints them as trees, one per trace: kind, name,
 * and the outcome of calls that did not end OK. Thread-safe.
 */
final class SpanTree implements SpanExporter {

  private static final AttributeKey<String> RPC_STATUS_CODE =
      AttributeKey.stringKey("rpc.response.status_code");
  private static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

  private final List<SpanData> spans = new ArrayList<>();

  @Override
  public synchronized CompletableResultCode export(Collection<SpanData> batch) {
    spans.addAll(batch);
    notifyAll();
    return CompletableResultCode.ofSuccess();
  }

  /** Waits until {@code count} spans have ended; returns whether they did within the timeout. */
  synchronized boolean awaitSpans(int count, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (spans.size() < count) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      wait(Math.max(1, left / 1_000_000));
    }
    return true;
  }

  /** Prints each trace, in the order the traces started. */
  synchronized void print(PrintStream out) {
    Map<String, List<SpanData>> traces = spans.stream()
        .sorted(Comparator.comparingLong(SpanData::getStartEpochNanos))
        .collect(Collectors.groupingBy(SpanData::getTraceId, LinkedHashMap::new, Collectors.toList()));
    traces.forEach((traceId, trace) -> {
      out.println();
      out.println("trace " + traceId + " (" + trace.size() + " spans)");
      Set<String> ids = trace.stream().map(SpanData::getSpanId).collect(Collectors.toSet());
      for (SpanData span : trace) {
        if (!ids.contains(span.getParentSpanId())) {
          print(out, span, trace, "  ", "  ");
        }
      }
    });
  }

  private void print(
      PrintStream out, SpanData span, List<SpanData> trace, String firstPrefix, String prefix) {
    out.printf("%s%-8s %s%s%n", firstPrefix, span.getKind(), span.getName(), outcome(span));
    List<SpanData> children = trace.stream()
        .filter(s -> s.getParentSpanId().equals(span.getSpanId())
            && !SpanId.getInvalid().equals(s.getParentSpanId()))
        .toList();
    for (int i = 0; i < children.size(); i++) {
      boolean last = i == children.size() - 1;
      print(out, children.get(i), trace,
          prefix + (last ? "`-- " : "|-- "),
          prefix + (last ? "    " : "|   "));
    }
  }

  private static String outcome(SpanData span) {
    String rpcStatus = span.getAttributes().get(RPC_STATUS_CODE);
    String errorType = span.getAttributes().get(ERROR_TYPE);
    if (span.getStatus().getStatusCode() == StatusCode.ERROR) {
      return "   [error: " + (errorType != null ? errorType : span.getStatus().getDescription()) + "]";
    }
    if (rpcStatus != null && !"OK".equals(rpcStatus)) {
      return "   [" + rpcStatus + "]";
    }
    return "";
  }

  @Override
  public CompletableResultCode flush() {
    return CompletableResultCode.ofSuccess();
  }

  @Override
  public CompletableResultCode shutdown() {
    return CompletableResultCode.ofSuccess();
  }
}
