package dev.baton.amqp;

import com.rabbitmq.client.ShutdownListener;
import com.rabbitmq.client.ShutdownNotifier;
import com.rabbitmq.client.ShutdownSignalException;

/**
 * What {@link ForwardingChannel} and {@link ForwardingConnection} both forward: the
 * {@link ShutdownNotifier} methods that {@code Channel} and {@code Connection} share, written
 * once. Forwards and does nothing else.
 *
 * @param <T> the wrapped type
 */
abstract class ForwardingShutdownNotifier<T extends ShutdownNotifier> implements ShutdownNotifier {

  final T delegate;

  ForwardingShutdownNotifier(T delegate) {
    this.delegate = delegate;
  }

  @Override
  public void addShutdownListener(ShutdownListener listener) {
    delegate.addShutdownListener(listener);
  }

  @Override
  public void removeShutdownListener(ShutdownListener listener) {
    delegate.removeShutdownListener(listener);
  }

  @Override
  public ShutdownSignalException getCloseReason() {
    return delegate.getCloseReason();
  }

  @Override
  public void notifyListeners() {
    delegate.notifyListeners();
  }

  @Override
  public boolean isOpen() {
    return delegate.isOpen();
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "{" + delegate + "}";
  }
}
