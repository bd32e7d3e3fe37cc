package dev.baton.kafka;

import dev.baton.core.internal.Faults;
import dev.baton.core.internal.Spans;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.metrics.KafkaMetric;

/**
 * A {@link Producer} that traces every {@code send}: a PRODUCER {@code send {topic}} span, child of
 * the current context, whose context is written into the record's headers, ended by the send's
 * callback with the partition and offset (or the send's error), on every kafka-clients version.
 * The application's callback runs after, with the context of the {@code send} call current.
 * Everything else is forwarded unchanged. Made by {@link KafkaTracing#wrap(Producer)}.
 *
 * <p>Do not also register {@link TracingProducerInterceptor} on the wrapped producer: each would
 * make a span per record.
 */
final class TracingProducer<K, V> implements Producer<K, V> {

  private final Producer<K, V> delegate;
  private final KafkaTracing tracing;
  private final String clientId;

  TracingProducer(Producer<K, V> delegate, KafkaTracing tracing) {
    this.delegate = delegate;
    this.tracing = tracing;
    this.clientId = TracingConsumer.clientId(delegate.metrics());
  }

  @Override
  public Future<RecordMetadata> send(ProducerRecord<K, V> record) {
    return send(record, null);
  }

  @Override
  public Future<RecordMetadata> send(ProducerRecord<K, V> record, Callback callback) {
    if (record == null) {
      return delegate.send(null, callback); // Kafka's own error
    }
    Context parent = Context.current();
    ProducerRecord<K, V> out = record;
    Span span = null;
    try {
      out = TracingProducerInterceptor.writable(record);
      span = TracingProducerInterceptor.startSend(tracing, record, clientId, parent);
      tracing.propagation().inject(parent.with(span), out.headers());
    } catch (RuntimeException e) {
      span = Faults.abandon("kafka send", e, span);
      out = record;
    }
    if (span == null || !span.isRecording()) {
      if (span != null) {
        span.end();
      }
      return delegate.send(out, callback);
    }
    Acknowledgement ack = new Acknowledgement(span, callback, parent);
    try {
      return delegate.send(out, ack);
    } catch (RuntimeException | Error e) {
      ack.failed(e); // thrown before the record was queued: the callback will not run
      throw e;
    }
  }

  /**
   * Ends the send span on the broker's answer, then runs the application's callback with the
   * sender's context current. Ends the span exactly once, whichever comes first: the answer or a
   * {@code send} that throws.
   */
  static final class Acknowledgement implements Callback {
    private static final AtomicReferenceFieldUpdater<Acknowledgement, Span> SPAN =
        AtomicReferenceFieldUpdater.newUpdater(Acknowledgement.class, Span.class, "span");

    private volatile Span span;
    private final Callback callback;
    private final Context parent;

    Acknowledgement(Span span, Callback callback, Context parent) {
      this.span = span;
      this.callback = callback;
      this.parent = parent;
    }

    @Override
    public void onCompletion(RecordMetadata metadata, Exception exception) {
      Span s = SPAN.getAndSet(this, null);
      if (s != null) {
        try {
          TracingProducerInterceptor.finish(s, metadata, exception);
        } catch (RuntimeException e) {
          Faults.report("kafka send callback", e);
        }
      }
      if (callback != null) {
        try (Scope ignored = parent.makeCurrent()) {
          callback.onCompletion(metadata, exception);
        }
      }
    }

    void failed(Throwable error) {
      Span s = SPAN.getAndSet(this, null);
      if (s != null) {
        Spans.recordException(s, error);
        s.end();
      }
    }
  }

  // Everything below is forwarded as it is.

  @Override
  public void initTransactions() {
    delegate.initTransactions();
  }

  @Override
  public void beginTransaction() {
    delegate.beginTransaction();
  }

  @Override
  public void sendOffsetsToTransaction(
      Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata groupMetadata) {
    delegate.sendOffsetsToTransaction(offsets, groupMetadata);
  }

  /**
   * kafka-clients 3.x's {@code sendOffsetsToTransaction(Map, String)}, removed in 4.0: what
   * kafka-clients 3.9 itself does with it.
   *
   * @param offsets the offsets
   * @param consumerGroupId the group
   */
  public void sendOffsetsToTransaction(
      Map<TopicPartition, OffsetAndMetadata> offsets, String consumerGroupId) {
    delegate.sendOffsetsToTransaction(offsets, new ConsumerGroupMetadata(consumerGroupId));
  }

  @Override
  public void commitTransaction() {
    delegate.commitTransaction();
  }

  @Override
  public void abortTransaction() {
    delegate.abortTransaction();
  }

  @Override
  public void registerMetricForSubscription(KafkaMetric metric) {
    delegate.registerMetricForSubscription(metric);
  }

  @Override
  public void unregisterMetricFromSubscription(KafkaMetric metric) {
    delegate.unregisterMetricFromSubscription(metric);
  }

  @Override
  public void flush() {
    delegate.flush();
  }

  @Override
  public List<PartitionInfo> partitionsFor(String topic) {
    return delegate.partitionsFor(topic);
  }

  @Override
  public Map<MetricName, ? extends Metric> metrics() {
    return delegate.metrics();
  }

  @Override
  public Uuid clientInstanceId(Duration timeout) {
    return delegate.clientInstanceId(timeout);
  }

  @Override
  public void close() {
    delegate.close();
  }

  @Override
  public void close(Duration timeout) {
    delegate.close(timeout);
  }

  @Override
  public String toString() {
    return "TracingProducer{" + delegate + "}";
  }
}
