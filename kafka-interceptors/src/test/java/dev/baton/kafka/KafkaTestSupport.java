package dev.baton.kafka;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;

/** Kafka records, batches and headers for tests; spans go to baton-testing's InMemoryTelemetry. */
final class KafkaTestSupport {

  private KafkaTestSupport() {}

  static List<String> values(Headers headers, String key) {
    List<String> out = new ArrayList<>();
    for (Header h : headers.headers(key)) {
      out.add(h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8));
    }
    return out;
  }

  static ConsumerRecord<Object, Object> consumed(
      String topic, int partition, long offset, Object key, Object value, Headers headers) {
    return new ConsumerRecord<>(
        topic, partition, offset, 0L, TimestampType.CREATE_TIME, -1, 11, key, value, headers,
        java.util.Optional.empty());
  }

  @SuppressWarnings("removal") // the one constructor kafka-clients 3.9 and 4.x share
  static ConsumerRecords<Object, Object> batch(List<ConsumerRecord<Object, Object>> records) {
    Map<TopicPartition, List<ConsumerRecord<Object, Object>>> map = new java.util.LinkedHashMap<>();
    for (ConsumerRecord<Object, Object> r : records) {
      map.computeIfAbsent(new TopicPartition(r.topic(), r.partition()), k -> new ArrayList<>()).add(r);
    }
    return new ConsumerRecords<>(map);
  }

  static Headers headers(Object... keyValues) {
    RecordHeaders h = new RecordHeaders();
    for (int i = 0; i < keyValues.length; i += 2) {
      Object v = keyValues[i + 1];
      h.add((String) keyValues[i], v instanceof String ? ((String) v).getBytes(StandardCharsets.UTF_8) : (byte[]) v);
    }
    return h;
  }
}
