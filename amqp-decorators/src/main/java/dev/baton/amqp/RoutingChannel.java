package dev.baton.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.CancelCallback;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Consumer;
import com.rabbitmq.client.ConsumerShutdownSignalCallback;
import com.rabbitmq.client.DeliverCallback;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.WriteListener;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;

/**
 * The routing layer between {@link ForwardingChannel} and {@link TracingChannel}: every overload
 * of {@code basicPublish}, {@code basicConsume}, {@code basicGet}, {@code basicAck},
 * {@code basicNack} and {@code basicReject} goes to one method per operation, with amqp-client's
 * own defaults filled in for the short overloads, so the subclass decides about tracing once per
 * operation and never per overload; queue declarations and deletions are reported, after the
 * call, to one method each. The functional {@code basicConsume} overloads become one
 * {@link Consumer} ({@link CallbackConsumer}), as amqp-client does itself. Nothing here traces.
 */
abstract class RoutingChannel extends ForwardingChannel {

  static final int ACK = 0;
  static final int NACK = 1;
  static final int REJECT = 2;

  RoutingChannel(Channel delegate) {
    super(delegate);
  }

  /** Every publish: exactly one of {@code body} and {@code buffer} is the message body. */
  abstract void publish(
      String exchange,
      String routingKey,
      boolean mandatory,
      boolean immediate,
      AMQP.BasicProperties props,
      byte[] body,
      ByteBuffer buffer,
      WriteListener listener)
      throws IOException;

  /** Every {@code basicConsume}, with a {@link Consumer} (possibly {@code null}). */
  abstract String consume(
      String queue,
      boolean autoAck,
      String consumerTag,
      boolean noLocal,
      boolean exclusive,
      Map<String, Object> arguments,
      Consumer callback)
      throws IOException;

  /** {@code basicGet}. */
  abstract GetResponse get(String queue, boolean autoAck) throws IOException;

  /** {@code basicAck} ({@link #ACK}), {@code basicNack} ({@link #NACK}), {@code basicReject}. */
  abstract void settle(int kind, long deliveryTag, boolean multiple, boolean requeue)
      throws IOException;

  /**
   * A queue was declared (after the broker answered, or right after a no-wait declaration).
   *
   * @param queue its name; for a no-wait declaration, the name asked for (empty when the server
   *     chooses it, which stays unknown here)
   * @param serverNamed whether the server chose the name
   */
  abstract void queueDeclared(
      String queue, boolean serverNamed, boolean exclusive, boolean autoDelete);

  /** A queue was deleted (after the broker answered, or right after a no-wait deletion). */
  abstract void queueDeleted(String queue);

  /** Sends a routed publish to the delegate's overload that has its arguments. */
  final void delegatePublish(
      String exchange,
      String routingKey,
      boolean mandatory,
      boolean immediate,
      AMQP.BasicProperties props,
      byte[] body,
      ByteBuffer buffer,
      WriteListener listener)
      throws IOException {
    if (buffer == null && listener == null) {
      delegate.basicPublish(exchange, routingKey, mandatory, immediate, props, body);
    } else {
      delegate.basicPublish(exchange, routingKey, mandatory, immediate, props, buffer, listener);
    }
  }

  /** Sends a routed settle to the delegate's method of that kind. */
  final void delegateSettle(int kind, long deliveryTag, boolean multiple, boolean requeue)
      throws IOException {
    if (kind == ACK) {
      delegate.basicAck(deliveryTag, multiple);
    } else if (kind == NACK) {
      delegate.basicNack(deliveryTag, multiple, requeue);
    } else {
      delegate.basicReject(deliveryTag, requeue);
    }
  }

  // ---- publish ----

  @Override
  public void basicPublish(
      String exchange, String routingKey, AMQP.BasicProperties props, byte[] body)
      throws IOException {
    publish(exchange, routingKey, false, false, props, body, null, null);
  }

  @Override
  public void basicPublish(
      String exchange,
      String routingKey,
      boolean mandatory,
      AMQP.BasicProperties props,
      byte[] body)
      throws IOException {
    publish(exchange, routingKey, mandatory, false, props, body, null, null);
  }

  @Override
  public void basicPublish(
      String exchange,
      String routingKey,
      boolean mandatory,
      boolean immediate,
      AMQP.BasicProperties props,
      byte[] body)
      throws IOException {
    publish(exchange, routingKey, mandatory, immediate, props, body, null, null);
  }

  @Override
  public void basicPublish(
      String exchange,
      String routingKey,
      boolean mandatory,
      boolean immediate,
      AMQP.BasicProperties props,
      ByteBuffer body,
      WriteListener listener)
      throws IOException {
    publish(exchange, routingKey, mandatory, immediate, props, null, body, listener);
  }

  // ---- queues: declared and deleted, reported after the call ----

