package dev.baton.amqp;

import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;

/**
 * The recovery-listener methods a traced channel or connection over a recovering one forwards,
 * written once for both ({@link RecoverableTracingChannel}, {@link RecoverableTracingConnection}).
 * Listeners are registered on the wrapped object and receive it, not the wrapper.
 */
interface ForwardingRecoverable extends Recoverable {

  /** The wrapped channel or connection. */
  Recoverable recoverable();

  @Override
  default void addRecoveryListener(RecoveryListener listener) {
    recoverable().addRecoveryListener(listener);
  }

  @Override
  default void removeRecoveryListener(RecoveryListener listener) {
    recoverable().removeRecoveryListener(listener);
  }
}
