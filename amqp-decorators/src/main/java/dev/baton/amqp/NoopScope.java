package dev.baton.amqp;

import io.opentelemetry.api.trace.Span;

/** The processing scope when Baton failed to start one: processing goes on, untraced. */
final class NoopScope implements AmqpTracing.ProcessingScope {

  static final NoopScope INSTANCE = new NoopScope();

  private NoopScope() {}

  @Override
  public Span span() {
    return Span.getInvalid();
  }

  @Override
  public void recordException(Throwable error) {}

  @Override
  public void close() {}
}
