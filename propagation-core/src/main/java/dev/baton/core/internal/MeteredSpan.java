package dev.baton.core.internal;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.StatusCode;
import java.util.concurrent.TimeUnit;

/**
 * A producer span that also measures its operation: ending it records the
 * {@link OperationTimer}, so the send or publish duration is the span's own, however the span
 * ends (on the broker's answer, on a failure, evicted from a table of spans waiting, or when the
 * client closes). {@code error.type} written to the span is noted for the metric too.
 *
 * <p>Only for spans that are not made current around application code: such code may expect the
 * SDK's own span class behind {@code Span.current()}.
 */
final class MeteredSpan implements Span {

  private final Span delegate;
  final OperationTimer timer;

  MeteredSpan(Span delegate, OperationTimer timer) {
    this.delegate = delegate;
    this.timer = timer;
  }

  @Override
  public <T> Span setAttribute(AttributeKey<T> key, T value) {
    if (key == SemConv.ERROR_TYPE && value instanceof String) {
      timer.error((String) value);
    }
    delegate.setAttribute(key, value);
    return this;
  }

  @Override
  public Span addEvent(String name, Attributes attributes) {
    delegate.addEvent(name, attributes);
    return this;
  }

  @Override
  public Span addEvent(String name, Attributes attributes, long timestamp, TimeUnit unit) {
    delegate.addEvent(name, attributes, timestamp, unit);
    return this;
  }

  @Override
  public Span setStatus(StatusCode statusCode, String description) {
    delegate.setStatus(statusCode, description);
    return this;
  }

  @Override
  public Span recordException(Throwable exception, Attributes additionalAttributes) {
    delegate.recordException(exception, additionalAttributes);
    return this;
  }

  @Override
  public Span addLink(SpanContext spanContext, Attributes attributes) {
    delegate.addLink(spanContext, attributes);
    return this;
  }

  @Override
  public Span updateName(String name) {
    delegate.updateName(name);
    return this;
  }

  @Override
  public void end() {
    timer.end();
    delegate.end();
  }

  @Override
  public void end(long timestamp, TimeUnit unit) {
    timer.end();
    delegate.end(timestamp, unit);
  }

  @Override
  public SpanContext getSpanContext() {
    return delegate.getSpanContext();
  }

  @Override
  public boolean isRecording() {
    return delegate.isRecording();
  }

  @Override
  public String toString() {
    return "MeteredSpan{" + delegate + "}";
  }
}
