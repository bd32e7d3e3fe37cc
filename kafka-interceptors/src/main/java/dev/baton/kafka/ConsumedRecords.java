package dev.baton.kafka;

import dev.baton.core.Inbound;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * What the consumer interceptor learned about each record it saw, for {@code KafkaTracing} to
 * use later, possibly on another thread. Keys are weak: a record the application drops takes its
 * entry with it. {@code ConsumerRecord} does not override {@code equals}, so lookups are by
 * identity.
 */
final class ConsumedRecords {

  private static final Map<ConsumerRecord<?, ?>, Remembered> RECORDS =
      Collections.synchronizedMap(new WeakHashMap<>());

  private ConsumedRecords() {}

  static void remember(ConsumerRecord<?, ?> record, Remembered remembered) {
    RECORDS.put(record, remembered);
  }

  static Remembered get(ConsumerRecord<?, ?> record) {
    return RECORDS.get(record);
  }

  static int size() {
    return RECORDS.size();
  }

  /** The extracted context and the consumer's identity. Never references the record. */
  static final class Remembered {
    final Inbound inbound;
    final String groupId;
    final String clientId;

    Remembered(Inbound inbound, String groupId, String clientId) {
      this.inbound = inbound;
      this.groupId = groupId;
      this.clientId = clientId;
    }
  }
}
