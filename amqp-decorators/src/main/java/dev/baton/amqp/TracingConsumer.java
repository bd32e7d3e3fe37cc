package dev.baton.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Consumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import dev.baton.core.Faults;
import dev.baton.core.Spans;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.io.IOException;

/**
 * Runs each delivery of the wrapped {@link Consumer} inside a CONSUMER {@code process {queue}}
 * span, made current for the whole callback and ended when it returns. The callback's exception is
 * recorded and rethrown unchanged, so amqp-client's exception handler sees exactly what it would
 * have seen. Every other callback passes straight through.
 *
 * <p>With automatic recovery, amqp-client re-subscribes this object, so deliveries after a
 * recovery are traced too.
 */
final class TracingConsumer implements Consumer {

  private final Consumer delegate;
  private final String queue;
  private final AmqpSpans spans;
  private final ServerEndpoint endpoint;

  TracingConsumer(Consumer delegate, String queue, AmqpSpans spans, ServerEndpoint endpoint) {
    this.delegate = delegate;
    this.queue = queue;
    this.spans = spans;
    this.endpoint = endpoint;
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
              envelope,
              properties,
              body == null ? -1 : body.length,
              endpoint);
    } catch (RuntimeException e) {
      // Baton's fault: the message is still delivered, untraced.
      Faults.report("amqp process span", e);
      delegate.handleDelivery(consumerTag, envelope, properties, body);
      return;
    }
    Span span = Span.fromContext(context);
    Scope scope = context.makeCurrent();
    try {
      delegate.handleDelivery(consumerTag, envelope, properties, body);
    } catch (Throwable t) {
      Spans.recordException(span, t);
      throw t;
    } finally {
      scope.close();
      span.end();
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
