package dev.baton.kafka;

import dev.baton.core.internal.ForwardingHandler;
import dev.baton.core.internal.MessagingMetrics;
import java.lang.reflect.Method;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * What {@link KafkaTracing#wrap(Consumer)} returns: a {@link Consumer} whose {@code poll} returns
 * records that run each loop body inside the record's CONSUMER {@code process {topic}} span, as the
 * interceptor does with {@code baton.kafka.consumer.process.spans=true} (see
 * {@link TracedRecords}). Every poll, empty or not, first ends a span an earlier loop left open,
 * and so does every {@code close}. Records are noted for {@link KafkaTracing#process} and get
 * receive spans (when enabled) unless the wrapped consumer's own {@link TracingConsumerInterceptor}
 * did that already. Every other method is forwarded unchanged.
 *
 * <p>Why a dynamic proxy of the {@code Consumer} interface rather than a forwarding class: the
 * interface changes with every kafka-clients line (4.0 removed {@code poll(long)} and
 * {@code committed(TopicPartition)}, added {@code SubscriptionPattern}; 4.1 added
 * {@code CloseOptions}), and a class compiled against one line names types the others lack (so
 * reflecting over it fails there) or misses methods they add. The proxy implements exactly the
 * interface of the kafka-clients on the class path. It costs a reflective call per method call,
 * which is per poll or commit, never per record.
 *
 * <p>Not thread-safe, like the consumer it wraps ({@code wakeup} excepted).
 */
final class TracingConsumer extends ForwardingHandler<Consumer<?, ?>> {

  private final ConsumerSide side;

  private TracingConsumer(Consumer<?, ?> delegate, KafkaTracing tracing) {
    super(delegate);
    this.side = new ConsumerSide(tracing, groupId(delegate), clientId(delegate.metrics()), true);
  }

  @SuppressWarnings("unchecked")
  static <K, V> Consumer<K, V> of(Consumer<K, V> delegate, KafkaTracing tracing) {
    return new TracingConsumer(delegate, tracing).newProxy(Consumer.class);
  }

  private static String groupId(Consumer<?, ?> consumer) {
    try {
      ConsumerGroupMetadata group = consumer.groupMetadata();
      return group == null ? null : group.groupId();
    } catch (RuntimeException noGroup) { // InvalidGroupIdException without group.id
      return null;
    }
  }

  /** The {@code client-id} tag of a client's metrics: its configured or generated client id. */
  static String clientId(Map<MetricName, ? extends Metric> metrics) {
    try {
      if (metrics != null) {
        for (MetricName name : metrics.keySet()) {
          String id = name.tags().get("client-id");
          if (id != null && !id.isEmpty()) {
            return id;
          }
        }
      }
    } catch (RuntimeException e) {
      // no metrics to read it from: the spans go without it
    }
    return null;
  }

  @Override
  protected Object handle(Object proxy, Method method, Object[] args) throws Throwable {
    String name = method.getName();
    switch (name) {
      case "poll": // poll(Duration); poll(long) on kafka-clients 3.x
        side.closeLeftovers();
        return side.onConsume(timedPoll(method, args));
      case "close": // close(), close(Duration), close(CloseOptions) on 4.1+
        try {
          side.close();
        } finally {
          forward(method, args);
        }
        return null;
      default:
        return forward(method, args);
    }
  }

  /** Forwards a poll, timing it as a receive when metrics are on. */
  private ConsumerRecords<?, ?> timedPoll(Method method, Object[] args) throws Throwable {
    MessagingMetrics metrics = side.tracing.metrics();
    if (metrics == null) {
      return (ConsumerRecords<?, ?>) forward(method, args);
    }
    long start = System.nanoTime();
    ConsumerRecords<?, ?> records;
    try {
      records = (ConsumerRecords<?, ?>) forward(method, args);
    } catch (Throwable t) {
      KafkaMetrics.polled(metrics, start, null, side.groupId, t);
      throw t;
    }
    KafkaMetrics.polled(metrics, start, records, side.groupId, null);
    return records;
  }
}
