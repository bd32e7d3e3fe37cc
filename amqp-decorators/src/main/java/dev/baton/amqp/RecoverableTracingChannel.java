package dev.baton.amqp;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.RecoverableChannel;
import com.rabbitmq.client.Recoverable;

/**
 * A {@link TracingChannel} over a channel with automatic recovery: it stays a
 * {@link RecoverableChannel}, so code that registers recovery listeners keeps working. The
 * listeners are registered on the wrapped channel and receive it, not this wrapper.
 */
final class RecoverableTracingChannel extends TracingChannel
    implements RecoverableChannel, ForwardingRecoverable {

  private final RecoverableChannel recoverable;

  RecoverableTracingChannel(
      RecoverableChannel delegate,
      AmqpSpans spans,
      ServerEndpoint endpoint,
      Connection connection) {
    super(delegate, spans, endpoint, connection);
    this.recoverable = delegate;
  }

  @Override
  public Recoverable recoverable() {
    return recoverable;
  }
}
