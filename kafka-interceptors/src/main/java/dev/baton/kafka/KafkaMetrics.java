package dev.baton.kafka;

import dev.baton.core.BatonTracing;
import dev.baton.core.internal.MessagingMetrics;
import dev.baton.core.internal.OperationTimer;
import dev.baton.core.internal.SemConv;
import io.opentelemetry.api.trace.Span;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.TimestampType;

/**
 * What Kafka records into the core's {@link MessagingMetrics} (see {@code docs/metrics.md}):
 * sends ({@code send}, counted and timed from {@code onSend} to the broker's answer), polled
 * records ({@code poll}, counted per topic and consumer group), and processing ({@code process},
 * timed, with the wait since the record's {@code CreateTime}). The destination is the topic; the
 * partition is left out, so a topic makes one series per group, not one per partition.
 *
 * <p>Wait time uses only {@code CreateTime} timestamps: a topic with
 * {@code message.timestamp.type=LogAppendTime} stamps the broker's append time, which measures
 * something else (it leaves out the producer's batching and the trip to the broker), so such
 * records are not recorded rather than mixed in.
 */
final class KafkaMetrics {

  private KafkaMetrics() {}

  /** The instruments for {@code baton}, or {@code null} when none records anything. */
  static MessagingMetrics create(BatonTracing baton) {
    return MessagingMetrics.create(
        baton, KafkaTracing.SCOPE, SemConv.SYSTEM_KAFKA, "send", "poll", null, "process");
  }

  /** The send span, measuring the send when metrics are on. */
  static Span timeSend(MessagingMetrics metrics, Span span, String topic) {
    return metrics == null ? span : metrics.timeSend(span, topic);
  }

  /** Counts a poll's records, per topic. */
  static void consumed(MessagingMetrics metrics, ConsumerRecords<?, ?> records, String groupId) {
    if (metrics == null) {
      return;
    }
    for (TopicPartition tp : records.partitions()) {
      metrics.consumed(tp.topic(), groupId, records.records(tp).size());
    }
  }

  /** Processing of {@code record} starts: its wait is recorded; returns the processing's timer. */
  static OperationTimer startProcess(
      MessagingMetrics metrics, ConsumerRecord<?, ?> record, ConsumerIdentities.Consumer consumer) {
    if (metrics == null) {
      return null;
    }
    long created = record.timestampType() == TimestampType.CREATE_TIME ? record.timestamp() : -1;
    return metrics.startProcess(record.topic(), consumer == null ? null : consumer.groupId, created);
  }
}
