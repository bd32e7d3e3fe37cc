package dev.baton.spring;

import dev.baton.core.internal.HeaderCarrier;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Kafka record headers as a {@link HeaderCarrier}, for the links of a batch listener's span (the
 * single-record path goes through {@code KafkaTracing}). Header values are the raw bytes; the core
 * decodes them. Stateless.
 */
final class KafkaHeadersCarrier implements HeaderCarrier<Headers> {

  static final KafkaHeadersCarrier INSTANCE = new KafkaHeadersCarrier();

  private KafkaHeadersCarrier() {}

  @Override
  public Iterable<String> keys(Headers headers) {
    List<String> keys = new ArrayList<>();
    for (Header h : headers) {
      keys.add(h.key());
    }
    return keys;
  }

  @Override
  public Iterable<?> fields(Headers headers, String key) {
    return headers.headers(key);
  }

  @Override
  public Object valueOf(Object field) {
    return ((Header) field).value();
  }

  @Override
  public void replace(Headers headers, String key, String value) {
    headers.remove(key);
    if (value != null) {
      headers.add(key, value.getBytes(StandardCharsets.UTF_8));
    }
  }
}
