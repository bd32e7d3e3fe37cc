package dev.baton.examples;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Keeps every span the demo's services end, from all their SDKs, for the waterfall and the web
 * page. Thread-safe.
 */
final class SpanCollector implements SpanExporter {

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

  /** The spans ended so far, in the order they ended. */
  synchronized List<SpanData> spans() {
    return new ArrayList<>(spans);
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
