package dev.baton.kafka;

import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerInterceptor;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Kafka consumer interceptor: tells {@link KafkaTracing#process} which consumer group and client
 * polled each record (processing spans carry them), optionally starts a {@code poll {topic}}
 * receive span per topic and batch, with one link per record's context (read under the inbound
 * policy), and optionally ({@code baton.kafka.consumer.process.spans=true}) returns records whose
 * iteration runs each loop body inside the record's {@code process {topic}} span. Otherwise the
 * record's trace is continued by {@code KafkaTracing.process}, which reads the record's headers on
 * the thread that processes it.
 *
 * <p>Per record, {@code onConsume} keeps one {@code long}: a fingerprint of the record object in
 * a fixed-size table of this consumer's (see {@code ConsumerIdentities}); no context, no
 * reference to the record. Each consumer instance has its own table, so consumers of different
 * groups or clusters reading the same topic never lend each other their names.
 *
 * <p>With process spans on, {@code onConsume} returns a {@code ConsumerRecords} of the same
 * records (and, on kafka-clients 4.x, the same {@code nextOffsets()}) whose {@code iterator()},
 * {@code records(TopicPartition)}, {@code records(String)} and {@code forEach} open each record's
 * span as the loop takes it and end it when the loop takes the next record or finishes. A span a
 * loop left open ({@code break}, an exception) ends at the next poll that returns records, or when
 * the consumer closes. List this interceptor last in {@code interceptor.classes}: an interceptor
 * after it that builds new {@code ConsumerRecords} drops the process spans.
 *
 * <p>Register it by class name: {@code interceptor.classes=dev.baton.kafka.TracingConsumerInterceptor}.
 * It uses the {@code OpenTelemetry} in the consumer's {@code baton.opentelemetry} property, else
 * the one registered with {@code GlobalOpenTelemetry}, looked up when the first records arrive.
 * A fault of Baton's never reaches the consumer: the records are then returned as they came.
 *
 * @since 0.1.0
 */
public final class TracingConsumerInterceptor implements ConsumerInterceptor<Object, Object> {

  /** This consumer's side, made in {@code configure} before any poll, closed on close. */
  private volatile ConsumerSide side;

  /** Called by Kafka, which then calls {@link #configure(Map)}. */
  public TracingConsumerInterceptor() {}

  @Override
  public void configure(Map<String, ?> configs) {
    KafkaTracing tracing = KafkaTracing.fromConfig(configs);
    ConsumerSide previous = side;
    if (previous != null) {
      previous.close(); // configured twice: keep one registration
    }
    side = new ConsumerSide(
        tracing,
        text(configs.get(ConsumerConfig.GROUP_ID_CONFIG)),
        text(configs.get(ConsumerConfig.CLIENT_ID_CONFIG)),
        false);
  }

  private static String text(Object o) {
    return o == null || o.toString().isEmpty() ? null : o.toString();
  }

  @Override
  public ConsumerRecords<Object, Object> onConsume(ConsumerRecords<Object, Object> records) {
    ConsumerSide polling = side;
    return polling == null ? records : polling.onConsume(records);
  }

  @Override
  public void onCommit(Map<TopicPartition, OffsetAndMetadata> offsets) {}

  @Override
  public void close() {
    ConsumerSide closing = side;
    if (closing != null) {
      side = null;
      closing.close();
    }
  }
}
