package dev.baton.amqp;

import com.rabbitmq.client.GetResponse;
import dev.baton.core.Spans;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;

/**
 * A started {@code process} span for a {@code basicGet} result, current on the thread that
 * started it until {@link #close()}, which restores the previous context and ends the span, once.
 */
final class Processing implements AmqpTracing.ProcessingScope {

  private final Span span;
  private final Scope scope;
  private boolean closed;

  private Processing(Span span, Scope scope) {
    this.span = span;
    this.scope = scope;
  }

  static Processing start(AmqpSpans spans, GetResponse response) {
    String queue = null;
    ServerEndpoint endpoint = null;
    if (response instanceof TracedGetResponse) {
      queue = ((TracedGetResponse) response).queue;
      endpoint = ((TracedGetResponse) response).endpoint;
    }
    byte[] body = response.getBody();
    Context context =
        spans.startProcess(
            Context.current(),
            queue,
            response.getEnvelope(),
            response.getProps(),
            body == null ? -1 : body.length,
            endpoint);
    return new Processing(Span.fromContext(context), context.makeCurrent());
  }

  @Override
  public Span span() {
    return span;
  }

  @Override
  public void recordException(Throwable error) {
    Spans.recordException(span, error);
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      scope.close();
    } finally {
      span.end();
    }
  }
}
