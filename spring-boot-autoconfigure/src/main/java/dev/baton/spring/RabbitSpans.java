package dev.baton.spring;

import dev.baton.core.BatonTracing;
import dev.baton.core.internal.Inbound;
import dev.baton.core.internal.Propagation;
import dev.baton.core.internal.SemConv;
import dev.baton.core.internal.Spans;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
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
  static final String DEFAULT_EXCHANGE = "amq.default";

  final Tracer tracer;
  final Propagation<Map<String, Object>> propagation;
  final boolean endPublishOnConfirm;

  RabbitSpans(BatonTracing baton, boolean endPublishOnConfirm) {
    this.tracer = Spans.tracer(baton, SCOPE);
    this.propagation = Propagation.of(baton, MessageHeadersCarrier.INSTANCE);
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
                defaultExchange ? DEFAULT_EXCHANGE : exchange,
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

  private static void setRoutingKey(Span span, String routingKey) {
    if (routingKey != null && !routingKey.isEmpty()) {
      span.setAttribute(SemConv.MESSAGING_RABBITMQ_DESTINATION_ROUTING_KEY, routingKey);
    }
  }

  private static void setMessageAttributes(Span span, Message message) {
    MessageProperties props = message.getMessageProperties();
    String messageId = props.getMessageId();
    if (messageId != null) {
      span.setAttribute(SemConv.MESSAGING_MESSAGE_ID, messageId);
    }
    String correlationId = props.getCorrelationId();
    if (correlationId != null) {
      span.setAttribute(SemConv.MESSAGING_MESSAGE_CONVERSATION_ID, correlationId);
    }
    byte[] body = message.getBody();
    if (body != null) {
      span.setAttribute(SemConv.MESSAGING_MESSAGE_BODY_SIZE, (long) body.length);
    }
  }

  /** {@code {exchange}:{routing key}}, the non-empty one alone, or {@code amq.default}. */
  static String publishDestination(String exchange, String routingKey) {
    boolean hasExchange = exchange != null && !exchange.isEmpty();
    boolean hasKey = routingKey != null && !routingKey.isEmpty();
    if (hasExchange && hasKey) {
      return exchange + ':' + routingKey;
    }
    if (hasExchange) {
      return exchange;
    }
    return hasKey ? routingKey : DEFAULT_EXCHANGE;
  }

  /**
   * {@code {exchange}:{routing key}:{queue}} without the empty parts, and without the queue when
   * it equals the routing key; {@code amq.default} when nothing is left.
   */
  static String receiveDestination(String exchange, String routingKey, String queue) {
    boolean hasExchange = exchange != null && !exchange.isEmpty();
    boolean hasKey = routingKey != null && !routingKey.isEmpty();
    boolean hasQueue = queue != null && !queue.isEmpty() && !(hasKey && queue.equals(routingKey));
    StringBuilder sb = new StringBuilder();
    if (hasExchange) {
      sb.append(exchange);
    }
    if (hasKey) {
      sb.append(sb.length() > 0 ? ":" : "").append(routingKey);
    }
    if (hasQueue) {
      sb.append(sb.length() > 0 ? ":" : "").append(queue);
    }
    return sb.length() == 0 ? DEFAULT_EXCHANGE : sb.toString();
  }
}
