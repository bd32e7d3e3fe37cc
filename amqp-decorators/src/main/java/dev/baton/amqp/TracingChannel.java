package dev.baton.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.Consumer;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.RecoverableChannel;
import com.rabbitmq.client.WriteListener;
import dev.baton.core.internal.Faults;
import dev.baton.core.internal.MessagingMetrics;
import dev.baton.core.internal.OperationTimer;
import dev.baton.core.internal.Spans;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * The tracing decorator. {@link RoutingChannel} hands it one call per operation, whatever the
 * overload: {@link #publish}, {@link #consume}, {@link #get} and {@link #settle} (settle spans are
 * optional); this class holds only the tracing decisions for them. Queue declarations and
 * deletions ({@link #queueDeclared}, {@link #queueDeleted}) make no spans: they only note which
 * queues are temporary ({@link TemporaryQueues}). {@link #getConnection()} returns the traced
 * connection when this channel was created by one, so channels created from it are traced too.
 *
 * <p>Thread-safe as far as the wrapped channel is.
 */
sealed class TracingChannel extends RoutingChannel permits RecoverableTracingChannel {

  private final AmqpSpans spans;
  private final ServerEndpoint endpoint;
  private final Connection connection;
  /** With settle spans only: the messages delivered here and not yet settled. */
  private final UnsettledMessages unsettled;
  private volatile PublishConfirms confirms;

  TracingChannel(
      Channel delegate, AmqpSpans spans, ServerEndpoint endpoint, Connection connection) {
    super(delegate);
    this.spans = spans;
    this.endpoint = endpoint;
    this.connection = connection;
    if (spans.settleSpans) {
      unsettled = new UnsettledMessages();
      // Survives automatic recovery: amqp-client re-adds it to the recovered channel.
      delegate.addShutdownListener(unsettled);
    } else {
      unsettled = null;
    }
  }

  /**
   * Wraps {@code channel}, keeping its recoverability visible: a channel of a recovering
   * connection stays a {@link RecoverableChannel}, and any other does not claim to be one.
   *
   * @param connection the traced connection that created the channel, or {@code null}
   */
  static TracingChannel wrap(
      Channel channel, AmqpSpans spans, ServerEndpoint endpoint, Connection connection) {
    if (endpoint == null) {
      endpoint = new ServerEndpoint(channel.getConnection());
    }
    return channel instanceof RecoverableChannel
        ? new RecoverableTracingChannel((RecoverableChannel) channel, spans, endpoint, connection)
        : new TracingChannel(channel, spans, endpoint, connection);
  }

  @Override
  public Connection getConnection() {
    return connection != null ? connection : delegate.getConnection();
  }

  // ---- publish ----

  @Override
  void publish(
      String exchange,
      String routingKey,
      boolean mandatory,
      boolean immediate,
      AMQP.BasicProperties props,
      byte[] body,
      ByteBuffer buffer,
      WriteListener listener)
      throws IOException {
    Span span = null;
    AMQP.BasicProperties traced = props;
    PublishConfirms waiting = null;
    long seqNo = 0;
    try {
      Context parent = Context.current();
      long size = body != null ? body.length : buffer != null ? buffer.remaining() : -1;
      span = AmqpMetrics.timePublish(spans.metrics(),
          spans.startPublish(parent, exchange, routingKey, props, size, endpoint), exchange);
      traced = withContext(parent.with(span), props);
      if (spans.endPublishOnConfirm) {
        seqNo = delegate.getNextPublishSeqNo(); // 0 unless confirms are on
        if (seqNo > 0) {
          waiting = confirms();
          // Before the publish: the confirm may arrive before basicPublish returns.
          waiting.track(seqNo, span);
        }
      }
    } catch (RuntimeException e) {
      span = Faults.abandon("amqp publish span", e, span);
      traced = props;
      waiting = null;
    }
    try {
      delegatePublish(exchange, routingKey, mandatory, immediate, traced, body, buffer, listener);
    } catch (Throwable t) {
      if (span != null && (waiting == null || waiting.untrack(seqNo) != null)) {
        Spans.recordException(span, t);
        MessagingMetrics.answered(span);
        span.end();
      }
      throw t;
    }
    if (span != null && waiting == null) {
      MessagingMetrics.answered(span);
      span.end();
    }
  }

  /**
   * A copy of {@code props} whose headers carry {@code context}. The caller's properties and header
   * table are never changed (applications reuse them); every other property and header is kept,
   * and earlier trace headers are replaced. Properties stay {@code null}, and a {@code null}
   * table stays {@code null}, when there is nothing to write.
   */
  private AMQP.BasicProperties withContext(Context context, AMQP.BasicProperties props) {
    Map<String, Object> headers = props == null ? null : props.getHeaders();
    Map<String, Object> copy =
        headers == null ? new HashMap<>(4) : new HashMap<>(headers);
    spans.propagation().inject(context, copy);
    if (headers == null && copy.isEmpty()) {
      return props;
    }
    AMQP.BasicProperties.Builder b =
        props == null ? new AMQP.BasicProperties.Builder() : props.builder();
    return b.headers(copy).build();
  }

  private PublishConfirms confirms() {
    PublishConfirms c = confirms;
    if (c == null) {
      synchronized (this) {
        c = confirms;
        if (c == null) {
          c = new PublishConfirms(spans.maxPendingConfirms);
          // Both listeners survive automatic recovery: amqp-client re-adds them.
          delegate.addConfirmListener(c);
          delegate.addShutdownListener(c);
          confirms = c;
        }
      }
    }
    return c;
  }

  PublishConfirms pendingConfirms() {
    return confirms;
  }

  // ---- queues: which are temporary (no spans) ----

  @Override
  void queueDeclared(String queue, boolean serverNamed, boolean exclusive, boolean autoDelete) {
    try {
      spans.temporaryQueues.declared(queue, serverNamed, exclusive, autoDelete);
    } catch (RuntimeException e) {
      Faults.report("amqp queue declared", e);
    }
  }

  @Override
  void queueDeleted(String queue) {
    spans.temporaryQueues.deleted(queue);
  }

  // ---- consume ----

  @Override
  String consume(
      String queue,
      boolean autoAck,
      String consumerTag,
      boolean noLocal,
      boolean exclusive,
      Map<String, Object> arguments,
      Consumer callback)
      throws IOException {
    // A null consumer goes through as it is, so the client reports it as it always does.
    Consumer traced = null;
    if (callback != null) {
      int queueFlags = 0;
      try {
        queueFlags = spans.temporaryQueues.flags(queue);
      } catch (RuntimeException e) {
        Faults.report("amqp consume", e);
      }
      traced = new TracingConsumer(
          callback, queue, queueFlags, spans, endpoint, autoAck ? null : unsettled);
    }
    return delegate.basicConsume(
        queue, autoAck, consumerTag, noLocal, exclusive, arguments, traced);
  }

  // ---- get ----

  @Override
  GetResponse get(String queue, boolean autoAck) throws IOException {
    Span span;
    int queueFlags;
    try {
      queueFlags = spans.temporaryQueues.flags(queue);
      span = spans.startGet(Context.current(), queue, queueFlags, endpoint);
    } catch (RuntimeException e) {
      Faults.report("amqp get span", e);
      return delegate.basicGet(queue, autoAck);
    }
    OperationTimer timer = AmqpMetrics.startGet(spans.metrics(), queue, queueFlags);
    GetResponse response;
    try {
      response = delegate.basicGet(queue, autoAck);
    } catch (Throwable t) {
      Spans.recordException(span, t);
      span.end();
      AmqpMetrics.endGet(spans.metrics(), timer, queue, queueFlags, false, t);
      throw t;
    }
    AmqpMetrics.endGet(spans.metrics(), timer, queue, queueFlags, response != null, null);
    if (response == null) {
      span.end(); // an empty queue: the span says so by carrying no message attributes
      return null;
    }
    try {
      byte[] body = response.getBody();
      spans.onGetResult(span, queue, queueFlags, response.getEnvelope(), response.getProps(),
          body == null ? -1 : body.length, autoAck ? null : unsettled);
      return new TracedGetResponse(response, queue, queueFlags, endpoint);
    } catch (RuntimeException e) {
      Faults.report("amqp get result", e);
      return response;
    } finally {
      span.end();
    }
  }

  // ---- settle ----

  @Override
  void settle(int kind, long deliveryTag, boolean multiple, boolean requeue)
      throws IOException {
    Span span = null;
    if (spans.settleSpans) {
      try {
        span = spans.startSettle(
            kind == ACK ? AmqpSpans.OP_ACK : kind == NACK ? AmqpSpans.OP_NACK : AmqpSpans.OP_REJECT,
            deliveryTag,
            multiple,
            unsettled,
            endpoint);
      } catch (RuntimeException e) {
        Faults.report("amqp settle span", e);
      }
    }
    try {
      delegateSettle(kind, deliveryTag, multiple, requeue);
    } catch (Throwable t) {
      Spans.recordException(span, t);
      throw t;
    } finally {
      if (span != null) {
        span.end();
      }
    }
  }
}
