package dev.baton.spring;

import static dev.baton.core.internal.AmqpConventions.publishDestination;
import static dev.baton.core.internal.AmqpConventions.receiveDestination;
import static dev.baton.core.internal.AmqpConventions.setRoutingKey;

import dev.baton.amqp.AmqpTracing;
import dev.baton.core.BatonTracing;
import dev.baton.core.internal.AmqpConventions;
import dev.baton.core.internal.Inbound;
import dev.baton.core.internal.MessagingMetrics;
import dev.baton.core.internal.OperationTimer;
import dev.baton.core.internal.Propagation;
import dev.baton.core.internal.SemConv;
import dev.baton.core.internal.Spans;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;

/**
 * The spans of Spring AMQP's {@code RabbitTemplate} and listener containers, with the same names,
 * kinds and attributes as {@code baton-amqp-decorators} makes on a wrapped channel (semantic
 * conventions v1.44), read from Spring's {@code MessageProperties} instead of amqp-client's
 * {@code BasicProperties}. Built once; thread-safe.
 */
final class RabbitSpans {

  static final String SCOPE = "dev.baton.amqp";

  final Tracer tracer;
  final Propagation<Map<String, Object>> propagation;
  final boolean endPublishOnConfirm;
  /** {@code messaging.process.duration} and friends of listener deliveries; {@code null} when off. */
  final MessagingMetrics metrics;

  RabbitSpans(BatonTracing baton, boolean endPublishOnConfirm) {
    this.metrics = MessagingMetrics.create(
        baton, SCOPE, SemConv.SYSTEM_RABBITMQ, "publish", "process", null, "process");
    this.tracer = Spans.tracer(baton, SCOPE);
    this.propagation = Propagation.of(baton, AmqpTracing.headersCarrier());
    this.endPublishOnConfirm = endPublishOnConfirm;
  }

  /** A PRODUCER {@code publish {exchange}} span, child of the current context, started. */
  Span startPublish(Message message, String exchange, String routingKey, String host, int port) {
    boolean defaultExchange = exchange == null || exchange.isEmpty();
    SpanBuilder b =
        Spans.messaging(
                tracer,
                SpanKind.PRODUCER,
                SemConv.SYSTEM_RABBITMQ,
                SemConv.OP_SEND,
                "publish",
                defaultExchange ? AmqpConventions.DEFAULT_EXCHANGE : exchange,
                publishDestination(exchange, routingKey))
            .setParent(Context.current());
    if (host != null) {
      b.setAttribute(SemConv.SERVER_ADDRESS, host);
      if (port > 0) {
        b.setAttribute(SemConv.SERVER_PORT, (long) port);
      }
    }
    Span span = b.startSpan();
    if (span.isRecording()) {
      setRoutingKey(span, routingKey);
      setMessageAttributes(span, message);
    }
    return span;
  }

  /**
   * A delivery reaches a listener: counted, its wait since the {@code timestamp} property recorded,
   * and the timer of its processing returned ({@code null} when not measured). The queue is left
   * out when its name was generated ({@code amq.gen-…} by the broker, {@code spring.gen-…} by
   * Spring's {@code AnonymousQueue}), as in {@code baton-amqp-decorators}.
   */
  OperationTimer deliveryTimer(Message message) {
    if (metrics == null) {
      return null;
    }
    MessageProperties props = message.getMessageProperties();
    String queue = props.getConsumerQueue();
    String destination =
        queue == null || queue.isEmpty() || queue.startsWith("amq.gen-")
                || queue.startsWith("spring.gen-")
            ? null
            : queue;
    metrics.consumed(destination, null, 1);
    Date timestamp = props.getTimestamp();
    return metrics.startProcess(destination, null, timestamp == null ? -1 : timestamp.getTime());
  }

  /**
   * The context one delivery is processed in: a CONSUMER {@code process {queue}} span under the
   * message's context as the inbound policy says.
   */
  Context startProcess(Message message) {
    MessageProperties props = message.getMessageProperties();
    Inbound inbound = propagation.inbound(Context.current(), props.getHeaders());
    String queue = props.getConsumerQueue();
    String routingKey = props.getReceivedRoutingKey();
    String destination = receiveDestination(props.getReceivedExchange(), routingKey, queue);
    SpanBuilder b = process(queue == null || queue.isEmpty() ? destination : queue, destination);
    inbound.applyTo(b);
    Span span = b.startSpan();
    if (span.isRecording()) {
      setRoutingKey(span, routingKey);
      span.setAttribute(SemConv.MESSAGING_RABBITMQ_MESSAGE_DELIVERY_TAG, props.getDeliveryTag());
      setMessageAttributes(span, message);
    }
    return inbound.parent().with(span);
  }

  /**
   * The context a batch of deliveries is processed in: one CONSUMER {@code process {queue}} span,
   * child of the current context, with a link to each message's context.
   */
  Context startBatch(List<?> messages) {
    Context parent = Context.current();
    String queue = null;
    for (Object o : messages) {
      if (o instanceof Message) {
        queue = ((Message) o).getMessageProperties().getConsumerQueue();
        break;
      }
    }
    SpanBuilder b =
        process(queue, queue)
            .setParent(parent)
            .setAttribute(SemConv.MESSAGING_BATCH_MESSAGE_COUNT, (long) messages.size());
    for (Object o : messages) {
      if (o instanceof Message) {
        SpanContext remote =
            propagation
                .inbound(Context.root(), ((Message) o).getMessageProperties().getHeaders())
                .remote();
        if (remote.isValid()) {
          b.addLink(remote);
        }
      }
    }
    return parent.with(b.startSpan());
  }

  /** A CONSUMER {@code process {spanDestination}} span builder, not started. */
  private SpanBuilder process(String spanDestination, String destinationName) {
    return Spans.messaging(
        tracer,
        SpanKind.CONSUMER,
        SemConv.SYSTEM_RABBITMQ,
        SemConv.OP_PROCESS,
        "process",
        spanDestination,
        destinationName);
  }

  private static void setMessageAttributes(Span span, Message message) {
    MessageProperties props = message.getMessageProperties();
    byte[] body = message.getBody();
    AmqpConventions.setMessageAttributes(
        span, props.getMessageId(), props.getCorrelationId(), body == null ? -1 : body.length);
  }
}
