package dev.baton.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.GetResponse;
import dev.baton.core.BatonTracing;
import dev.baton.core.Inbound;
import dev.baton.core.ProcessingScope;
import dev.baton.core.Propagation;
import dev.baton.core.SemConv;
import dev.baton.core.Spans;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import java.util.Map;

/**
 * Everything one {@link AmqpTracing} needs per message, prepared once: the tracer, the propagation
 * for AMQP header tables, the settings, and the span recipes (names, kinds and attributes per
 * semantic conventions v1.44). Shared by every channel and consumer it wraps. Thread-safe.
 */
final class AmqpSpans {

  static final String INSTRUMENTATION_SCOPE = "dev.baton.amqp";

  /** {@code messaging.operation.name} values: the AMQP method each span stands for. */
  static final String OP_PUBLISH = "publish";
  static final String OP_PROCESS = "process";
  static final String OP_GET = "get";
  static final String OP_ACK = "ack";
  static final String OP_NACK = "nack";
  static final String OP_REJECT = "reject";

  /** What the conventions call the default exchange, whose real name is the empty string. */
  static final String DEFAULT_EXCHANGE = "amq.default";

  /**
   * Set on a publish span that ended before its confirm arrived, because the table of spans
   * waiting for confirms was full. Baton's own attribute, not a semantic convention.
   */
  static final AttributeKey<Boolean> CONFIRM_EVICTED =
      AttributeKey.booleanKey("baton.amqp.confirm.evicted");

  /** The queue a delivery came from, carried in the processing context for settle spans. */
  static final ContextKey<String> QUEUE = ContextKey.named("dev.baton.amqp.queue");

  final Tracer tracer;
  final Propagation<Map<String, Object>> propagation;
  final boolean settleSpans;
  final boolean endPublishOnConfirm;
  final int maxPendingConfirms;

  AmqpSpans(
      BatonTracing baton, boolean settleSpans, boolean endPublishOnConfirm, int maxPendingConfirms) {
    this.tracer = baton.tracer(INSTRUMENTATION_SCOPE);
    this.propagation = baton.propagation(AmqpHeaders.INSTANCE);
    this.settleSpans = settleSpans;
    this.endPublishOnConfirm = endPublishOnConfirm;
    this.maxPendingConfirms = maxPendingConfirms;
  }

  /** A PRODUCER {@code publish {exchange}} span, child of {@code parent}, started. */
  Span startPublish(
      Context parent,
      String exchange,
      String routingKey,
      AMQP.BasicProperties props,
      long bodySize,
      ServerEndpoint endpoint) {
    boolean defaultExchange = exchange == null || exchange.isEmpty();
    SpanBuilder b =
        Spans.messaging(
                tracer,
                SpanKind.PRODUCER,
                SemConv.SYSTEM_RABBITMQ,
                SemConv.OP_SEND,
                OP_PUBLISH,
                defaultExchange ? DEFAULT_EXCHANGE : exchange,
                publishDestination(exchange, routingKey))
            .setParent(parent);
    endpoint.applyTo(b);
    Span span = b.startSpan();
    if (span.isRecording()) {
      setRoutingKey(span, routingKey);
      setMessageAttributes(span, props, bodySize);
    }
    return span;
  }

  /**
   * The context a delivery is processed in: a CONSUMER {@code process {queue}} span, started under
   * the message's context as the inbound policy says. {@code queue} may be {@code null} (a
   * {@code basicGet} result processed without its queue); the name then falls back to the
   * destination.
   */
  Context startProcess(
      Context base,
      String queue,
      Envelope envelope,
      AMQP.BasicProperties props,
      long bodySize,
      ServerEndpoint endpoint) {
    Map<String, Object> headers = props == null ? null : props.getHeaders();
    Inbound inbound = propagation.inbound(base, headers);
    String exchange = envelope == null ? null : envelope.getExchange();
    String routingKey = envelope == null ? null : envelope.getRoutingKey();
    String destination = receiveDestination(exchange, routingKey, queue);
    SpanBuilder b =
        Spans.messaging(
                tracer,
                SpanKind.CONSUMER,
                SemConv.SYSTEM_RABBITMQ,
                SemConv.OP_PROCESS,
                OP_PROCESS,
                queue == null || queue.isEmpty() ? destination : queue,
                destination);
    inbound.applyTo(b);
    if (endpoint != null) {
      endpoint.applyTo(b);
    }
    Span span = b.startSpan();
    if (span.isRecording()) {
      setRoutingKey(span, routingKey);
      if (envelope != null) {
        span.setAttribute(
            SemConv.MESSAGING_RABBITMQ_MESSAGE_DELIVERY_TAG, envelope.getDeliveryTag());
      }
      setMessageAttributes(span, props, bodySize);
    }
    Context context = inbound.parent().with(span);
    if (settleSpans && queue != null && !queue.isEmpty()) {
      context = context.with(QUEUE, queue);
    }
    return context;
  }