  @Override
  public AMQP.Queue.DeclareOk queueDeclare() throws IOException {
    AMQP.Queue.DeclareOk ok = delegate.queueDeclare();
    if (ok != null) {
      // Server-named, exclusive, auto-delete, as amqp-client declares it.
      queueDeclared(ok.getQueue(), true, true, true);
    }
    return ok;
  }

  @Override
  public AMQP.Queue.DeclareOk queueDeclare(
      String queue,
      boolean durable,
      boolean exclusive,
      boolean autoDelete,
      Map<String, Object> arguments)
      throws IOException {
    AMQP.Queue.DeclareOk ok =
        delegate.queueDeclare(queue, durable, exclusive, autoDelete, arguments);
    if (ok != null) {
      queueDeclared(ok.getQueue(), queue == null || queue.isEmpty(), exclusive, autoDelete);
    }
    return ok;
  }

  @Override
  public void queueDeclareNoWait(
      String queue,
      boolean durable,
      boolean exclusive,
      boolean autoDelete,
      Map<String, Object> arguments)
      throws IOException {
    delegate.queueDeclareNoWait(queue, durable, exclusive, autoDelete, arguments);
    // Without an answer a server-chosen name stays unknown here (amq.gen- still tells).
    queueDeclared(queue, false, exclusive, autoDelete);
  }

  @Override
  public AMQP.Queue.DeleteOk queueDelete(String queue) throws IOException {
    AMQP.Queue.DeleteOk ok = delegate.queueDelete(queue);
    queueDeleted(queue);
    return ok;
  }

  @Override
  public AMQP.Queue.DeleteOk queueDelete(String queue, boolean ifUnused, boolean ifEmpty)
      throws IOException {
    AMQP.Queue.DeleteOk ok = delegate.queueDelete(queue, ifUnused, ifEmpty);
    queueDeleted(queue);
    return ok;
  }

  @Override
  public void queueDeleteNoWait(String queue, boolean ifUnused, boolean ifEmpty)
      throws IOException {
    delegate.queueDeleteNoWait(queue, ifUnused, ifEmpty);
    queueDeleted(queue);
  }

  // ---- consume ----

  @Override
  public String basicConsume(String queue, Consumer callback) throws IOException {
    return consume(queue, false, "", false, false, null, callback);
  }

  @Override
  public String basicConsume(
      String queue, DeliverCallback deliverCallback, CancelCallback cancelCallback)
      throws IOException {
    return consume(queue, false, "", false, false, null,
        callbacks(deliverCallback, cancelCallback, null));
  }

  @Override
  public String basicConsume(
      String queue,
      DeliverCallback deliverCallback,
      ConsumerShutdownSignalCallback shutdownSignalCallback)
      throws IOException {
    return consume(queue, false, "", false, false, null,
        callbacks(deliverCallback, null, shutdownSignalCallback));
  }

  @Override
  public String basicConsume(
      String queue,
      DeliverCallback deliverCallback,
      CancelCallback cancelCallback,
      ConsumerShutdownSignalCallback shutdownSignalCallback)
      throws IOException {
    return consume(queue, false, "", false, false, null,
        callbacks(deliverCallback, cancelCallback, shutdownSignalCallback));
  }

  @Override
  public String basicConsume(String queue, boolean autoAck, Consumer callback) throws IOException {
    return consume(queue, autoAck, "", false, false, null, callback);
  }

  @Override
  public String basicConsume(
      String queue,
      boolean autoAck,
      DeliverCallback deliverCallback,
      CancelCallback cancelCallback)
      throws IOException {
    return consume(queue, autoAck, "", false, false, null,
        callbacks(deliverCallback, cancelCallback, null));
  }

  @Override
  public String basicConsume(
      String queue,
      boolean autoAck,
      DeliverCallback deliverCallback,
      ConsumerShutdownSignalCallback shutdownSignalCallback)
      throws IOException {
    return consume(queue, autoAck, "", false, false, null,
        callbacks(deliverCallback, null, shutdownSignalCallback));
  }

  @Override
  public String basicConsume(
      String queue,
      boolean autoAck,
      DeliverCallback deliverCallback,
      CancelCallback cancelCallback,
      ConsumerShutdownSignalCallback shutdownSignalCallback)
      throws IOException {
    return consume(queue, autoAck, "", false, false, null,
        callbacks(deliverCallback, cancelCallback, shutdownSignalCallback));
  }

  @Override
  public String basicConsume(
      String queue, boolean autoAck, Map<String, Object> arguments, Consumer callback)
      throws IOException {
    return consume(queue, autoAck, "", false, false, arguments, callback);
  }

  @Override
  public String basicConsume(
      String queue,
      boolean autoAck,
      Map<String, Object> arguments,
      DeliverCallback deliverCallback,
      CancelCallback cancelCallback)
      throws IOException {
    return consume(queue, autoAck, "", false, false, arguments,
        callbacks(deliverCallback, cancelCallback, null));
  }

