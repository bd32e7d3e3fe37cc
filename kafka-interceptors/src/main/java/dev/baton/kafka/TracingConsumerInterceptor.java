package dev.baton.kafka;

import dev.baton.core.internal.Faults;
import dev.baton.core.internal.SemConv;
import dev.baton.core.internal.Spans;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerInterceptor;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Kafka consumer interceptor: tells {@link KafkaTracing#process} which consumer group and client
 * polled each record (processing spans carry them), and optionally starts a {@code poll {topic}}
 * receive span per topic and batch, with one link per record's context (read under the inbound
 * policy). The record's trace itself is continued by {@code KafkaTracing.process}, which reads the
 * record's headers on the thread that processes it.
 *
 * <p>Per record, {@code onConsume} keeps one {@code long}: a fingerprint of the record object in
 * a fixed-size table of this consumer's (see {@code ConsumerIdentities}); no context, no
 * reference to the record. Each consumer instance has its own table, so consumers of different
 * groups or clusters reading the same topic never lend each other their names.
 *
 * <p>Register it by class name: {@code interceptor.classes=dev.baton.kafka.TracingConsumerInterceptor}.
 * Records are returned unchanged; a fault of Baton's never reaches the consumer.
 *
 * @since 0.1.0
 */
public final class TracingConsumerInterceptor implements ConsumerInterceptor<Object, Object> {

  private KafkaTracing tracing;
  /** This consumer, registered in {@code configure} before any poll, forgotten on close. */
  private volatile ConsumerIdentities.Consumer consumer;
  private String groupId;
  private String clientId;

  /** Called by Kafka, which then calls {@link #configure(Map)}. */
  public TracingConsumerInterceptor() {}

  @Override
  public void configure(Map<String, ?> configs) {
    tracing = KafkaTracing.fromConfig(configs);
    groupId = text(configs.get(ConsumerConfig.GROUP_ID_CONFIG));
    clientId = text(configs.get(ConsumerConfig.CLIENT_ID_CONFIG));
    if (consumer != null) {
      ConsumerIdentities.closed(consumer); // configured twice: keep one registration
    }
    consumer = ConsumerIdentities.opened(groupId, clientId);
  }

  private static String text(Object o) {
    return o == null || o.toString().isEmpty() ? null : o.toString();
  }

  @Override
  public ConsumerRecords<Object, Object> onConsume(ConsumerRecords<Object, Object> records) {
    ConsumerIdentities.Consumer polling = consumer;
    if (tracing == null || polling == null || records == null || records.isEmpty()) {
      return records;
    }
    try {
      polling.polled(records);
      if (tracing.settings().receiveSpans) {
        receiveSpans(records);
      }
    } catch (RuntimeException e) {
      Faults.report("kafka onConsume", e);
    }
    return records;
  }

  /** One {@code poll {topic}} span per topic in the batch, linked to each record's context. */
  private void receiveSpans(ConsumerRecords<Object, Object> records) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (TopicPartition tp : records.partitions()) {
      counts.merge(tp.topic(), records.records(tp).size(), Integer::sum);
    }
    Context parent = Context.current();
    for (Map.Entry<String, Integer> topic : counts.entrySet()) {
      SpanBuilder builder =
          Spans.messaging(
                  tracing.tracer(), SpanKind.CLIENT, SemConv.SYSTEM_KAFKA, SemConv.OP_RECEIVE, "poll",
                  topic.getKey())
              .setParent(parent)
              .setAttribute(SemConv.MESSAGING_BATCH_MESSAGE_COUNT, (long) topic.getValue());
      if (groupId != null) {
        builder.setAttribute(SemConv.MESSAGING_CONSUMER_GROUP_NAME, groupId);
      }
      if (clientId != null) {
        builder.setAttribute(SemConv.MESSAGING_CLIENT_ID, clientId);
      }
      for (ConsumerRecord<Object, Object> record : records.records(topic.getKey())) {
        SpanContext remote =
            tracing.propagation().inbound(Context.root(), record.headers()).remote();
        if (remote.isValid()) {
          builder.addLink(remote);
        }
      }
      Span span = builder.startSpan();
      span.end();
    }
  }

  @Override
  public void onCommit(Map<TopicPartition, OffsetAndMetadata> offsets) {}

  @Override
  public void close() {
    ConsumerIdentities.Consumer closing = consumer;
    if (closing != null) {
      consumer = null;
      ConsumerIdentities.closed(closing);
    }
  }
}