  /** A CLIENT {@code get {queue}} span, child of {@code parent}, started before the call. */
  Span startGet(Context parent, String queue, ServerEndpoint endpoint) {
    SpanBuilder b =
        Spans.messaging(
                tracer,
                SpanKind.CLIENT,
                SemConv.SYSTEM_RABBITMQ,
                SemConv.OP_RECEIVE,
                OP_GET,
                queue)
            .setParent(parent);
    endpoint.applyTo(b);
    return b.startSpan();
  }

  /**
   * Completes a get span with what the broker returned: the message's attributes and a link to the
   * context it was published in (none under {@code IGNORE}, and none for an empty queue).
   */
  void onGetResult(Span span, String queue, Envelope envelope, AMQP.BasicProperties props,
      long bodySize) {
    if (!span.isRecording()) {
      return;
    }
    Map<String, Object> headers = props == null ? null : props.getHeaders();
    Inbound inbound = propagation.inbound(Context.root(), headers);
    if (inbound.remote().isValid()) {
      span.addLink(inbound.remote());
    }
    String routingKey = envelope.getRoutingKey();
    span.setAttribute(
        SemConv.MESSAGING_DESTINATION_NAME,
        receiveDestination(envelope.getExchange(), routingKey, queue));
    setRoutingKey(span, routingKey);
    span.setAttribute(SemConv.MESSAGING_RABBITMQ_MESSAGE_DELIVERY_TAG, envelope.getDeliveryTag());
    setMessageAttributes(span, props, bodySize);
  }

  /** A CLIENT settle span ({@code ack}, {@code nack}, {@code reject}), child of the current context. */
  Span startSettle(String operation, long deliveryTag, ServerEndpoint endpoint) {
    Context current = Context.current();
    SpanBuilder b =
        Spans.messaging(
                tracer,
                SpanKind.CLIENT,
                SemConv.SYSTEM_RABBITMQ,
                SemConv.OP_SETTLE,
                operation,
                current.get(QUEUE))
            .setParent(current)
            .setAttribute(SemConv.MESSAGING_RABBITMQ_MESSAGE_DELIVERY_TAG, deliveryTag);
    endpoint.applyTo(b);
    return b.startSpan();
  }

  private static void setRoutingKey(Span span, String routingKey) {
    // Conditionally required "if not empty".
    if (routingKey != null && !routingKey.isEmpty()) {
      span.setAttribute(SemConv.MESSAGING_RABBITMQ_DESTINATION_ROUTING_KEY, routingKey);
    }
  }

  private static void setMessageAttributes(Span span, AMQP.BasicProperties props, long bodySize) {
    if (props != null) {
      String messageId = props.getMessageId();
      if (messageId != null) {
        span.setAttribute(SemConv.MESSAGING_MESSAGE_ID, messageId);
      }
      String correlationId = props.getCorrelationId();
      if (correlationId != null) {
        span.setAttribute(SemConv.MESSAGING_MESSAGE_CONVERSATION_ID, correlationId);
      }
    }
    if (bodySize >= 0) {
      span.setAttribute(SemConv.MESSAGING_MESSAGE_BODY_SIZE, bodySize);
    }
  }

  /**
   * The producer-side {@code messaging.destination.name}: {@code {exchange}:{routing key}}, only the
   * one that is not empty when the other is, and {@code amq.default} when both are.
   */
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
   * The consumer-side {@code messaging.destination.name}: {@code {exchange}:{routing key}:{queue}}
   * without the empty parts (the default exchange is the empty string), and with the queue left
   * out when it equals the routing key, as the conventions say.
   */
  static String receiveDestination(String exchange, String routingKey, String queue) {
    boolean hasExchange = exchange != null && !exchange.isEmpty();
    boolean hasKey = routingKey != null && !routingKey.isEmpty();
    boolean hasQueue = queue != null && !queue.isEmpty() && !(hasKey && queue.equals(routingKey));
    if (!hasExchange && !hasKey && !hasQueue) {
      return DEFAULT_EXCHANGE;
    }
    StringBuilder sb = new StringBuilder(
        (hasExchange ? exchange.length() + 1 : 0)
            + (hasKey ? routingKey.length() + 1 : 0)
            + (hasQueue ? queue.length() : 0));
    if (hasExchange) {
      sb.append(exchange);
    }
    if (hasKey) {
      if (sb.length() > 0) {
        sb.append(':');
      }
      sb.append(routingKey);
    }
    if (hasQueue) {
      if (sb.length() > 0) {
        sb.append(':');
      }
      sb.append(queue);
    }
    return sb.toString();
  }

  /** The {@code process} span of a {@code basicGet} result, made current until the scope closes. */
  ProcessingScope startProcessing(GetResponse response) {
    String queue = null;
    ServerEndpoint endpoint = null;
    if (response instanceof TracedGetResponse) {
      queue = ((TracedGetResponse) response).queue;
      endpoint = ((TracedGetResponse) response).endpoint;
    }
    byte[] body = response.getBody();
    Context context =
        startProcess(
            Context.current(),
            queue,
            response.getEnvelope(),
            response.getProps(),
            body == null ? -1 : body.length,
            endpoint);
    return ProcessingScope.open(context, Span.fromContext(context));
  }
}
