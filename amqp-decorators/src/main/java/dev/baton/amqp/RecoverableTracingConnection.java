package dev.baton.amqp;

import com.rabbitmq.client.RecoverableConnection;
import com.rabbitmq.client.Recoverable;

/**
 * A {@link TracingConnection} over a connection with automatic recovery: it stays a
 * {@link RecoverableConnection}, and its channels stay recoverable. Recovery listeners are
 * registered on the wrapped connection and receive it, not this wrapper.
 */
final class RecoverableTracingConnection extends TracingConnection
    implements RecoverableConnection, ForwardingRecoverable {

  private final RecoverableConnection recoverable;

  RecoverableTracingConnection(RecoverableConnection delegate, AmqpSpans spans) {
    super(delegate, spans);
    this.recoverable = delegate;
  }

  @Override
  public Recoverable recoverable() {
    return recoverable;
  }
}
