package dev.baton.spring;

import com.rabbitmq.client.LongString;
import dev.baton.core.internal.MapHeaderCarrier;

/**
 * The headers of a Spring AMQP {@code MessageProperties} as a carrier. Spring turns incoming
 * {@code LongString} values into {@code String}s (up to its long-string limit; longer ones stay
 * {@code LongString}, read here as their raw bytes). Values written are {@code String}, which
 * every AMQP client reads. Stateless.
 */
final class MessageHeadersCarrier extends MapHeaderCarrier {

  static final MessageHeadersCarrier INSTANCE = new MessageHeadersCarrier();

  private MessageHeadersCarrier() {}

  @Override
  public Object valueOf(Object field) {
    return field instanceof LongString ? ((LongString) field).getBytes() : field;
  }
}
