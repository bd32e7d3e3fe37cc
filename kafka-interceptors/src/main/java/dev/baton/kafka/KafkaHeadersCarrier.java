package dev.baton.kafka;

import dev.baton.core.internal.HeaderCarrier;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/** Kafka record headers as a Baton carrier: byte values, case-sensitive keys, repeatable. */
final class KafkaHeadersCarrier implements HeaderCarrier<Headers> {

  static final KafkaHeadersCarrier INSTANCE = new KafkaHeadersCarrier();

  private KafkaHeadersCarrier() {}

  /** A view, not a copy: the core walks it once, and only when a field is missing. */
  @Override
  public Iterable<String> keys(Headers headers) {
    return () -> new KeyIterator(headers.iterator());
  }

  private static final class KeyIterator implements Iterator<String> {
    private final Iterator<Header> headers;

    KeyIterator(Iterator<Header> headers) {
      this.headers = headers;
    }

    @Override
    public boolean hasNext() {
      return headers.hasNext();
    }

    @Override
    public String next() {
      return headers.next().key();
    }
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

  /** {@code lastHeader} walks the list from the end by index: no iterator. */
  @Override
  public Object lastValue(Headers headers, String key) {
    Header h = headers.lastHeader(key);
    return h == null ? null : h.value();
  }

  /** The bytes become the header's value as they are: no text in between. */
  @Override
  public void replace(Headers headers, String key, byte[] value, boolean absent) {
    if (!absent) {
      headers.remove(key);
    }
    headers.add(key, value);
  }
}
