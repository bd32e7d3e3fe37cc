package dev.baton.spring;

import dev.baton.core.internal.Faults;
import dev.baton.core.internal.Spans;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import java.util.function.BiConsumer;
import org.springframework.amqp.core.Correlation;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessagePostProcessor;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.rabbit.core.RabbitTemplate;

/**
 * A {@code RabbitTemplate} before-publish post-processor: starts the PRODUCER
 * {@code publish {exchange}} span (child of the current context) and writes its context into the
 * message headers, replacing earlier trace headers. Added last to the template's post-processors,
 * so it writes into the message that is actually sent.
 *
 * <p><b>When the span ends.</b> The template offers no hook after {@code basicPublish}, so the span
 * ends once the message is ready to go out, except when the broker's answer can be observed: with
 * {@code baton.amqp.publish.end.on.confirm=true}, a connection factory in correlated
 * publisher-confirm mode and a send that carries a {@code CorrelationData}, the span ends on the
 * broker's ack or nack (or the nack Spring reports when the channel closes first).
 */
final class TracingPublishPostProcessor implements MessagePostProcessor {

  private final RabbitSpans spans;
  private final RabbitTemplate template;
  private final String host;
  private final int port;

  TracingPublishPostProcessor(RabbitSpans spans, RabbitTemplate template) {
    this.spans = spans;
    this.template = template;
    String h = null;
    int p = -1;
    try {
      ConnectionFactory cf = template.getConnectionFactory();
      h = cf.getHost();
      p = cf.getPort();
    } catch (RuntimeException e) {
      Faults.report("spring rabbit endpoint", e);
    }
    this.host = h;
    this.port = p;
  }

  @Override
  public Message postProcessMessage(Message message) {
    return postProcessMessage(message, null, template.getExchange(), template.getRoutingKey());
  }

  @Override
  public Message postProcessMessage(Message message, Correlation correlation) {
    return postProcessMessage(
        message, correlation, template.getExchange(), template.getRoutingKey());
  }

  @Override
  public Message postProcessMessage(
      Message message, Correlation correlation, String exchange, String routingKey) {
    if (message == null) {
      return null;
    }
    Span span = null;
    try {
      span = spans.startPublish(message, exchange, routingKey, host, port);
      spans.propagation.inject(
          Context.current().with(span), message.getMessageProperties().getHeaders());
      if (spans.endPublishOnConfirm
          && correlation instanceof CorrelationData
          && template.getConnectionFactory().isPublisherConfirms()) {
        ((CorrelationData) correlation).getFuture().whenComplete(new EndOnConfirm(span));
      } else {
        span.end();
      }
    } catch (RuntimeException e) {
      Faults.abandon("spring rabbit publish", e, span);
    }
    return message;
  }

  /** Ends a publish span with the broker's confirm: a nack marks it as an error. */
  static final class EndOnConfirm implements BiConsumer<CorrelationData.Confirm, Throwable> {
    private final Span span;

    EndOnConfirm(Span span) {
      this.span = span;
    }

    @Override
    public void accept(CorrelationData.Confirm confirm, Throwable error) {
      try {
        if (error != null) {
          Spans.recordException(span, error);
        } else if (confirm != null && !confirm.ack()) {
          Spans.markError(span, "nack", confirm.reason());
        }
      } finally {
        span.end();
      }
    }
  }
}
