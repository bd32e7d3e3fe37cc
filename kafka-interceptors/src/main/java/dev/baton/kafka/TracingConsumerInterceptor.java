package dev.baton.kafka;

import dev.baton.core.Faults;
import dev.baton.core.Inbound;
import dev.baton.core.SemConv;
import dev.baton.core.Spans;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
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
 * Kafka consumer interceptor: reads every polled record's trace context (under the inbound
 * policy) and remembers it, weakly, for {@link KafkaTracing#process} to continue on whatever
 * thread processes the record. Optionally starts a {@code poll {topic}} receive span per topic and
 * batch, with one link per record.
 *
 * <p>Register it by class name: {@code interceptor.classes=dev.baton.kafka.TracingConsumerInterceptor}.
 * Records are returned unchanged; a fault of Baton's never reaches the consumer.
 *
 * @since 0.1.0
 */
public final class TracingConsumerInterceptor implements ConsumerInterceptor<Object, Object> {

  private KafkaTracing tracing;
  private String groupId;
  private String clientId;

  /** Called by Kafka, which then calls {@link #configure(Map)}. */
  public TracingConsumerInterceptor() {}

  @Override
  public void configure(Map<String, ?> configs) {
    tracing = KafkaTracing.fromConfig(configs);
    groupId = text(configs.get(ConsumerConfig.GROUP_ID_CONFIG));
    clientId = text(configs.get(ConsumerConfig.CLIENT_ID_CONFIG));
  }

  private static String text(Object o) {
    return o == null || o.toString().isEmpty() ? null : o.toString();
  }

  @Override
  public ConsumerRecords<Object, Object> onConsume(ConsumerRecords<Object, Object> records) {
    if (tracing == null || records == null || records.isEmpty()) {
      return records;
    }
    try {
      for (ConsumerRecord<Object, Object> record : records) {
        Inbound inbound = tracing.propagation().inbound(Context.root(), record.headers());
        ConsumedRecords.remember(record, new ConsumedRecords.Remembered(inbound, groupId, clientId));
      }
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
        ConsumedRecords.Remembered r = ConsumedRecords.get(record);
        if (r != null && r.inbound.remote().isValid()) {
          builder.addLink(r.inbound.remote());
        }
      }
      Span span = builder.startSpan();
      span.end();
    }
  }

  @Override
  public void onCommit(Map<TopicPartition, OffsetAndMetadata> offsets) {}

  @Override
  public void close() {}
}
