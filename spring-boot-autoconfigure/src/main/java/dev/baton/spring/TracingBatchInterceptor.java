package dev.baton.spring;

import dev.baton.core.BatonTracing;
import dev.baton.core.internal.Faults;
import dev.baton.core.ProcessingScope;
import dev.baton.core.internal.ProcessScope;
import dev.baton.core.internal.Propagation;
import dev.baton.core.internal.SemConv;
import dev.baton.core.internal.Spans;
import dev.baton.kafka.KafkaTracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.header.Headers;
import org.springframework.kafka.listener.BatchInterceptor;

/**
 * Runs a batch listener ({@code @KafkaListener} taking a list of records) inside one CONSUMER
 * {@code process {topic}} span with a link to each record's context (read under the inbound
 * policy) and {@code messaging.batch.message_count}, as the messaging conventions prescribe for
 * batches: a batch has no single parent. The span is current while the listener runs and records
 * the listener's exception.
 */
final class TracingBatchInterceptor implements BatchInterceptor<Object, Object> {

  static final String SCOPE = "dev.baton.kafka";

  private final Tracer tracer;
  private final Propagation<Headers> propagation;
  private final OpenScope open = new OpenScope();

  TracingBatchInterceptor(BatonTracing baton) {
    this.tracer = Spans.tracer(baton, SCOPE);
    this.propagation = Propagation.of(baton, KafkaTracing.headersCarrier());
  }

  @Override
  public ConsumerRecords<Object, Object> intercept(
      ConsumerRecords<Object, Object> records, Consumer<Object, Object> consumer) {
    open.close();
    if (records != null && !records.isEmpty()) {
      open.keep(start(records, consumer));
    }
    return records;
  }

  private ProcessingScope start(ConsumerRecords<Object, Object> records, Consumer<?, ?> consumer) {
    try {
      String topic = null;
      boolean oneTopic = true;
      for (ConsumerRecord<Object, Object> record : records) {
        if (topic == null) {
          topic = record.topic();
        } else if (!topic.equals(record.topic())) {
          oneTopic = false;
          break;
        }
      }
      Context parent = Context.current();
      SpanBuilder builder =
          Spans.messaging(
                  tracer, SpanKind.CONSUMER, SemConv.SYSTEM_KAFKA, SemConv.OP_PROCESS, "process",
                  oneTopic ? topic : null)
              .setParent(parent)
              .setAttribute(SemConv.MESSAGING_BATCH_MESSAGE_COUNT, (long) records.count());
      String group = groupId(consumer);
      if (group != null) {
        builder.setAttribute(SemConv.MESSAGING_CONSUMER_GROUP_NAME, group);
      }
      for (ConsumerRecord<Object, Object> record : records) {
        SpanContext remote = propagation.inbound(Context.root(), record.headers()).remote();
        if (remote.isValid()) {
          builder.addLink(remote);
        }
      }
      Span span = builder.startSpan();
      return ProcessScope.open(parent.with(span), span);
    } catch (RuntimeException e) {
      Faults.report("spring kafka batch", e);
      return null;
    }
  }

  private static String groupId(Consumer<?, ?> consumer) {
    if (consumer == null) {
      return null;
    }
    try {
      String id = consumer.groupMetadata().groupId();
      return id == null || id.isEmpty() ? null : id;
    } catch (RuntimeException e) {
      return null; // no group, or a consumer that does not say
    }
  }

  @Override
  public void success(ConsumerRecords<Object, Object> records, Consumer<Object, Object> consumer) {
    open.close();
  }

  @Override
  public void failure(
      ConsumerRecords<Object, Object> records, Exception exception, Consumer<Object, Object> consumer) {
    open.fail(exception);
  }

  @Override
  public void clearThreadState(Consumer<?, ?> consumer) {
    open.close();
  }
}
