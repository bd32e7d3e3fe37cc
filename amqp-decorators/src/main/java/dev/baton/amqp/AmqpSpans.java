package dev.baton.amqp;

import static dev.baton.core.internal.AmqpConventions.publishDestination;
import static dev.baton.core.internal.AmqpConventions.receiveDestination;
import static dev.baton.core.internal.AmqpConventions.setRoutingKey;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.GetResponse;
import dev.baton.core.BatonTracing;
import dev.baton.core.ProcessingScope;
import dev.baton.core.internal.AmqpConventions;
import dev.baton.core.internal.Inbound;
import dev.baton.core.internal.Instruments;
import dev.baton.core.internal.MessagingMetrics;
import dev.baton.core.internal.ProcessScope;
import dev.baton.core.internal.Propagation;
import dev.baton.core.internal.SemConv;
import dev.baton.core.internal.Spans;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
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
  static final String DEFAULT_EXCHANGE = AmqpConventions.DEFAULT_EXCHANGE;

  /**
   * Set on a publish span that ended before its confirm arrived, because the table of spans
   * waiting for confirms was full. Baton's own attribute, not a semantic convention.
   */
  static final AttributeKey<Boolean> CONFIRM_EVICTED =
      AttributeKey.booleanKey("baton.amqp.confirm.evicted");

  private final BatonTracing baton;
  /** The tracer, propagation and metrics of {@code baton.resolved()}, made at the first message. */
  private final Instruments<Map<String, Object>, MessagingMetrics> instruments;
  final TemporaryQueues temporaryQueues = new TemporaryQueues();
  final boolean settleSpans;
  final boolean endPublishOnConfirm;
  final int maxPendingConfirms;

  AmqpSpans(
      BatonTracing baton, boolean settleSpans, boolean endPublishOnConfirm, int maxPendingConfirms) {
    this.baton = baton;
    this.instruments = new Instruments<>(
        baton, INSTRUMENTATION_SCOPE, b -> AmqpHeaders.INSTANCE, AmqpMetrics::create);
    this.settleSpans = settleSpans;
    this.endPublishOnConfirm = endPublishOnConfirm;
    this.maxPendingConfirms = maxPendingConfirms;
  }

  Tracer tracer() {
    return instruments.tracer();
  }

  Propagation<Map<String, Object>> propagation() {
    return instruments.propagation();
  }

  /** The metrics of the settings in effect, or {@code null} when none is recorded. */
  MessagingMetrics metrics() {
    return instruments.metrics();
  }

  /**
   * A PRODUCER {@code publish {exchange}} span, child of {@code parent}, started. The span is named
   * after the exchange, never a temporary destination: through the default exchange to a temporary
   * or anonymous queue, the name stays {@code publish amq.default} and the flags say the rest.
   */
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
                tracer(),
                SpanKind.PRODUCER,
                SemConv.SYSTEM_RABBITMQ,
                SemConv.OP_SEND,
                OP_PUBLISH,
                defaultExchange ? DEFAULT_EXCHANGE : exchange,
                publishDestination(exchange, routingKey))
            .setParent(parent);
    if (defaultExchange) {
      setFlags(b, temporaryQueues.flags(routingKey));
    }
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
   * destination. A temporary or anonymous queue ({@code queueFlags}) is left out of the name:
   * {@code process}. When {@code unsettled} is not {@code null} the message is recorded there for
   * its settle span.
   */
  Context startProcess(
      Context base,
      String queue,
      int queueFlags,
      Envelope envelope,
      AMQP.BasicProperties props,
      long bodySize,
      ServerEndpoint endpoint,
      UnsettledMessages unsettled) {
    Map<String, Object> headers = props == null ? null : props.getHeaders();
    Inbound inbound = propagation().inbound(base, headers);
    String exchange = envelope == null ? null : envelope.getExchange();
    String routingKey = envelope == null ? null : envelope.getRoutingKey();
    String destination = receiveDestination(exchange, routingKey, queue);
    boolean hasQueue = queue != null && !queue.isEmpty();
    int flags = hasQueue ? queueFlags : temporaryQueues.flags(exchange, routingKey);
    String spanDestination = flags != 0 ? null : hasQueue ? queue : destination;
    SpanBuilder b =
        Spans.messaging(
                tracer(),
                SpanKind.CONSUMER,
                SemConv.SYSTEM_RABBITMQ,
                SemConv.OP_PROCESS,
                OP_PROCESS,
                spanDestination,
                destination);
    setFlags(b, flags);
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
    if (unsettled != null && envelope != null) {
      unsettled.add(envelope.getDeliveryTag(), received(spanDestination, destination, props));
    }
    return inbound.parent().with(span);
  }

  /**
   * A CLIENT {@code get {queue}} span ({@code get} for a temporary or anonymous queue), child of
   * {@code parent}, started before the call.
   */
  Span startGet(Context parent, String queue, int queueFlags, ServerEndpoint endpoint) {
    SpanBuilder b =
        Spans.messaging(
                tracer(),
                SpanKind.CLIENT,
                SemConv.SYSTEM_RABBITMQ,
                SemConv.OP_RECEIVE,
                OP_GET,
                queueFlags != 0 ? null : queue,
                queue)
            .setParent(parent);
    setFlags(b, queueFlags);
    endpoint.applyTo(b);
    return b.startSpan();
  }

  /**
   * Completes a get span with what the broker returned: the message's attributes and a link to the
   * context it was published in (none under {@code IGNORE}, and none for an empty queue). When
   * {@code unsettled} is not {@code null} the message is recorded there for its settle span.
   */
  void onGetResult(Span span, String queue, int queueFlags, Envelope envelope,
      AMQP.BasicProperties props, long bodySize, UnsettledMessages unsettled) {
    String routingKey = envelope.getRoutingKey();
    String destination = receiveDestination(envelope.getExchange(), routingKey, queue);
    if (unsettled != null) {
      unsettled.add(
          envelope.getDeliveryTag(),
          received(queueFlags != 0 ? null : queue, destination, props));
    }
    if (!span.isRecording()) {
      return;
    }
    Map<String, Object> headers = props == null ? null : props.getHeaders();
    Inbound inbound = propagation().inbound(Context.root(), headers);
    if (inbound.remote().isValid()) {
      span.addLink(inbound.remote());
    }
    span.setAttribute(SemConv.MESSAGING_DESTINATION_NAME, destination);
    setRoutingKey(span, routingKey);
    span.setAttribute(SemConv.MESSAGING_RABBITMQ_MESSAGE_DELIVERY_TAG, envelope.getDeliveryTag());
    setMessageAttributes(span, props, bodySize);
  }

  /**
   * A CLIENT settle span ({@code ack}, {@code nack}, {@code reject}), child of the current context,
   * started. With {@code unsettled}, the message(s) settled are taken out of it: a single settle
   * gets its message's queue (in the name, unless temporary or anonymous), destination and
   * identifiers; {@code multiple} is the batch form and gets {@code messaging.batch.message_count}
   * and the destination its messages share, if they share one.
   */
  Span startSettle(String operation, long deliveryTag, boolean multiple,
      UnsettledMessages unsettled, ServerEndpoint endpoint) {
    String spanDestination = null;
    String destination = null;
    ReceivedMessage single = null;
    int count = -1;
    if (multiple) {
      UnsettledMessages.Batch batch = unsettled == null ? null : unsettled.settleUpTo(deliveryTag);
      count = batch == null ? 0 : batch.count();
      if (batch != null) {
        spanDestination = batch.spanDestination();
        destination = batch.destination();
      }
    } else if (unsettled != null) {
      single = unsettled.settle(deliveryTag);
      if (single != null) {
        spanDestination = single.spanDestination();
        destination = single.destination();
      }
    }
    Context current = Context.current();
    SpanBuilder b =
        Spans.messaging(
                tracer(),
                SpanKind.CLIENT,
                SemConv.SYSTEM_RABBITMQ,
                SemConv.OP_SETTLE,
                operation,
                spanDestination,
                destination)
            .setParent(current)
            .setAttribute(SemConv.MESSAGING_RABBITMQ_MESSAGE_DELIVERY_TAG, deliveryTag);
    if (count >= 0) {
      b.setAttribute(SemConv.MESSAGING_BATCH_MESSAGE_COUNT, (long) count);
    }
    if (single != null) {
      if (single.messageId() != null) {
        b.setAttribute(SemConv.MESSAGING_MESSAGE_ID, single.messageId());
      }
      if (single.conversationId() != null) {
        b.setAttribute(SemConv.MESSAGING_MESSAGE_CONVERSATION_ID, single.conversationId());
      }
    }
    endpoint.applyTo(b);
    return b.startSpan();
  }

  private static ReceivedMessage received(
      String spanDestination, String destination, AMQP.BasicProperties props) {
    return new ReceivedMessage(
        spanDestination,
        destination,
        props == null ? null : props.getMessageId(),
        props == null ? null : props.getCorrelationId());
  }

  /** The conventions set these only when true. */
  private static void setFlags(SpanBuilder b, int flags) {
    if ((flags & TemporaryQueues.TEMPORARY) != 0) {
      b.setAttribute(SemConv.MESSAGING_DESTINATION_TEMPORARY, true);
    }
    if ((flags & TemporaryQueues.ANONYMOUS) != 0) {
      b.setAttribute(SemConv.MESSAGING_DESTINATION_ANONYMOUS, true);
    }
  }

  private static void setMessageAttributes(Span span, AMQP.BasicProperties props, long bodySize) {
    AmqpConventions.setMessageAttributes(
        span,
        props == null ? null : props.getMessageId(),
        props == null ? null : props.getCorrelationId(),
        bodySize);
  }

  /** The {@code process} span of a {@code basicGet} result, made current until the scope closes. */
  ProcessingScope startProcessing(GetResponse response) {
    String queue = null;
    int queueFlags = 0;
    ServerEndpoint endpoint = null;
    if (response instanceof TracedGetResponse) {
      TracedGetResponse traced = (TracedGetResponse) response;
      queue = traced.queue;
      queueFlags = traced.queueFlags;
      endpoint = traced.endpoint;
    }
    byte[] body = response.getBody();
    Context context =
        startProcess(
            Context.current(),
            queue,
            queueFlags,
            response.getEnvelope(),
            response.getProps(),
            body == null ? -1 : body.length,
            endpoint,
            null);
    return ProcessScope.open(context, Span.fromContext(context),
        AmqpMetrics.startProcess(metrics(), AmqpMetrics.queue(queue, queueFlags),
            response.getProps()));
  }
}
