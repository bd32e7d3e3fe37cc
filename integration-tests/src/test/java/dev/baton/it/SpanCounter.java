package dev.baton.it;

import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts spans started and ended, without keeping them: what the soak tests use to show that every
 * span ends (the SDK calls {@code onEnd} once per span, however often {@code end()} is called, so
 * {@code started == ended} at rest means none is left open and none ended twice).
 */
public final class SpanCounter implements SpanProcessor {

  private final LongAdder started = new LongAdder();
  private final LongAdder ended = new LongAdder();
  private final LongAdder errors = new LongAdder();

  @Override
  public void onStart(Context parentContext, ReadWriteSpan span) {
    started.increment();
  }

  @Override
  public boolean isStartRequired() {
    return true;
  }

  @Override
  public void onEnd(ReadableSpan span) {
    ended.increment();
    if (span.toSpanData().getStatus().getStatusCode() == io.opentelemetry.api.trace.StatusCode.ERROR) {
      errors.increment();
    }
  }

  @Override
  public boolean isEndRequired() {
    return true;
  }

  public long started() {
    return started.sum();
  }

  public long ended() {
    return ended.sum();
  }

  /** Ended spans with status ERROR. */
  public long errors() {
    return errors.sum();
  }

  /** Spans started and not ended yet. */
  public long open() {
    return started.sum() - ended.sum();
  }

  @Override
  public CompletableResultCode shutdown() {
    return CompletableResultCode.ofSuccess();
  }
}
