package dev.baton.kafka;

import dev.baton.core.BatonTracing;
import dev.baton.core.internal.MessagingMetrics;
import dev.baton.core.internal.OperationTimer;
import dev.baton.core.internal.SemConv;
import io.opentelemetry.api.trace.Span;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.record.TimestampType;

/**
 * What Kafka records into the core's {@link MessagingMetrics} (see {@code docs/metrics.md}):
 * sends ({@code send}, counted and timed from {@code onSend} to the broker's answer), polled
 * records ({@code poll}, counted per topic and consumer group; a wrapped consumer's polls that
 * bring records are also timed), and processing ({@code process}, timed, with the wait since the
 * record's {@code CreateTime}). The destination is the topic; the
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
        baton, KafkaTracing.SCOPE, SemConv.SYSTEM_KAFKA, "send", "poll", "poll", "process");
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

  /**
   * A wrapped consumer's {@code poll} returned {@code records} or threw {@code error}: its
   * duration is recorded as a {@code poll} receive, with the topic when the records hold one. An
   * empty poll is not: its time is the poll's timeout, spent waiting, which would bury the time
   * polls take to bring records. Nor is a {@code wakeup()}: the application asked for it.
   */
  static void polled(
      MessagingMetrics metrics,
      long startNanos,
      ConsumerRecords<?, ?> records,
      String groupId,
      Throwable error) {
    if (metrics == null || error instanceof WakeupException) {
      return;
    }
    if (error == null && (records == null || records.isEmpty())) {
      return;
    }
    String topic = null;
    if (records != null) {
      for (TopicPartition tp : records.partitions()) {
        if (topic == null) {
          topic = tp.topic();
        } else if (!topic.equals(tp.topic())) {
          topic = null; // several topics: no one destination
          break;
        }
      }
    }
    metrics.receiveEnded(startNanos, topic, groupId, error);
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
