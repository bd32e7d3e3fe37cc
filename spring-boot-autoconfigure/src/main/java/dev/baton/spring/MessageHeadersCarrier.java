package dev.baton.spring;

import com.rabbitmq.client.LongString;
import dev.baton.core.internal.HeaderCarrier;
import java.util.Collections;
import java.util.Map;

/**
 * The headers of a Spring AMQP {@code MessageProperties} as a {@link HeaderCarrier}. Spring turns
 * incoming {@code LongString} values into {@code String}s (up to its long-string limit; longer
 * ones stay {@code LongString}, read here as their raw bytes). Values written are {@code String},
 * which every AMQP client reads. Stateless.
 */
final class MessageHeadersCarrier implements HeaderCarrier<Map<String, Object>> {

  static final MessageHeadersCarrier INSTANCE = new MessageHeadersCarrier();

  private MessageHeadersCarrier() {}

  @Override
  public Iterable<String> keys(Map<String, Object> headers) {
    return headers.keySet();
  }

  @Override
  public Iterable<?> fields(Map<String, Object> headers, String key) {
    Object value = headers.get(key);
    return value == null ? Collections.emptyList() : Collections.singletonList(value);
  }

  @Override
  public Object valueOf(Object field) {
    return field instanceof LongString ? ((LongString) field).getBytes() : field;
  }

  @Override
  public void replace(Map<String, Object> headers, String key, String value) {
    headers.remove(key);
    if (value != null) {
      headers.put(key, value);
    }
  }
}
