package dev.baton.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Consumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import dev.baton.core.internal.Faults;
import dev.baton.core.internal.ProcessScope;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import java.io.IOException;

/**
 * Runs each delivery of the wrapped {@link Consumer} inside a CONSUMER {@code process {queue}}
 * span ({@code process} for a temporary or anonymous queue), made current for the whole callback and ended when it returns. The callback's exception is
 * recorded and rethrown unchanged, so amqp-client's exception handler sees exactly what it would
 * have seen. Every other callback passes straight through.
 *
 * <p>With automatic recovery, amqp-client re-subscribes this object, so deliveries after a
 * recovery are traced too.
 */
final class TracingConsumer implements Consumer {

  private final Consumer delegate;
  private final String queue;
  /** {@link TemporaryQueues} flags of {@link #queue}, decided once when consuming starts. */
  private final int queueFlags;
  private final AmqpSpans spans;
  private final ServerEndpoint endpoint;
  /** Where deliveries wait for their settle span; {@code null} without settle spans or auto-ack. */
  private final UnsettledMessages unsettled;

  TracingConsumer(
      Consumer delegate,
      String queue,
      int queueFlags,
      AmqpSpans spans,
      ServerEndpoint endpoint,
      UnsettledMessages unsettled) {
    this.delegate = delegate;
    this.queue = queue;
    this.queueFlags = queueFlags;
    this.spans = spans;
    this.endpoint = endpoint;
    this.unsettled = unsettled;
  }

  @Override
  public void handleDelivery(
      String consumerTag, Envelope envelope, AMQP.BasicProperties properties, byte[] body)
      throws IOException {
    Context context;
    try {
      context =
          spans.startProcess(
              Context.current(),
              queue,
              queueFlags,
              envelope,
              properties,
              body == null ? -1 : body.length,
              endpoint,
              unsettled);
    } catch (RuntimeException e) {
      // Baton's fault: the message is still delivered, untraced.
      Faults.report("amqp process span", e);
      delegate.handleDelivery(consumerTag, envelope, properties, body);
      return;
    }
    ProcessScope scope = ProcessScope.open(context, Span.fromContext(context),
        AmqpMetrics.delivered(spans.metrics(), queue, queueFlags, properties));
    // ProcessScope.run, written out: a lambda here would capture five values per delivery.
    try {
      delegate.handleDelivery(consumerTag, envelope, properties, body);
    } catch (Throwable t) {
      scope.recordException(t);
      throw t;
    } finally {
      scope.close();
    }
  }

  @Override
  public void handleConsumeOk(String consumerTag) {
    delegate.handleConsumeOk(consumerTag);
  }

  @Override
  public void handleCancelOk(String consumerTag) {
    delegate.handleCancelOk(consumerTag);
  }

  @Override
  public void handleCancel(String consumerTag) throws IOException {
    delegate.handleCancel(consumerTag);
  }

  @Override
  public void handleShutdownSignal(String consumerTag, ShutdownSignalException sig) {
    delegate.handleShutdownSignal(consumerTag, sig);
  }

  @Override
  public void handleRecoverOk(String consumerTag) {
    delegate.handleRecoverOk(consumerTag);
  }

  @Override
  public String toString() {
    return "TracingConsumer{" + delegate + "}";
  }
}
