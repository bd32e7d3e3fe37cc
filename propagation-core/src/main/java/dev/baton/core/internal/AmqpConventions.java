package dev.baton.core.internal;

import io.opentelemetry.api.trace.Span;

/**
 * RabbitMQ's part of the messaging conventions (v1.44), shared by the wrapped amqp-client channel
 * and the Spring AMQP wiring so both name destinations and set message attributes alike: the
 * {@code messaging.destination.name} of a publish and of a delivery, the routing key, and the
 * message's id, correlation id and body size. The default exchange's real name is the empty
 * string; the conventions call it {@value #DEFAULT_EXCHANGE}.
 */
public final class AmqpConventions {

  /** What the conventions call the default exchange. */
  public static final String DEFAULT_EXCHANGE = "amq.default";

  private AmqpConventions() {}

  /**
   * The producer side: {@code {exchange}:{routing key}}, only the one that is not empty when the
   * other is, and {@code amq.default} when both are.
   *
   * @param exchange the exchange, {@code null} or empty for the default one
   * @param routingKey the routing key, or {@code null}
   * @return the destination name, never {@code null}
   */
  public static String publishDestination(String exchange, String routingKey) {
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
   * The consumer side: {@code {exchange}:{routing key}:{queue}} without the empty parts, and with
   * the queue left out when it equals the routing key, as the conventions say; {@code amq.default}
   * when nothing is left.
   *
   * @param exchange the exchange the message came through, or {@code null}
   * @param routingKey its routing key, or {@code null}
   * @param queue the queue it was consumed from, or {@code null}
   * @return the destination name, never {@code null}
   */
  public static String receiveDestination(String exchange, String routingKey, String queue) {
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

  /**
   * Sets {@code messaging.rabbitmq.destination.routing_key}, conditionally required "if not
   * empty".
   *
   * @param span the span
   * @param routingKey the routing key, or {@code null}
   */
  public static void setRoutingKey(Span span, String routingKey) {
    if (routingKey != null && !routingKey.isEmpty()) {
      span.setAttribute(SemConv.MESSAGING_RABBITMQ_DESTINATION_ROUTING_KEY, routingKey);
    }
  }

  /**
   * Sets {@code messaging.message.id}, {@code messaging.message.conversation_id} and
   * {@code messaging.message.body.size}, each only when known.
   *
   * @param span the span
   * @param messageId the message id property, or {@code null}
   * @param correlationId the correlation id property, or {@code null}
   * @param bodySize the body's length in bytes, or a negative number when unknown
   */
  public static void setMessageAttributes(
      Span span, String messageId, String correlationId, long bodySize) {
    if (messageId != null) {
      span.setAttribute(SemConv.MESSAGING_MESSAGE_ID, messageId);
    }
    if (correlationId != null) {
      span.setAttribute(SemConv.MESSAGING_MESSAGE_CONVERSATION_ID, correlationId);
    }
    if (bodySize >= 0) {
      span.setAttribute(SemConv.MESSAGING_MESSAGE_BODY_SIZE, bodySize);
    }
  }
}