  @Override
  public String basicConsume(
      String queue,
      boolean autoAck,
      Map<String, Object> arguments,
      DeliverCallback deliverCallback,
      ConsumerShutdownSignalCallback shutdownSignalCallback)
      throws IOException {
    return consume(queue, autoAck, "", false, false, arguments,
        callbacks(deliverCallback, null, shutdownSignalCallback));
  }

  @Override
  public String basicConsume(
      String queue,
      boolean autoAck,
      Map<String, Object> arguments,
      DeliverCallback deliverCallback,
      CancelCallback cancelCallback,
      ConsumerShutdownSignalCallback shutdownSignalCallback)
      throws IOException {
    return consume(queue, autoAck, "", false, false, arguments,
        callbacks(deliverCallback, cancelCallback, shutdownSignalCallback));
  }

  @Override
  public String basicConsume(String queue, boolean autoAck, String consumerTag, Consumer callback)
      throws IOException {
    return consume(queue, autoAck, consumerTag, false, false, null, callback);
  }

  @Override
  public String basicConsume(
      String queue,
      boolean autoAck,
      String consumerTag,
      DeliverCallback deliverCallback,
      CancelCallback cancelCallback)
      throws IOException {
    return consume(queue, autoAck, consumerTag, false, false, null,
        callbacks(deliverCallback, cancelCallback, null));
  }

  @Override
  public String basicConsume(
      String queue,
      boolean autoAck,
      String consumerTag,
      DeliverCallback deliverCallback,
      ConsumerShutdownSignalCallback shutdownSignalCallback)
      throws IOException {
    return consume(queue, autoAck, consumerTag, false, false, null,
        callbacks(deliverCallback, null, shutdownSignalCallback));
  }

  @Override
  public String basicConsume(
      String queue,
      boolean autoAck,
      String consumerTag,
      DeliverCallback deliverCallback,
      CancelCallback cancelCallback,
      ConsumerShutdownSignalCallback shutdownSignalCallback)
      throws IOException {
    return consume(queue, autoAck, consumerTag, false, false, null,
        callbacks(deliverCallback, cancelCallback, shutdownSignalCallback));
  }

  @Override
  public String basicConsume(
      String queue,
      boolean autoAck,
      String consumerTag,
      boolean noLocal,
      boolean exclusive,
      Map<String, Object> arguments,
      Consumer callback)
      throws IOException {
    return consume(queue, autoAck, consumerTag, noLocal, exclusive, arguments, callback);
  }

  @Override
  public String basicConsume(
      String queue,
      boolean autoAck,
      String consumerTag,
      boolean noLocal,
      boolean exclusive,
      Map<String, Object> arguments,
      DeliverCallback deliverCallback,
      CancelCallback cancelCallback)
      throws IOException {
    return consume(queue, autoAck, consumerTag, noLocal, exclusive, arguments,
        callbacks(deliverCallback, cancelCallback, null));
  }

  @Override
  public String basicConsume(
      String queue,
      boolean autoAck,
      String consumerTag,
      boolean noLocal,
      boolean exclusive,
      Map<String, Object> arguments,
      DeliverCallback deliverCallback,
      ConsumerShutdownSignalCallback shutdownSignalCallback)
      throws IOException {
    return consume(queue, autoAck, consumerTag, noLocal, exclusive, arguments,
        callbacks(deliverCallback, null, shutdownSignalCallback));
  }

  @Override
  public String basicConsume(
      String queue,
      boolean autoAck,
      String consumerTag,
      boolean noLocal,
      boolean exclusive,
      Map<String, Object> arguments,
      DeliverCallback deliverCallback,
      CancelCallback cancelCallback,
      ConsumerShutdownSignalCallback shutdownSignalCallback)
      throws IOException {
    return consume(queue, autoAck, consumerTag, noLocal, exclusive, arguments,
        callbacks(deliverCallback, cancelCallback, shutdownSignalCallback));
  }

  private static Consumer callbacks(
      DeliverCallback deliverCallback,
      CancelCallback cancelCallback,
      ConsumerShutdownSignalCallback shutdownSignalCallback) {
    if (deliverCallback == null) {
      throw new NullPointerException("deliverCallback == null");
    }
    return new CallbackConsumer(deliverCallback, cancelCallback, shutdownSignalCallback);
  }

  // ---- get ----

  @Override
  public GetResponse basicGet(String queue, boolean autoAck) throws IOException {
    return get(queue, autoAck);
  }

  // ---- settle ----

  @Override
  public void basicAck(long deliveryTag, boolean multiple) throws IOException {
    settle(ACK, deliveryTag, multiple, false);
  }

  @Override
  public void basicNack(long deliveryTag, boolean multiple, boolean requeue) throws IOException {
    settle(NACK, deliveryTag, multiple, requeue);
  }

  @Override
  public void basicReject(long deliveryTag, boolean requeue) throws IOException {
    settle(REJECT, deliveryTag, false, requeue);
  }
}
