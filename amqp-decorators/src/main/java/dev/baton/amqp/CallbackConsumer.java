package dev.baton.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.CancelCallback;
import com.rabbitmq.client.Consumer;
import com.rabbitmq.client.ConsumerShutdownSignalCallback;
import com.rabbitmq.client.DeliverCallback;
import com.rabbitmq.client.Delivery;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;

/**
 * The functional {@code basicConsume} overloads as a {@link Consumer}, doing what amqp-client's own
 * adapter does: deliveries to the {@link DeliverCallback}, cancellation by the broker to the
 * {@link CancelCallback}, shutdown to the {@link ConsumerShutdownSignalCallback}, the rest
 * ignored. This lets every overload of {@code basicConsume} route into one traced method.
 *
 * @param deliverCallback receives every delivery; never {@code null}
 * @param cancelCallback receives cancellation by the broker, or {@code null}
 * @param shutdownSignalCallback receives the channel's or connection's shutdown, or {@code null}
 */
record CallbackConsumer(
    DeliverCallback deliverCallback,
    CancelCallback cancelCallback,
    ConsumerShutdownSignalCallback shutdownSignalCallback)
    implements Consumer {

  @Override
  public void handleDelivery(
      String consumerTag, Envelope envelope, AMQP.BasicProperties properties, byte[] body)
      throws IOException {
    deliverCallback.handle(consumerTag, new Delivery(envelope, properties, body));
  }

  @Override
  public void handleCancel(String consumerTag) throws IOException {
    if (cancelCallback != null) {
      cancelCallback.handle(consumerTag);
    }
  }

  @Override
  public void handleShutdownSignal(String consumerTag, ShutdownSignalException sig) {
    if (shutdownSignalCallback != null) {
      shutdownSignalCallback.handleShutdownSignal(consumerTag, sig);
    }
  }

  @Override
  public void handleConsumeOk(String consumerTag) {}

  @Override
  public void handleCancelOk(String consumerTag) {}

  @Override
  public void handleRecoverOk(String consumerTag) {}
}
