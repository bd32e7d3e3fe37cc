package dev.baton.amqp;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.RecoverableChannel;
import com.rabbitmq.client.RecoveryListener;

/**
 * A {@link TracingChannel} over a channel with automatic recovery: it stays a
 * {@link RecoverableChannel}, so code that registers recovery listeners keeps working. The
 * listeners are registered on the wrapped channel and receive it, not this wrapper.
 */
final class RecoverableTracingChannel extends TracingChannel implements RecoverableChannel {

  RecoverableTracingChannel(
      RecoverableChannel delegate,
      AmqpSpans spans,
      ServerEndpoint endpoint,
      Connection connection) {
    super(delegate, spans, endpoint, connection);
  }

  // The casts hold: the constructor takes only a RecoverableChannel.

  @Override
  public void addRecoveryListener(RecoveryListener listener) {
    ((RecoverableChannel) delegate).addRecoveryListener(listener);
  }

  @Override
  public void removeRecoveryListener(RecoveryListener listener) {
    ((RecoverableChannel) delegate).removeRecoveryListener(listener);
  }
}
