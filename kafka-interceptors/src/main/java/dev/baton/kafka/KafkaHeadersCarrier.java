package dev.baton.kafka;

import dev.baton.core.internal.HeaderCarrier;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

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

  /**
   * The list inside kafka-clients' own {@code RecordHeaders}, read through a handle found once;
   * {@code null} when it cannot be (another {@code Headers} class, a kafka-clients that changed
   * it, a module that denies access), and then the iterator is used. Reading names by index
   * allocates nothing: the check a record without trace headers costs.
   */
  private static final VarHandle HEADER_LIST = headerList();

  private static VarHandle headerList() {
    try {
      VarHandle h =
          MethodHandles.privateLookupIn(RecordHeaders.class, MethodHandles.lookup())
              .findVarHandle(RecordHeaders.class, "headers", List.class);
      // check once that it reads what the iterator sees
      RecordHeaders probe = new RecordHeaders();
      probe.add("probe", null);
      Object list = h.get(probe);
      return list instanceof List && ((List<?>) list).size() == 1 ? h : null;
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      return null;
    }
  }

  @SuppressWarnings("unchecked")
  private static List<Header> listOf(Headers headers) {
    return HEADER_LIST != null && headers.getClass() == RecordHeaders.class
        ? (List<Header>) HEADER_LIST.get((RecordHeaders) headers)
        : null;
  }

  @Override
  public int fieldCount(Headers headers) {
    List<Header> list = listOf(headers);
    return list == null ? -1 : list.size();
  }

  @Override
  public String keyAt(Headers headers, int index) {
    return listOf(headers).get(index).key();
  }
}
