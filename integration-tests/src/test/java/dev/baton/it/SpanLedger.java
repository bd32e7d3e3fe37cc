package dev.baton.it;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;

/**
 * Keeps a small record of every ended span: the fault tests' evidence that each send, publish
 * and delivery made one span, that it ended, how (status, {@code error.type}), and whose child it
 * is. Smaller than the SDK's {@code SpanData} (no events, no stack traces), so runs of a few
 * hundred thousand spans fit in the test JVM.
 */
public final class SpanLedger implements SpanProcessor {

  static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
  static final AttributeKey<String> MESSAGE_ID = AttributeKey.stringKey("messaging.message.id");

  /** One ended span. {@code flags} holds Baton's own boolean attributes set to true. */
  public record Ended(String name, SpanKind kind, String traceId, String spanId,
      String parentSpanId, StatusCode status, String errorType, String messageId,
      List<String> flags, long startEpochNanos, long endEpochNanos) {

    public boolean isError() {
      return status == StatusCode.ERROR;
    }
  }

  private final ConcurrentLinkedQueue<Ended> ended = new ConcurrentLinkedQueue<>();
  private final LongAdder started = new LongAdder();

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
    Attributes attributes = span.getAttributes();
    List<String> flags = new ArrayList<>(1);
    attributes.forEach((key, value) -> {
      if (key.getKey().startsWith("baton.") && Boolean.TRUE.equals(value)) {
        flags.add(key.getKey());
      }
    });
    ended.add(new Ended(span.getName(), span.getKind(),
        span.getSpanContext().getTraceId(), span.getSpanContext().getSpanId(),
        span.getParentSpanContext().isValid() ? span.getParentSpanContext().getSpanId() : null,
        span.toSpanData().getStatus().getStatusCode(), attributes.get(ERROR_TYPE),
        attributes.get(MESSAGE_ID), List.copyOf(flags),
        span.toSpanData().getStartEpochNanos(), span.toSpanData().getEndEpochNanos()));
  }

  @Override
  public boolean isEndRequired() {
    return true;
  }

  public long started() {
    return started.sum();
  }

  /** Spans started and not ended yet. */
  public long open() {
    return started.sum() - ended.size();
  }

  /** Every span ended so far, in the order they ended. */
  public List<Ended> ended() {
    return new ArrayList<>(ended);
  }

  /** The ended spans of this kind. */
  public List<Ended> ended(SpanKind kind) {
    List<Ended> out = new ArrayList<>();
    for (Ended e : ended) {
      if (e.kind() == kind) {
        out.add(e);
      }
    }
    return out;
  }

  @Override
  public CompletableResultCode shutdown() {
    return CompletableResultCode.ofSuccess();
  }
}
