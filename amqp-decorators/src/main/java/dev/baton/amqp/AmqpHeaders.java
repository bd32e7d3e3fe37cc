package dev.baton.amqp;

import com.rabbitmq.client.LongString;
import dev.baton.core.internal.MapHeaderCarrier;

/**
 * The AMQP headers table as a carrier. The table is a map, so a name appears at most once.
 * Incoming values arrive from amqp-client as {@link LongString}, which this adapter hands to the
 * core as its raw bytes; {@code String} and {@code byte[]} values (a table built by the
 * application, or by another client) pass as they are. Every other type and {@code null} reach the
 * core unchanged, which treats them as absent. Values written are {@code String}: every AMQP client
 * in every language reads a string header. Stateless. The Spring AMQP support uses it too, through
 * {@link AmqpTracing#headersCarrier()}: Spring hands over the same table, with long strings already
 * turned into {@code String}s up to its limit.
 */
final class AmqpHeaders extends MapHeaderCarrier {

  static final AmqpHeaders INSTANCE = new AmqpHeaders();

  private AmqpHeaders() {}

  @Override
  public Object valueOf(Object field) {
    // LongString.getBytes() returns the bytes as received: the core decodes them strictly.
    return field instanceof LongString ? ((LongString) field).getBytes() : field;
  }
}
